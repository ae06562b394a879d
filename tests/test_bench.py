"""`wallboard bench ingest` and `bench ui` run end to end at tiny sizes.

Smoke tests of the JSON shape and of "every generated frame applied": the
speed goals are measured by the benchmarks themselves, never asserted here.
"""

from __future__ import annotations

import json
import subprocess
import sys


def _bench(*argv: str) -> dict:  # type: ignore[type-arg]
    res = subprocess.run(
        [sys.executable, "-m", "wallboard", "bench", *argv],
        capture_output=True,
        text=True,
        timeout=240,
        stdin=subprocess.DEVNULL,
    )
    assert res.returncode == 0, res.stderr[-3000:]
    return json.loads(res.stdout.strip().splitlines()[-1])


def test_bench_ingest_tiny() -> None:
    out = _bench("ingest", "--agents", "50", "--queues", "5", "--events", "2000")
    assert out["benchmark"] == "ingest" and out["frames"] == 2000
    for part in ("in_process", "process"):
        assert out[part]["ratio"] > 0
    assert isinstance(out["meets_target"], bool)


def test_bench_ui_tiny() -> None:
    out = _bench(
        "ui",
        "--agents",
        "50",
        "--queues",
        "5",
        "--rate",
        "200",
        "--seconds",
        "2",
        "--idle-seconds",
        "1",
        "--replay-events",
        "2000",
    )
    assert out["benchmark"] == "ui"
    for run in (out["storm"], out["baseline"]):
        # Every frame went through the socket and the live client, and was painted.
        assert run["frames"] == 400
        assert run["dropped"] == 0 and run["applied"] == run["model_frames"] == 400
        assert run["replies"] >= 2  # auth and subscribes, answered by the benchmark's PBX
        assert run["invalid"] == 0 and run["unpainted"] == 0
        for key in ("latency_ms", "latency_old_method_ms", "refresh_ms", "paint_ms"):
            assert set(run[key]) == {"p50", "p99", "max", "count"}
        # From when a frame was due, not from when it was applied: never shorter.
        assert run["latency_ms"]["p50"] >= run["latency_old_method_ms"]["p50"] > 0
        assert run["cpu_cores"] > 0 and run["peak_rss_mb"] > 0
    assert out["storm"]["mode"] == "vtable" and out["baseline"]["mode"] == "datatable"
    assert out["storm"]["key_count"] >= 1
    # Every target has its figure and its verdict.
    assert set(out["figures"]) == set(out["targets"]) == set(out["met"])
    assert out["idle"]["cpu_pct"] >= 0 and out["idle"]["agents"] == 50
