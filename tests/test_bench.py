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
        assert run["frames"] == 400
        assert run["dropped"] == 0 and run["applied"] == run["model_frames"] == 400
        assert run["invalid"] == 0 and run["unpainted"] == 0
        for key in ("latency_ms", "refresh_ms", "paint_ms"):
            assert set(run[key]) == {"p50", "p99", "max", "count"}
        assert run["cpu_cores"] > 0 and run["peak_rss_mb"] > 0
    assert out["storm"]["key_ms"]["count"] >= 1
    assert set(out["baseline_ratios"]) >= {"latency_p99", "refresh_p99", "cpu", "peak_rss"}
    assert out["idle"]["cpu_pct"] >= 0 and out["idle"]["agents"] == 50
    assert 0 < out["startup_s"] < 60
    assert out["replay"]["events"] == 2000 and out["replay"]["ratio"] > 0
    assert set(out["met"]) == {
        "no_drops",
        "latency_p99",
        "refresh_p99",
        "cpu",
        "peak_rss",
        "key_press",
        "idle_cpu",
        "startup",
        "replay_ratio",
    }
    assert out["met"]["no_drops"] is True


def test_bench_store_tiny(tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = _bench(
        "store",
        "--agents",
        "60",
        "--queues",
        "3",
        "--events",
        "3000",
        "--days",
        "3",
        "--call-days",
        "2",
        "--calls-per-day",
        "50",
        "--kill-runs",
        "1",
        "--dir",
        str(tmp_path),
    )
    assert out["benchmark"] == "store"
    assert out["ingest"]["frames"] == 3000 and out["ingest"]["ratio"] > 0
    assert out["size"]["report_intervals_day_rows"] == 96 * 3
    assert out["restore"]["intervals"] == 96 * 3
    assert out["kill9"]["runs"][0]["integrity"] == "ok"
    assert isinstance(out["meets_target"], bool)
