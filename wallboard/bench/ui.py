"""`wallboard bench ui`: the real app under a contact-center event storm.

Every part runs in a fresh Python process, so CPU time and peak RSS (VmHWM:
`ru_maxrss` would carry the parent's pages over fork/exec) belong to that
part alone. The app is the real `WallboardApp` with its real refresh timer
(5 Hz), at 200×60, on a driver that renders every paint to terminal escape
sequences and discards them (`driver.py`; Textual's headless driver would
skip that work).

Parts:

- **storm** (ours): StreamGenerator frames for `--agents` / `--queues`,
  pictures first (the reconnect storm: every extension and queue status at
  once), then calls, queue callers and agent state changes. Generated before
  the app starts (so generation is not measured), then fed through
  `state.apply_frame(text)` — the live path — by a feed on the app's loop,
  paced by the wall clock at `--rate` in small batches (every ~5 ms). Every
  generated frame is counted; a frame not applied by the end of the run (a
  backlog a socket would have had to hold) is a drop.
  *Latency* of a frame: from the moment the feed applied it to the end of the
  first screen paint after the refresh pass that took its change; if that
  pass changed nothing on screen, to the end of the pass. *Refresh*: one
  `refresh_now` pass (take dirty keys, update visible widgets). *Paint*: one
  Textual screen update (layout, compositor render, escape sequences).
  *Key press*: during the storm, every 2.5 s, a page key (2, 3, 4, 5, 1, …)
  is sent like terminal input (`Pilot.press`); its latency runs from the key
  being sent to the end of the first screen paint after the page switched.
- **naive** (the baseline, same process layout, same app, same frames): every
  frame is applied and then `refresh_now()` is called at once, and the loop
  is yielded so Textual can paint: each event goes straight to the widgets,
  with no coalescing of a quarter-second's changes. The widgets still update
  by keyed diff (a baseline without that would be slower still).
- **idle**: the board holds `--agents` / `--queues` (pictures plus traffic),
  connected, then no events for `--idle-seconds`: CPU per wall second.
- **startup**: a fresh `python -m wallboard.bench.tui first-paint replay
  tiny.jsonl` (the CLI's replay path; see `tui.py`): from spawning the
  process to the first painted screen. Median of three.
- **replay**: `--replay-events` generated events written as a recording;
  whole-process time of `wallboard snapshot --replay FILE` against the TUI
  `wallboard replay FILE --speed 0` until the screen shows "replay finished"
  (`tui.py replay-finished`). Best of two each.

The last line of stdout is one JSON object with every figure, the targets,
and which are met.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from array import array
from pathlib import Path
from typing import Any

from wallboard.bench.stream import StreamGenerator, write_recording

DRIVER = "wallboard.bench.driver:NullTerminalDriver"
SIZE = (200, 60)
BATCH_PERIOD = 0.005  # the feed wakes up this often and applies what is due
MAX_BATCH = 500  # frames applied before yielding to the loop when catching up
GRACE = 2.0  # seconds past the schedule before unapplied frames count as dropped
KEY_EVERY = 2.5
KEYS = ("2", "3", "4", "5", "1")

TARGETS = {
    "dropped": 0,
    "latency_p99_ms": 250.0,
    "refresh_p99_ms": 50.0,
    "cpu_cores": 0.5,
    "peak_rss_mb": 250.0,
    "key_ms": 100.0,
    "idle_cpu_pct": 2.0,
    "startup_s": 1.0,
    "replay_ratio": 3.0,
}


# ----------------------------------------------------------------- helpers
def peak_rss_mb() -> float:
    """VmHWM of this process in MB (0 where /proc is missing)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def pct(values: list[float], q: float) -> float:
    """The q-quantile (nearest rank) of `values`; 0 for none."""
    if not values:
        return 0.0
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


def ms_stats(values: list[float]) -> dict[str, float]:
    return {
        "p50": round(pct(values, 0.50) * 1000, 1),
        "p99": round(pct(values, 0.99) * 1000, 1),
        "max": round(max(values, default=0.0) * 1000, 1),
        "count": len(values),
    }


