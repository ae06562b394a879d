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
    out = _bench(
        "ingest", "--agents", "50", "--queues", "5", "--events", "2000", "--runs", "1",
        "--mix", "calls", "--mix", "queues",
    )  # fmt: skip
    assert out["benchmark"] == "ingest" and out["frames"] == 2000 and out["runs"] == 1
    assert list(out["mixes"]) == ["calls", "queues"]
    for mix in out["mixes"].values():
        assert mix["frames"] == 2000
        # The timed replay really built the model (a loop that applied nothing is fast too).
        assert mix["active_calls_at_end"] + mix["waiting_at_end"] > 0
        p = mix["process"]
        assert p["ratio"] > 0 and p["wall_ratio"] > 0
        for key in ("snapshot_replay_cpu_s", "bare_json_loads_cpu_s", "snapshot_replay_wall_s"):
            assert p[key]["min"] <= p[key]["median"] <= p[key]["max"]
        assert set(mix["in_process"]["split_s"]) == {"read", "parse", "apply", "document"}
        assert mix["in_process"]["parse_events_per_s"] > 0
    assert out["mixes"]["calls"]["call_lifecycle_pct"] > 70
    assert out["mixes"]["queues"]["call_lifecycle_pct"] < 30
    # Every target the benchmark checks is there, with its figure, for each mix.
    targets = {(t["target"], t["mix"]) for t in out["targets"]}
    assert len(targets) == 4 and {m for _, m in targets} == {"calls", "queues"}
    assert all(isinstance(t["figure"], float | int) for t in out["targets"])
    assert out["meets_target"] == all(t["met"] for t in out["targets"])


def test_bench_ingest_prints_each_target_with_its_figure() -> None:
    res = subprocess.run(
        [sys.executable, "-m", "wallboard", "bench", "ingest", "--agents", "20", "--queues",
         "2", "--events", "300", "--runs", "1", "--mix", "mixed"],
        capture_output=True, text=True, timeout=240, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr[-3000:]
    out = json.loads(res.stdout.strip().splitlines()[-1])
    lines = [ln for ln in res.stderr.splitlines() if ln.startswith("target:")]
    assert len(lines) == len(out["targets"]) == 2
    for line, t in zip(lines, out["targets"], strict=True):
        assert f"[{t['mix']}]" in line and str(t["figure"]) in line
        assert line.endswith("met" if t["met"] else "MISSED")


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
    # The product's run applies every frame in time. The DataTable baseline is the
    # comparison: on a loaded machine it falls behind and may drop, so only its books
    # must balance.
    storm = out["storm"]
    assert storm["dropped"] == 0 and storm["applied"] == storm["model_frames"] == 400
    base = out["baseline"]
    assert base["applied"] == base["model_frames"] > 0
    assert base["applied"] + base["dropped"] == 400
    for run in (storm, base):
        # Every frame went through the socket and the live client.
        assert run["frames"] == 400
        assert run["replies"] >= 2  # auth and subscribes, answered by the benchmark's PBX
        assert run["invalid"] == 0
        for key in ("latency_ms", "latency_old_method_ms", "refresh_ms", "paint_ms"):
            assert set(run[key]) == {"p50", "p99", "max", "count"}
        # From when a frame was due, not from when it was applied: never shorter.
        assert run["latency_ms"]["p50"] >= run["latency_old_method_ms"]["p50"] > 0
        assert run["cpu_cores"] > 0 and run["peak_rss_mb"] > 0
    assert storm["unpainted"] == 0  # every frame's rows painted before the end
    assert out["storm"]["mode"] == "vtable" and out["baseline"]["mode"] == "datatable"
    assert out["storm"]["key_count"] >= 1
    # Every target has its figure and its verdict.
    assert set(out["figures"]) == set(out["targets"]) == set(out["met"])
    assert out["idle"]["cpu_pct"] >= 0 and out["idle"]["agents"] == 50
    assert 0 < out["startup_s"] < 60
    assert out["replay"]["events"] == 2000 and out["replay"]["ratio"] > 0
    assert out["met"]["dropped"] is True


def test_bench_sim_tiny() -> None:
    out = _bench(
        "sim", "--agents", "20", "--queues", "2", "--clients", "2", "--rate", "5",
        "--seconds", "3", "--settle", "1",
    )  # fmt: skip
    assert out["bench"] == "sim_capacity" and out["exit_code"] == 0
    assert out["sim_cpu_s_per_s"] > 0 and out["frames_per_s_per_client"] > 0


def test_bench_hub_tiny() -> None:
    """A PBX, a hub and viewers in their own processes; every frame viewer was fed."""
    out = _bench(
        "hub", "--agents", "60", "--queues", "4", "--rate", "200", "--viewers", "3",
        "--scoped", "1", "--seconds", "3", "--settle", "0.5", "--stall-at", "1",
        "--reader-processes", "1",
    )  # fmt: skip
    assert out["bench"] == "hub" and out["viewers"] == 3
    assert out["hub_events_per_s"] > 0 and out["frames_received"] > 0
    assert out["batches_measured"] > 0 and out["latency_ms_p99"] >= out["latency_ms_p50"] > 0
    assert out["hub_cpu_cores"] > 0 and out["hub_peak_rss_mb"] > 0
    assert out["checkpoint_bytes"] > 0 and out["extensions_in_model"] == 60


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
