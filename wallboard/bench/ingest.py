"""`wallboard bench ingest`: `snapshot --replay` against a bare json.loads loop, per mix.

For each mix (`stream.py`: calls, queues, mixed) one recording is generated
and both sides read that same file:

- **whole processes** (the target): a fresh interpreter running `wallboard
  snapshot --replay FILE` (read, parse, apply, state document) against one
  running the bare loop (stdlib `json.loads` of each line and of the frame
  inside it). Runs alternate between the two so a drifting machine hurts both
  alike; medians and min–max are reported. The ratio is taken on CPU time
  (user + system of the child): on a shared machine wall time also counts
  other processes' turns on the core, so the wall-time ratio is printed
  beside it but is the noisier figure. Start-up alone (the same two programs
  on a header-only file) is reported too: it is part of both figures.
- **in process** (where the time goes, CPU time of this process): the same
  file read and decoded (`read`), then also parsed (`parse`), then also
  applied (`replay_into`: `apply`), then the state document built and
  serialised (`document`); each stage's share is the difference to the one
  before. Parse-only throughput is frames / (read + parse).

Every target is printed with its figure on stderr; the last line of stdout
is one JSON object with everything.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from wallboard.bench.stream import MIXES, StreamGenerator, write_recording
from wallboard.feed.replay import replay_into
from wallboard.model import WallboardState, state_document
from wallboard.protocol.parse import parse_frame

TARGET_RATIO = 2.0  # snapshot --replay / bare json.loads loop, whole processes
AIM_RATIO = 1.0
TARGET_RSS_MB = 100.0  # peak RSS of snapshot --replay at the default size

BARE_LOOP = """
import json, sys
n = 0
with open(sys.argv[1], "rb") as f:
    for line in f:
        obj = json.loads(line)
        frame = obj.get("frame") if isinstance(obj, dict) else None
        if isinstance(frame, str):
            json.loads(frame)
        n += 1
hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM")][0].split()[1]
print(n, hwm, file=sys.stderr)
"""

SNAPSHOT = """
import sys
from wallboard.cli import main
rc = main(["snapshot", "--replay", sys.argv[1]])
hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM")][0].split()[1]
print(rc, hwm, file=sys.stderr)
sys.exit(rc)
"""


def _spread(xs: list[float], digits: int = 3) -> dict[str, float]:
    return {
        "median": round(statistics.median(xs), digits),
        "min": round(min(xs), digits),
        "max": round(max(xs), digits),
    }


_clock = time.process_time  # in-process stages: this process's CPU time


def _children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def _process(code: str, path: str) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak RSS (MB) of a fresh interpreter running `code`.

    CPU time (user + system, from the kernel's accounting of the waited-for
    child) is what the process itself cost: on a shared machine wall time also
    holds the time other processes had the core. Peak RSS comes from the
    child's own VmHWM: ru_maxrss would carry over the forked parent's pages
    across exec on Linux.
    """
    cpu0 = _children_cpu()
    t0 = time.perf_counter()
    res = subprocess.run(
        [sys.executable, "-c", code, path],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - t0
    cpu = _children_cpu() - cpu0
    rss_kb = float(res.stderr.split()[-1])
    return wall, cpu, rss_kb / 1024


# ------------------------------------------------------------ in-process stages
def _bare(path: str) -> float:
    t0 = _clock()
    with open(path, "rb") as f:
        for line in f:
            obj = json.loads(line)
            frame = obj.get("frame") if isinstance(obj, dict) else None
            if isinstance(frame, str):
                json.loads(frame)
    return _clock() - t0


def _read(path: str) -> float:
    """Lines read and decoded, the frame taken out: what replay does before parsing."""
    loads = orjson.loads
    t0 = _clock()
    with open(path, "rb") as f:
        for line in f:
            obj = loads(line)
            if type(obj) is dict:
                obj.get("frame")
    return _clock() - t0


def _read_parse(path: str) -> float:
    loads = orjson.loads
    t0 = _clock()
    with open(path, "rb") as f:
        for line in f:
            obj = loads(line)
            frame = obj.get("frame") if type(obj) is dict else None
            if type(frame) is str:
                parse_frame(frame)
    return _clock() - t0


def _replay(path: str) -> tuple[float, float, WallboardState]:
    """replay_into (read + parse + apply), then the document as `snapshot` prints it."""
    state = WallboardState()
    t0 = _clock()
    replay_into(state, path)
    t1 = _clock()
    orjson.dumps(state_document(state), option=orjson.OPT_INDENT_2)
    return t1 - t0, _clock() - t1, state


def _composition(frames: list[tuple[float, str]]) -> dict[str, float]:
    n = len(frames) or 1
    life = sip = 0
    for _, f in frames:
        if ('"event_type":"call_' in f and '"event_type":"call_cdr"' not in f) or (
            '"event_type":"target_' in f
        ):
            life += 1
        if "sip:" in f:
            sip += 1
    return {"call_lifecycle_pct": round(100 * life / n, 1), "with_sip_pct": round(100 * sip / n, 1)}


def bench_mix(mix: str, args: IngestOptions, path: str, empty: str) -> dict[str, Any]:
    gen = StreamGenerator(agents=args.agents, queues=args.queues, seed=args.seed, mix=mix)
    frames = list(gen.frames(args.events))
    n = write_recording(path, iter(frames), dialect=gen.dialect)
    composition = _composition(frames)
    del frames
    size_mb = Path(path).stat().st_size / 1e6
    print(
        f"[{mix}] {n} frames, {size_mb:.1f} MB, {args.agents} agents, {args.queues} queues, "
        f"{composition['call_lifecycle_pct']} % call lifecycle, "
        f"{composition['with_sip_pct']} % with sip: addresses",
        file=sys.stderr,
    )
    runs = args.runs
    _bare(path)  # warm the page cache

    # In process: each stage `stage_runs` times, medians.
    stage_runs = min(runs, 3)
    bare = [_bare(path) for _ in range(stage_runs)]
    read = [_read(path) for _ in range(stage_runs)]
    parse = [_read_parse(path) for _ in range(stage_runs)]
    replays = [_replay(path) for _ in range(stage_runs)]
    state = replays[-1][2]
    m_bare, m_read, m_parse = (statistics.median(x) for x in (bare, read, parse))
    m_replay = statistics.median(r[0] for r in replays)
    m_doc = statistics.median(r[1] for r in replays)

    # Whole processes, alternating; start-up alone on a header-only file.
    proc_bare: list[tuple[float, float, float]] = []
    proc_ours: list[tuple[float, float, float]] = []
    for _ in range(runs):
        proc_bare.append(_process(BARE_LOOP, path))
        proc_ours.append(_process(SNAPSHOT, path))
    start_bare = [_process(BARE_LOOP, empty)[1] for _ in range(stage_runs)]
    start_ours = [_process(SNAPSHOT, empty)[1] for _ in range(stage_runs)]
    ours_cpu, bare_cpu = [p[1] for p in proc_ours], [p[1] for p in proc_bare]
    ours_wall, bare_wall = [p[0] for p in proc_ours], [p[0] for p in proc_bare]
    ratio = statistics.median(ours_cpu) / statistics.median(bare_cpu)
    wall_ratio = statistics.median(ours_wall) / statistics.median(bare_wall)
    pairs = [o / b for o, b in zip(ours_cpu, bare_cpu, strict=True)]
    rss = max(p[2] for p in proc_ours)
    return {
        "frames": n,
        "mb": round(size_mb, 1),
        "dialect": gen.dialect,
        **composition,
        "active_calls_at_end": len(state.calls),
        "waiting_at_end": sum(len(q.waiting) for q in state.queues.values()),
        "process": {
            "snapshot_replay_cpu_s": _spread(ours_cpu),
            "bare_json_loads_cpu_s": _spread(bare_cpu),
            "ratio": round(ratio, 2),
            "ratio_per_run": _spread(pairs, 2),
            "snapshot_replay_wall_s": _spread(ours_wall),
            "bare_json_loads_wall_s": _spread(bare_wall),
            "wall_ratio": round(wall_ratio, 2),
            "startup_cpu_s": {
                "snapshot": round(statistics.median(start_ours), 3),
                "bare": round(statistics.median(start_bare), 3),
            },
            "snapshot_peak_rss_mb": round(rss, 1),
            "bare_peak_rss_mb": round(max(p[2] for p in proc_bare), 1),
        },
        "in_process": {
            "bare_json_loads_s": round(m_bare, 3),
            "replay_s": round(m_replay, 3),
            "ratio": round((m_replay + m_doc) / m_bare, 2),
            "parse_events_per_s": round(n / m_parse),
            "replay_events_per_s": round(n / m_replay),
            "split_s": {
                "read": round(m_read, 3),
                "parse": round(m_parse - m_read, 3),
                "apply": round(m_replay - m_parse, 3),
                "document": round(m_doc, 3),
            },
        },
    }


def _targets(results: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for mix, r in results.items():
        p = r["process"]
        out.append(
            {
                "target": "snapshot --replay / bare json.loads loop, whole processes (CPU time)",
                "mix": mix,
                "op": "≤",
                "limit": TARGET_RATIO,
                "aim": AIM_RATIO,
                "figure": p["ratio"],
                "met": p["ratio"] <= TARGET_RATIO,
            }
        )
        out.append(
            {
                "target": "snapshot --replay peak RSS (MB)",
                "mix": mix,
                "op": "<",
                "limit": TARGET_RSS_MB,
                "figure": p["snapshot_peak_rss_mb"],
                "met": p["snapshot_peak_rss_mb"] < TARGET_RSS_MB,
            }
        )
    return out


def _print_report(results: dict[str, dict[str, Any]], targets: list[dict[str, Any]]) -> None:
    err = sys.stderr
    for mix, r in results.items():
        p, ip = r["process"], r["in_process"]
        sn, ba, pr = p["snapshot_replay_cpu_s"], p["bare_json_loads_cpu_s"], p["ratio_per_run"]
        sw, bw = p["snapshot_replay_wall_s"], p["bare_json_loads_wall_s"]
        sp = ip["split_s"]
        print(
            f"[{mix}] whole process, CPU: snapshot --replay {sn['median']:.2f} s "
            f"({sn['min']:.2f}–{sn['max']:.2f}), bare json.loads {ba['median']:.2f} s "
            f"({ba['min']:.2f}–{ba['max']:.2f}), ratio {p['ratio']:.2f} "
            f"(per run {pr['min']:.2f}–{pr['max']:.2f}); start-up "
            f"{p['startup_cpu_s']['snapshot']:.2f} / {p['startup_cpu_s']['bare']:.2f} s",
            file=err,
        )
        print(
            f"[{mix}] whole process, wall: snapshot --replay {sw['median']:.2f} s "
            f"({sw['min']:.2f}–{sw['max']:.2f}), bare json.loads {bw['median']:.2f} s "
            f"({bw['min']:.2f}–{bw['max']:.2f}), ratio {p['wall_ratio']:.2f}",
            file=err,
        )
        print(
            f"[{mix}] in process: read {sp['read']:.2f} s, parse {sp['parse']:.2f} s, "
            f"apply {sp['apply']:.2f} s, document {sp['document']:.2f} s; "
            f"parse-only {ip['parse_events_per_s']:,} frames/s, "
            f"replay {ip['replay_events_per_s']:,} frames/s",
            file=err,
        )
    for t in targets:
        aim = f" (aim ≤ {t['aim']})" if "aim" in t else ""
        print(
            f"target: {t['target']} [{t['mix']}] {t['op']} {t['limit']}{aim}: {t['figure']} — "
            f"{'met' if t['met'] else 'MISSED'}",
            file=err,
        )


def _write_path(base: str, mix: str, several: bool) -> str:
    if not several:
        return base
    root, ext = os.path.splitext(base)
    return f"{root}.{mix}{ext or '.jsonl'}"


@dataclass(frozen=True, slots=True)
class IngestOptions:
    agents: int = 5000
    queues: int = 50
    events: int = 200_000
    seed: int = 1
    mixes: tuple[str, ...] | None = None  # None: every mix
    runs: int = 5  # whole-process runs per side and mix
    write: str | None = None  # also keep the generated stream here


def run_bench_ingest(args: IngestOptions) -> int:
    mixes = list(args.mixes or MIXES)
    tmpdir = tempfile.mkdtemp(prefix="wallboard-bench-")
    empty = os.path.join(tmpdir, "empty.jsonl")
    write_recording(empty, iter(()))
    results: dict[str, dict[str, Any]] = {}
    try:
        for mix in mixes:
            path = (
                _write_path(args.write, mix, len(mixes) > 1)
                if args.write
                else os.path.join(tmpdir, f"{mix}.jsonl")
            )
            results[mix] = bench_mix(mix, args, path, empty)
            if not args.write:
                os.unlink(path)
    finally:
        os.unlink(empty)
        for leftover in os.listdir(tmpdir):
            os.unlink(os.path.join(tmpdir, leftover))
        os.rmdir(tmpdir)
    targets = _targets(results)
    _print_report(results, targets)
    first = results[mixes[0]]
    result = {
        "benchmark": "ingest",
        "frames": first["frames"],
        "agents": args.agents,
        "queues": args.queues,
        "seed": args.seed,
        "runs": args.runs,
        "mixes": results,
        # The first mix's figures at the top level, as before there were mixes.
        "in_process": first["in_process"],
        "process": first["process"],
        "targets": targets,
        "target_ratio": TARGET_RATIO,
        "aim_ratio": AIM_RATIO,
        "meets_target": all(t["met"] for t in targets),
    }
    print(json.dumps(result))
    return 0