class Meter:
    """Frame, refresh, paint and key timings of one storm run."""

    def __init__(self, n: int) -> None:
        self.applied_at = array("d", bytes(8 * n))
        self.latency = array("d", bytes(8 * n))
        self.applied = 0
        self.resolved = 0
        self.pending: list[int] = []  # `applied` at refresh passes waiting for a paint
        self.repaint_requested = False
        self.refreshes: list[float] = []
        self.paints: list[float] = []
        self.paint_count = 0
        self.key_sent: tuple[str, float] | None = None
        self.key_switched = False
        self.keys: list[tuple[str, float]] = []

    def resolve(self, covered: int, t: float) -> None:
        at, lat = self.applied_at, self.latency
        for i in range(self.resolved, covered):
            lat[i] = t - at[i]
        if covered > self.resolved:
            self.resolved = covered

    def refreshed(self, covered: int, t: float) -> None:
        if self.repaint_requested or self.pending:
            self.pending.append(covered)
        else:
            self.resolve(covered, t)

    def painted(self, t: float) -> None:
        self.paint_count += 1
        for covered in self.pending:
            self.resolve(covered, t)
        self.pending.clear()
        if self.key_switched and self.key_sent is not None:
            key, sent = self.key_sent
            self.keys.append((key, t - sent))
            self.key_sent, self.key_switched = None, False


def _instrument(meter: Meter) -> type:
    """A WallboardApp that reports to `meter`, plus class-level hooks on Textual.

    Hooks (this process only): `Widget.refresh` notes that a paint is coming;
    `Screen._compositor_refresh` marks the end of a paint of the top screen;
    `Screen._on_timer_update` times each screen update that painted.
    """
    from textual.screen import Screen
    from textual.widget import Widget

    from wallboard.ui.app import WallboardApp

    perf = time.perf_counter
    widget_refresh = Widget.refresh

    def refresh(self: Any, *regions: Any, **kw: Any) -> Any:
        meter.repaint_requested = True
        return widget_refresh(self, *regions, **kw)

    Widget.refresh = refresh  # type: ignore[method-assign]

    compositor_refresh = Screen._compositor_refresh

    def _compositor_refresh(self: Any) -> None:
        compositor_refresh(self)
        if self is self.app.screen:
            meter.painted(perf())

    Screen._compositor_refresh = _compositor_refresh  # type: ignore[method-assign]

    timer_update = Screen._on_timer_update

    def _on_timer_update(self: Any) -> None:
        before = meter.paint_count
        t0 = perf()
        timer_update(self)
        if meter.paint_count != before:
            meter.paints.append(perf() - t0)

    Screen._on_timer_update = _on_timer_update  # type: ignore[method-assign]

    class BenchApp(WallboardApp):
        def refresh_now(self, tick: bool = False) -> float:
            covered = meter.applied
            meter.repaint_requested = False
            dt = super().refresh_now(tick)
            meter.refreshes.append(dt)
            meter.refreshed(covered, perf())
            return dt

        def action_page(self, n: int) -> None:
            super().action_page(n)
            if meter.key_sent is not None:
                meter.key_switched = True

    return BenchApp


