"""`wallboard bench table` runs every mode end to end at a tiny size.

A smoke test of the JSON shape and that each mode updated and painted; the
figures themselves are for people to read, never asserted here.
"""

from __future__ import annotations

import json
import subprocess
import sys

from wallboard.bench.table import MODES


def test_bench_table_tiny() -> None:
    argv = ["--rows", "300", "--updates", "20", "--seconds", "1", "--idle", "0.5"]
    res = subprocess.run(
        [sys.executable, "-m", "wallboard", "bench", "table", *argv],
        capture_output=True,
        text=True,
        timeout=240,
        stdin=subprocess.DEVNULL,
    )
    assert res.returncode == 0, res.stderr[-3000:]
    out = json.loads(res.stdout.strip().splitlines()[-1])
    assert out["benchmark"] == "table"
    assert [r["mode"] for r in out["results"]] == list(MODES)
    for r in out["results"]:
        assert r["rows"] == 300 and r["fill_ms"] > 0 and r["peak_rss_mb"] > 0
        storm, idle = r["storm"], r["idle"]
        assert storm["refresh_ms"]["count"] >= 3 and storm["paint_ms"]["count"] >= 1
        assert storm["bytes_per_s"] > 0 and storm["cpu_cores"] > 0
        assert set(idle["refresh_ms"]) == {"p50", "p99", "max", "count"}