# ------------------------------------------------------------------- parts
def part_storm(opts: argparse.Namespace, naive: bool) -> dict[str, Any]:
    from wallboard.model.state import WallboardState

    gen = StreamGenerator(agents=opts.agents, queues=opts.queues, seed=opts.seed, rate=opts.rate)
    total = max(1, int(opts.rate * opts.seconds))
    frames = [f for _, f in gen.frames(total)]
    n = len(frames)
    meter = Meter(n)
    app_cls = _instrument(meter)
    state = WallboardState()
    rate = opts.rate
    perf = time.perf_counter
    marks: dict[str, float] = {}

    async def feed(app: Any) -> None:
        st = app.state
        st.source.kind = "live"
        st.source.status = "connected"
        st.source_changed()
        apply = st.apply_frame
        at = meter.applied_at
        refresh_now = app.refresh_now
        i = 0
        t0 = perf()
        marks["t0"], marks["cpu0"] = t0, time.process_time()
        deadline = t0 + n / rate + GRACE
        while i < n:
            now = perf()
            if now > deadline:
                break
            due = min(n, int((now - t0) * rate) + 1)
            if naive:
                while i < due and perf() <= deadline:
                    apply(frames[i])
                    at[i] = perf()
                    i += 1
                    meter.applied = i
                    refresh_now()
                    await asyncio.sleep(0)
            else:
                end = min(due, i + MAX_BATCH)
                while i < end:
                    apply(frames[i])
                    at[i] = perf()
                    i += 1
                meter.applied = i
                if i < due:
                    await asyncio.sleep(0)
                    continue
            await asyncio.sleep(max(BATCH_PERIOD, t0 + i / rate - perf()))
        marks["t1"], marks["cpu1"] = perf(), time.process_time()

    app = app_cls(state, feed=feed, watch_terminal=False)  # the default refresh timer

    async def drive() -> None:
        async with app.run_test(headless=False, size=SIZE) as pilot:
            k = 0
            give_up = perf() + 30.0 + 3 * opts.seconds
            while "t0" not in marks:
                await asyncio.sleep(0.01)
                if perf() > give_up or not app.is_running:
                    raise RuntimeError("the feed never started")
            next_key = marks["t0"] + 0.5
            while "t1" not in marks:
                if perf() > give_up or not app.is_running:
                    raise RuntimeError("the storm did not finish (did the app crash?)")
                if perf() >= next_key:
                    key = KEYS[k % len(KEYS)]
                    k += 1
                    if meter.key_sent is not None:  # the last one never painted
                        meter.keys.append((meter.key_sent[0], float("inf")))
                    meter.key_sent, meter.key_switched = (key, perf()), False
                    await pilot.press(key)
                    next_key += KEY_EVERY
                await asyncio.sleep(0.02)
            await asyncio.sleep(0.6)  # the last refresh pass and its paint
            app.refresh_now(tick=True)
            await pilot.pause()
            await asyncio.sleep(0.1)
            app.exit(0)

    asyncio.run(drive())
    applied = meter.applied
    wall = marks["t1"] - marks["t0"]
    lat = list(meter.latency[: meter.resolved])
    first = meter.applied_at[0] if applied else marks["t0"]
    last = meter.applied_at[applied - 1] if applied else marks["t1"]
    # The latency counted from when a frame was *due* (t0 + i / rate), which
    # adds any time it waited because the loop was busy.
    sched = [
        meter.latency[i] + meter.applied_at[i] - (marks["t0"] + i / rate)
        for i in range(meter.resolved)
    ]
    keys = [dt for _, dt in meter.keys]
    return {
        "mode": "naive" if naive else "batched",
        "frames": n,
        "applied": applied,
        "dropped": n - applied,
        "model_frames": state.frames,
        "invalid": state.invalid,
        "unpainted": applied - meter.resolved,
        "events_per_s": round(applied / max(1e-9, last - first)),
        "seconds": round(wall, 2),
        "latency_ms": ms_stats(lat),
        "latency_from_due_ms": ms_stats(sched),
        "refresh_ms": ms_stats(meter.refreshes),
        "paint_ms": ms_stats(meter.paints),
        "cpu_cores": round((marks["cpu1"] - marks["cpu0"]) / max(1e-9, wall), 3),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "keys_ms": [[key, round(dt * 1000, 1)] for key, dt in meter.keys],
        "key_ms": {
            "p50": round(pct(keys, 0.5) * 1000, 1),
            "max": round(max(keys, default=0.0) * 1000, 1),
            "count": len(keys),
        },
    }


def part_idle(opts: argparse.Namespace) -> dict[str, Any]:
    """A full board, connected, and then nothing: what does the wallboard cost at rest?"""
    from wallboard.model.state import WallboardState

    meter = Meter(0)
    app_cls = _instrument(meter)
    now = time.time()
    events = max(200, opts.agents * 4)
    gen = StreamGenerator(
        agents=opts.agents, queues=opts.queues, seed=opts.seed, start=now - events / 2000.0
    )
    frames = [f for _, f in gen.frames(events)]
    state = WallboardState(clock=time.time)
    result: dict[str, Any] = {}

    async def feed(app: Any) -> None:
        st = app.state
        st.source.kind = "live"
        st.source.status = "connected"
        for f in frames:
            st.apply_frame(f)
        st.source.last_frame_at = time.time()
        st.source_changed()
        await asyncio.Event().wait()  # connected; the PBX has nothing to say

    app = app_cls(state, feed=feed, watch_terminal=False)  # the default refresh timer

    async def drive() -> None:
        async with app.run_test(headless=False, size=SIZE) as pilot:
            await asyncio.sleep(1.5)  # first fill, first paints
            await pilot.pause()
            r0, p0 = len(meter.refreshes), meter.paint_count
            c0, w0 = time.process_time(), time.perf_counter()
            await asyncio.sleep(opts.idle_seconds)
            c1, w1 = time.process_time(), time.perf_counter()
            result.update(
                seconds=round(w1 - w0, 2),
                cpu_pct=round(100 * (c1 - c0) / (w1 - w0), 2),
                refreshes=len(meter.refreshes) - r0,
                paints=meter.paint_count - p0,
                refresh_ms=ms_stats(meter.refreshes[r0:]),
                agents=len(state.extensions),
            )
            app.exit(0)

    asyncio.run(drive())
    result["peak_rss_mb"] = round(peak_rss_mb(), 1)
    return result


# ------------------------------------------------------------ orchestration
def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["TEXTUAL_DRIVER"] = DRIVER
    env["COLUMNS"], env["LINES"] = str(SIZE[0]), str(SIZE[1])
    env.pop("TEXTUAL", None)  # no devtools
    return env


def _part(name: str, opts: argparse.Namespace, **extra: Any) -> dict[str, Any]:
    argv = [sys.executable, "-m", "wallboard.bench.ui", name]
    for key in ("agents", "queues", "rate", "seconds", "seed", "idle_seconds"):
        argv += [f"--{key.replace('_', '-')}", str(extra.get(key, getattr(opts, key)))]
    res = subprocess.run(argv, env=_env(), stdin=subprocess.DEVNULL, capture_output=True, text=True)
    lines = res.stdout.strip().splitlines()
    if res.returncode != 0 or not lines:
        raise RuntimeError(f"bench part {name} failed ({res.returncode}): {res.stderr[-2000:]}")
    return json.loads(lines[-1])


def _tui(milestone: str, command: list[str]) -> tuple[float, float]:
    """(seconds to the milestone, seconds to exit) of a fresh TUI process."""
    argv = [sys.executable, "-m", "wallboard.bench.tui", milestone, *command]
    t0 = time.time()
    p0 = time.perf_counter()
    # stdin stays an open pipe: a closed one would look like a hung-up terminal.
    proc = subprocess.Popen(
        argv, env=_env(), stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    assert proc.stderr is not None and proc.stdin is not None
    err = proc.stderr.read().decode(errors="replace")
    rc = proc.wait()
    total = time.perf_counter() - p0
    proc.stdin.close()
    stamp = [ln for ln in err.splitlines() if ln.startswith(f"wallboard-bench {milestone} ")]
    if rc != 0 or not stamp:
        raise RuntimeError(f"{' '.join(command)} did not reach {milestone}: {err[-2000:]}")
    return float(stamp[-1].split()[-1]) - t0, total


def _process(argv: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "wallboard", *argv],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        check=True,
    )
    return time.perf_counter() - t0


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 2) if b else None


def run_bench_ui(args: argparse.Namespace) -> int:
    opts = argparse.Namespace(
        agents=args.agents,
        queues=args.queues,
        rate=args.rate,
        seconds=args.seconds,
        seed=args.seed,
        idle_seconds=getattr(args, "idle_seconds", None) or 10.0,
    )
    replay_events = getattr(args, "replay_events", None) or 200_000
    say = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731

    say(
        f"storm: {opts.agents} agents, {opts.queues} queues, {opts.rate:g}/s for {opts.seconds:g} s"
    )
    storm = _part("storm", opts)
    naive = None
    if not args.no_baseline:
        say("naive baseline: the same storm, a refresh after every event")
        naive = _part("naive", opts)
    say(f"idle: {opts.idle_seconds:g} s")
    idle = _part("idle", opts)

    tmp = tempfile.mkdtemp(prefix="wallboard-bench-ui-")
    try:
        tiny = os.path.join(tmp, "tiny.jsonl")
        write_recording(tiny, StreamGenerator(agents=20, queues=2, seed=opts.seed).frames(40))
        say("start-up: first paint of `wallboard replay tiny.jsonl`, median of 3")
        starts = sorted(_tui("first-paint", ["replay", tiny])[0] for _ in range(3))
        big = os.path.join(tmp, "replay.jsonl")
        gen = StreamGenerator(agents=opts.agents, queues=opts.queues, seed=opts.seed)
        write_recording(big, gen.frames(replay_events))
        say(f"replay: {replay_events} events, snapshot --replay vs TUI --speed 0, best of 2")
        snap = min(_process(["snapshot", "--replay", big]) for _ in range(2))
        tui = min(_tui("replay-finished", ["replay", big, "--speed", "0"])[1] for _ in range(2))
    finally:
        for f in Path(tmp).iterdir():
            f.unlink()
        os.rmdir(tmp)

    key_max = storm["key_ms"]["max"]
    result: dict[str, Any] = {
        "benchmark": "ui",
        "agents": opts.agents,
        "queues": opts.queues,
        "rate": opts.rate,
        "seconds": opts.seconds,
        "size": list(SIZE),
        "storm": storm,
        "baseline": naive,
        "baseline_ratios": None
        if naive is None
        else {
            "latency_p99": _ratio(naive["latency_ms"]["p99"], storm["latency_ms"]["p99"]),
            # The naive run falls behind: its frames wait before they are applied.
            "latency_from_due_p99": _ratio(
                naive["latency_from_due_ms"]["p99"], storm["latency_from_due_ms"]["p99"]
            ),
            "dropped": [storm["dropped"], naive["dropped"]],
            "refresh_p99": _ratio(naive["refresh_ms"]["p99"], storm["refresh_ms"]["p99"]),
            "cpu": _ratio(naive["cpu_cores"], storm["cpu_cores"]),
            "peak_rss": _ratio(naive["peak_rss_mb"], storm["peak_rss_mb"]),
            "events_per_s": _ratio(storm["events_per_s"], naive["events_per_s"]),
            "key_max": _ratio(naive["key_ms"]["max"], key_max),
        },
        "idle": idle,
        "startup_s": round(starts[len(starts) // 2], 3),
        "replay": {
            "events": replay_events,
            "snapshot_s": round(snap, 3),
            "tui_s": round(tui, 3),
            "ratio": _ratio(tui, snap),
        },
        "targets": TARGETS,
    }
    checks = {
        "no_drops": storm["dropped"] == 0 and storm["model_frames"] == storm["frames"],
        "latency_p99": storm["latency_ms"]["p99"] <= TARGETS["latency_p99_ms"],
        "refresh_p99": storm["refresh_ms"]["p99"] <= TARGETS["refresh_p99_ms"],
        "cpu": storm["cpu_cores"] <= TARGETS["cpu_cores"],
        "peak_rss": storm["peak_rss_mb"] <= TARGETS["peak_rss_mb"],
        "key_press": storm["key_ms"]["count"] > 0 and key_max <= TARGETS["key_ms"],
        "idle_cpu": idle["cpu_pct"] <= TARGETS["idle_cpu_pct"],
        "startup": result["startup_s"] <= TARGETS["startup_s"],
        "replay_ratio": (result["replay"]["ratio"] or 0) <= TARGETS["replay_ratio"],
    }
    result["met"] = checks
    result["meets_targets"] = all(checks.values())
    print(json.dumps(result))
    return 0


def main(argv: list[str] | None = None) -> int:
    """`python -m wallboard.bench.ui PART ...`: one part, in this process (internal)."""
    p = argparse.ArgumentParser(prog="python -m wallboard.bench.ui")
    p.add_argument("part", choices=("storm", "naive", "idle"))
    p.add_argument("--agents", type=int, default=5000)
    p.add_argument("--queues", type=int, default=50)
    p.add_argument("--rate", type=float, default=2000.0)
    p.add_argument("--seconds", type=float, default=30.0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--idle-seconds", type=float, default=10.0)
    opts = p.parse_args(argv)
    naive = opts.part == "naive"
    out = part_idle(opts) if opts.part == "idle" else part_storm(opts, naive=naive)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
