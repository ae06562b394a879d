"""`wallboard bench ui`: the real app under a contact-center event storm.

Every part runs in a fresh Python process, so CPU time and peak RSS (VmHWM:
`ru_maxrss` would carry the parent's pages over fork/exec) belong to that
part alone. The app is the real `WallboardApp` with its real refresh timer
(5 Hz), at 200×60, on a driver that renders every paint to terminal escape
sequences and discards them (`driver.py`; Textual's headless driver would
skip that work).

Parts:

- **storm**: a PBX process of its own (`pbx.py`) streams StreamGenerator
  frames for `--agents` / `--queues` over a loopback WebSocket, pictures first
  (the reconnect storm: every extension and queue at once), then calls,
  queue callers and agent state changes, at `--rate`. The app takes them the
  live way: the real `LiveClient` receives, parses, applies and calls its
  change callback. Frame *i* is **due** at ``t0 + i / rate`` on the
  system-wide monotonic clock, before it is sent.
  *Latency* of a frame: from when it was due to the end of the first screen
  paint after which the rows it changed that are in view are painted with
  its data: a refresh pass covering the frame has left no visible table
  anything to catch up, and every visible table's lines in view show its
  rows' current cells (`VirtualTable.painted_current`). A frame not painted
  by the end counts as infinitely late. *Refresh*: one `refresh_now` pass.
  *Paint*: one Textual screen update (layout, compositor, escape sequences).
  *Key press*: every 2.5 s a page key (2, 3, 4, 5, 1, …) is sent like
  terminal input (`Pilot.press`); it is *answered* at the first paint after
  which the new page shows current rows (a complete refresh pass covering
  every frame received before the key, its tables painted current).
  Frames still unreceived 2 s after the last was due are *dropped*.
  For the record, the same run also reports the figures as this benchmark
  measured them before (``*_old_method``): latency from the moment the app
  had applied a frame to the first paint after the refresh pass that took
  it; a key from the key to the first paint after the page switched.
- **baseline**: the same storm, the same app, but every table a Textual
  DataTable updated as the app did before `VirtualTable` (`dtpanels.py`).
- **idle**: the board holds `--agents` / `--queues` (pictures plus traffic),
  connected, then no events for `--idle-seconds`: CPU per wall second, paints
  and terminal bytes per second.
- **startup**: a fresh `python -m wallboard.bench.tui first-paint replay
  tiny.jsonl` (the CLI's replay path; see `tui.py`): from spawning the
  process to the first painted screen. Median of three.
- **replay**: `--replay-events` generated events written as a recording;
  whole-process time of `wallboard snapshot --replay FILE` against the TUI
  `wallboard replay FILE --speed 0` until the screen shows "replay finished"
  (`tui.py replay-finished`). Best of two each.

Every target is printed with its figure on stderr; the last line of stdout is
one JSON object with every figure, the targets, and which are met.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wallboard.bench.child import child_argv, child_options, child_role
from wallboard.bench.stream import StreamGenerator, write_recording

DRIVER = "wallboard.bench.driver:NullTerminalDriver"
SIZE = (200, 60)
GRACE = 2.0  # seconds past the schedule before unreceived frames count as dropped
KEY_EVERY = 2.5
KEYS = ("2", "3", "4", "5", "1")

# (key in the result, target, aim, what); lower is better for all.
TARGETS: dict[str, float] = {
    "dropped": 0,
    "latency_p99_ms": 250.0,
    "refresh_p99_ms": 50.0,
    "key_max_ms": 100.0,
    "cpu_cores": 0.5,
    "idle_cpu_pct": 2.0,
    "peak_rss_mb": 250.0,
    "startup_s": 1.0,
    "replay_ratio": 2.0,
}
AIMS: dict[str, float] = {"latency_p99_ms": 100.0, "cpu_cores": 0.3, "idle_cpu_pct": 0.5}
PARTS = ("storm", "datatable", "idle")


@dataclass(frozen=True, slots=True)
class UiBenchOptions:
    agents: int = 5000
    queues: int = 50
    rate: float = 2000.0  # events per second in the storm
    seconds: float = 30.0  # of storm
    seed: int = 1
    idle_seconds: float = 10.0
    replay_events: int = 200_000
    baseline: bool = True  # also the storm on DataTables


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


def _ms(v: float) -> float:
    return round(v * 1000, 1) if math.isfinite(v) else math.inf


def ms_stats(values: list[float]) -> dict[str, float]:
    return {
        "p50": _ms(pct(values, 0.50)),
        "p99": _ms(pct(values, 0.99)),
        "max": _ms(max(values, default=0.0)),
        "count": len(values),
    }


class Meter:
    """Frame, refresh, paint and key timings of one storm run (monotonic clock)."""

    def __init__(self, n: int, rate: float) -> None:
        self.n, self.rate = n, rate
        self.t0 = math.inf  # when frame 0 was due
        self.applied_at = array("d", bytes(8 * n))
        self.latency = array("d", [math.inf]) * n  # due -> painted (honest)
        self.latency_old = array("d", [math.inf]) * n  # applied -> first paint after its pass
        self.applied = 0  # frames applied so far (a prefix: they arrive in order)
        self.resolved = 0
        self.resolved_old = 0
        self.passes: list[tuple[int, bool]] = []  # (covered, complete) waiting for a paint
        self.old_pending: list[int] = []
        self.repaint_requested = False
        self.refreshes: list[float] = []
        self.paints: list[float] = []
        self.paint_count = 0
        self.tables: Any = lambda: []  # the visible tables, to check what they painted
        # Keys: (key, sent, frames received when sent); switched / answered flags.
        self.key: tuple[str, float, int] | None = None
        self.key_switched = False
        self.key_current = False  # a complete pass since the switch covered the key's frames
        self.key_old_done = False
        self.keys: list[tuple[str, float]] = []
        self.keys_old: list[tuple[str, float]] = []

    def _resolve(self, upto: int, t: float) -> None:
        lat, t0, rate = self.latency, self.t0, self.rate
        for i in range(self.resolved, upto):
            lat[i] = t - (t0 + i / rate)
        self.resolved = max(self.resolved, upto)

    def _resolve_old(self, upto: int, t: float) -> None:
        at, lat = self.applied_at, self.latency_old
        for i in range(self.resolved_old, upto):
            lat[i] = t - at[i]
        self.resolved_old = max(self.resolved_old, upto)

    def refreshed(self, covered: int, complete: bool, t: float) -> None:
        """After a refresh pass that took every frame below `covered`."""
        if self.key is not None and self.key_switched and complete and covered >= self.key[2]:
            self.key_current = True
        if self.repaint_requested or self.passes or self.old_pending:
            self.passes.append((covered, complete))
            self.old_pending.append(covered)
            return
        # Nothing on screen to change: its frames are shown as they are.
        self._resolve_old(covered, t)
        if complete:
            self._resolve(covered, t)
        else:
            self.passes.append((covered, complete))

    def painted(self, t: float) -> None:
        self.paint_count += 1
        for covered in self.old_pending:
            self._resolve_old(covered, t)
        self.old_pending.clear()
        current = None
        if self.passes or self.key_current:
            current = all(table_current(tb) for tb in self.tables())
        if self.passes and current:
            done = [c for c, complete in self.passes if complete]
            if done:
                self._resolve(max(done), t)
                last = max(i for i, (_, complete) in enumerate(self.passes) if complete)
                del self.passes[: last + 1]
        if self.key is not None:
            key, sent, _ = self.key
            if self.key_switched and not self.key_old_done:
                self.key_old_done = True
                self.keys_old.append((key, t - sent))
            if self.key_current and current:
                self.keys.append((key, t - sent))
                self.key = None


def table_current(table: Any) -> bool:
    """Whether a visible table's lines in view show its current rows (and it owes
    nothing to the model). A DataTable repaints whole when touched: its pass decides."""
    check = getattr(table, "painted_current", None)
    pending = getattr(table, "has_pending", None)
    if pending is not None and pending():
        return False
    return True if check is None else bool(check())


def _instrument(meter: Meter) -> type:
    """A WallboardApp that reports to `meter`, plus process-wide hooks on Textual.

    `Widget.refresh` notes that a paint is coming; each compositor refresh of
    the top screen is a paint; each screen update that painted is timed.
    """
    from textual.widget import Widget

    from wallboard.ui.app import WallboardApp
    from wallboard.ui.textual_private import hook_screen_updates

    mono = time.monotonic
    widget_refresh = Widget.refresh

    def refresh(self: Any, *regions: Any, **kw: Any) -> Any:
        meter.repaint_requested = True
        return widget_refresh(self, *regions, **kw)

    Widget.refresh = refresh  # type: ignore[method-assign]

    def after_paint(screen: Any) -> None:
        if screen is screen.app.screen:
            meter.painted(mono())

    def around_update(_screen: Any, run: Any) -> None:
        before, t0 = meter.paint_count, time.perf_counter()
        run()
        if meter.paint_count != before:
            meter.paints.append(time.perf_counter() - t0)

    hook_screen_updates(after_paint, around_update)

    class BenchApp(WallboardApp):
        def refresh_now(self, tick: bool = False) -> float:
            covered = meter.applied
            meter.repaint_requested = False
            dt = super().refresh_now(tick)
            meter.refreshes.append(dt)
            visible = [p for p in self._panels if self._visible(p)]
            complete = not any(table_owes(p) for p in visible)
            meter.refreshed(covered, complete, mono())
            return dt

        def action_page(self, n: int) -> None:
            if meter.key is not None:
                meter.key_switched = True
            super().action_page(n)

        def visible_tables(self) -> list[Any]:
            from wallboard.ui.vtable import VirtualTable

            out = []
            for p in self._panels:
                if self._visible(p) and (isinstance(p, VirtualTable) or hasattr(p, "spec")):
                    out.append(p)
            return out

    return BenchApp


def table_owes(panel: Any) -> bool:
    """A panel that kept changes for later (a slice, a deferred catch-up)."""
    owes = getattr(panel, "has_pending", None)
    return bool(owes()) if owes is not None else False


# ------------------------------------------------------------------- parts
def _pbx(opts: UiBenchOptions) -> tuple[subprocess.Popen[str], int]:
    from wallboard.bench.pbx import PbxOptions  # websockets: not for the parent

    pbx = PbxOptions(opts.agents, opts.queues, opts.rate, opts.seconds, opts.seed)
    argv = child_argv("wallboard.bench.pbx", pbx)
    proc = subprocess.Popen(
        argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=dict(os.environ)
    )
    assert proc.stdout is not None
    line = proc.stdout.readline().split()
    if len(line) != 2 or line[0] != "port":
        proc.kill()
        raise RuntimeError(f"the benchmark PBX did not start: {line}")
    return proc, int(line[1])


def part_storm(opts: UiBenchOptions, mode: str) -> dict[str, Any]:
    from wallboard.feed.client import LiveClient, LiveSettings
    from wallboard.feed.secrets import Secret
    from wallboard.model.state import WallboardState

    n = max(1, int(opts.rate * opts.seconds))
    meter = Meter(n, opts.rate)
    if mode == "datatable":
        _use_datatables()
    app_cls = _instrument(meter)
    state = WallboardState()
    mono = time.monotonic
    marks: dict[str, float] = {}
    pbx, port = _pbx(opts)
    settings = LiveSettings(
        url=f"ws://127.0.0.1:{port}",
        dialect="v16",
        password=Secret("bench"),
        user="bench",
        domain="bench.local",
        max_queue=4096,
    )
    replies = 1 + len(settings.subscriptions())
    counts = {"received": 0, "frame": -1}

    def on_frame(_text: str, _t: float) -> None:
        counts["received"] += 1
        counts["frame"] = counts["received"] - replies - 1

    def on_change() -> None:
        i = counts["frame"]
        if 0 <= i < n:
            meter.applied_at[i] = mono()
            meter.applied = i + 1
            counts["frame"] = -1

    async def feed(app: Any) -> None:
        client = LiveClient(settings, app.state, on_change=on_change, on_frame=on_frame)
        task = asyncio.create_task(client.run())
        await client.subscribed.wait()
        t0 = mono() + 0.3
        meter.t0 = marks["t0"] = t0
        assert pbx.stdin is not None
        pbx.stdin.write(f"go {t0:.6f}\n")
        pbx.stdin.flush()
        try:
            await task
        finally:
            client.stop()

    app = app_cls(state, feed=feed, watch_terminal=False)  # the default refresh timer
    meter.tables = app.visible_tables

    async def drive() -> None:
        async with app.run_test(headless=False, size=SIZE) as pilot:
            k = 0
            give_up = mono() + 30.0 + 3 * opts.seconds
            while "t0" not in marks:
                await asyncio.sleep(0.01)
                if mono() > give_up or not app.is_running:
                    raise RuntimeError("the feed never started")
            t0 = marks["t0"]
            await asyncio.sleep(max(0.0, t0 - mono()))
            marks["cpu0"], marks["w0"] = time.process_time(), mono()
            deadline = t0 + n / opts.rate + GRACE
            next_key = t0 + 0.5
            while meter.applied < n and mono() < deadline:
                if not app.is_running:
                    raise RuntimeError("the app stopped during the storm")
                if mono() >= next_key and mono() < t0 + n / opts.rate:
                    key = KEYS[k % len(KEYS)]
                    k += 1
                    if meter.key is not None:  # the last one was never answered
                        meter.keys.append((meter.key[0], math.inf))
                        if not meter.key_old_done:
                            meter.keys_old.append((meter.key[0], math.inf))
                    meter.key = (key, mono(), meter.applied)
                    meter.key_switched = meter.key_current = meter.key_old_done = False
                    await pilot.press(key)
                    next_key += KEY_EVERY
                await asyncio.sleep(0.02)
            marks["cpu1"], marks["w1"] = time.process_time(), mono()
            await asyncio.sleep(0.6)  # the last refresh pass and its paint
            app.refresh_now(tick=True)
            await pilot.pause()
            await asyncio.sleep(0.2)
            if meter.key is not None:
                meter.keys.append((meter.key[0], math.inf))
            app.exit(0)

    try:
        asyncio.run(drive())
    finally:
        if pbx.stdin is not None:
            pbx.stdin.close()
        pbx.wait(timeout=10)
    applied = meter.applied
    wall = marks["w1"] - marks["w0"]
    keys = [dt for _, dt in meter.keys]
    keys_old = [dt for _, dt in meter.keys_old]
    last = meter.applied_at[applied - 1] if applied else marks["w1"]
    return {
        "mode": mode,
        "frames": n,
        "applied": applied,
        "dropped": n - applied,
        "model_frames": state.frames - state.replies,
        "replies": state.replies,
        "invalid": state.invalid,
        "unpainted": n - meter.resolved,
        "events_per_s": round(applied / max(1e-9, last - marks["t0"])),
        "seconds": round(wall, 2),
        "latency_ms": ms_stats(list(meter.latency)),
        "latency_old_method_ms": ms_stats(list(meter.latency_old[:applied])),
        # p99 per second of the schedule: the reconnect storm (every picture at
        # once) is the first second; the rest is steady traffic.
        "latency_p99_by_second_ms": [
            _ms(pct(list(meter.latency[i : i + int(opts.rate)]), 0.99))
            for i in range(0, n, max(1, int(opts.rate)))
        ],
        "refresh_ms": ms_stats(meter.refreshes),
        "paint_ms": ms_stats(meter.paints),
        "cpu_cores": round((marks["cpu1"] - marks["cpu0"]) / max(1e-9, wall), 3),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "keys_ms": [[key, _ms(dt)] for key, dt in meter.keys],
        "key_ms": {"p50": _ms(pct(keys, 0.5)), "max": _ms(max(keys, default=0.0))},
        "key_old_method_ms": {
            "p50": _ms(pct(keys_old, 0.5)),
            "max": _ms(max(keys_old, default=0.0)),
        },
        "key_count": len(keys),
    }


def _use_datatables() -> None:
    """The baseline: the app composes DataTable versions of its tables."""
    from wallboard.bench.dtpanels import datatable_factory
    from wallboard.ui import app as app_module
    from wallboard.ui.rowspanel import RowsPanel

    for name in dir(app_module):
        cls = getattr(app_module, name)
        if isinstance(cls, type) and issubclass(cls, RowsPanel) and cls is not RowsPanel:
            setattr(app_module, name, datatable_factory(cls))


def part_idle(opts: UiBenchOptions) -> dict[str, Any]:
    """A full board, connected, and then nothing: what does the wallboard cost at rest?"""
    from wallboard.bench.driver import NullTerminalDriver
    from wallboard.model.state import WallboardState

    meter = Meter(0, 1.0)
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
            # At rest: after the collector's one sweep once the model went quiet
            # (gcpolicy.py; ~0.1 s once, then never while nothing changes).
            settle = time.perf_counter() + 8.0
            while app.gc_policy.sweeps < 1 and time.perf_counter() < settle:
                await asyncio.sleep(0.2)
            await pilot.pause()
            r0, p0 = len(meter.refreshes), meter.paint_count
            u0 = len(meter.paints)
            b0 = NullTerminalDriver.bytes_written
            c0, w0 = time.process_time(), time.perf_counter()
            await asyncio.sleep(opts.idle_seconds)
            c1, w1 = time.process_time(), time.perf_counter()
            seconds = w1 - w0
            result.update(
                seconds=round(seconds, 2),
                cpu_pct=round(100 * (c1 - c0) / seconds, 2),
                refreshes=len(meter.refreshes) - r0,
                paints_per_s=round((meter.paint_count - p0) / seconds, 2),
                bytes_per_s=round((NullTerminalDriver.bytes_written - b0) / seconds),
                refresh_ms=ms_stats(meter.refreshes[r0:]),
                paint_ms=ms_stats(meter.paints[u0:]),
                agents=len(state.extensions),
                waiting=sum(state.waiting_now(q) for q in state.queues.values()),
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


def _part(name: str, opts: UiBenchOptions) -> dict[str, Any]:
    argv = child_argv("wallboard.bench.ui", opts, name)
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


def _report(rows: list[tuple[str, str, str, str, bool | None]]) -> None:
    """Every target with its figure, on stderr."""
    say = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    say(f"{'':44} {'target':>10} {'aim':>8} {'measured':>22}  met")
    for what, target, aim, figure, met in rows:
        mark = "" if met is None else ("yes" if met else "MISSED")
        say(f"{what:44} {target:>10} {aim:>8} {figure:>22}  {mark}")


def run_bench_ui(opts: UiBenchOptions) -> int:
    replay_events = opts.replay_events
    say = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731

    say(
        f"storm: {opts.agents} agents, {opts.queues} queues, {opts.rate:g}/s for "
        f"{opts.seconds:g} s, over a loopback socket"
    )
    storm = _part("storm", opts)
    base = None
    if opts.baseline:
        say("baseline: the same storm, every table a DataTable as before VirtualTable")
        base = _part("datatable", opts)
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

    result: dict[str, Any] = {
        "benchmark": "ui",
        "agents": opts.agents,
        "queues": opts.queues,
        "rate": opts.rate,
        "seconds": opts.seconds,
        "size": list(SIZE),
        "storm": storm,
        "baseline": base,
        "idle": idle,
        "startup_s": round(starts[len(starts) // 2], 3),
        "replay": {
            "events": replay_events,
            "snapshot_s": round(snap, 3),
            "tui_s": round(tui, 3),
            "ratio": _ratio(tui, snap),
        },
        "targets": TARGETS,
        "aims": AIMS,
    }
    figures = {
        "dropped": storm["dropped"],
        "latency_p99_ms": storm["latency_ms"]["p99"],
        "refresh_p99_ms": storm["refresh_ms"]["p99"],
        "key_max_ms": storm["key_ms"]["max"] if storm["key_count"] else math.inf,
        "cpu_cores": storm["cpu_cores"],
        "idle_cpu_pct": idle["cpu_pct"],
        "peak_rss_mb": storm["peak_rss_mb"],
        "startup_s": result["startup_s"],
        "replay_ratio": result["replay"]["ratio"] if result["replay"]["ratio"] else math.inf,
    }
    checks = {key: figures[key] <= TARGETS[key] for key in TARGETS}
    checks["dropped"] = checks["dropped"] and storm["model_frames"] == storm["frames"]
    result["figures"] = figures
    result["met"] = checks
    result["aims_met"] = {key: figures[key] <= AIMS[key] for key in AIMS}
    result["meets_targets"] = all(checks.values())
    labels = {
        "dropped": "events dropped",
        "latency_p99_ms": "due -> rows painted, p99 (ms)",
        "refresh_p99_ms": "refresh pass, p99 (ms)",
        "key_max_ms": "page key answered, max (ms)",
        "cpu_cores": "CPU during the storm (cores)",
        "idle_cpu_pct": "idle, full board (% of a core)",
        "peak_rss_mb": "peak RSS (MB)",
        "startup_s": "start-up to first paint (s)",
        "replay_ratio": "TUI replay --speed 0 / snapshot --replay",
    }
    rows: list[tuple[str, str, str, str, bool | None]] = []
    for key, label in labels.items():
        aim = AIMS.get(key)
        rows.append(
            (
                label,
                f"{TARGETS[key]:g}",
                "" if aim is None else f"{aim:g}",
                f"{figures[key]:g}",
                checks[key],
            )
        )
    if base is not None:
        rows.append(
            (
                "baseline (DataTable): due -> painted p99 (ms)",
                "",
                "",
                f"{base['latency_ms']['p99']:g}",
                None,
            )
        )
        rows.append(
            (
                "baseline (DataTable): refresh p99 (ms)",
                "",
                "",
                f"{base['refresh_ms']['p99']:g}",
                None,
            )
        )
        rows.append(
            ("baseline (DataTable): key max (ms)", "", "", f"{base['key_ms']['max']:g}", None)
        )
        rows.append(("baseline (DataTable): CPU (cores)", "", "", f"{base['cpu_cores']:g}", None))
    rows.append(
        (
            "old method: applied -> first paint p99 (ms)",
            "",
            "",
            f"{storm['latency_old_method_ms']['p99']:g}",
            None,
        )
    )
    rows.append(
        (
            "old method: key -> first paint, max (ms)",
            "",
            "",
            f"{storm['key_old_method_ms']['max']:g}",
            None,
        )
    )
    _report(rows)
    print(json.dumps(result))
    return 0


def main(argv: list[str] | None = None) -> int:
    """`python -m wallboard.bench.ui PART JSON`: one part, in a process of its own (internal)."""
    part, rest = child_role(sys.argv[1:] if argv is None else argv, PARTS)
    opts = child_options(UiBenchOptions, rest)
    if part == "idle":
        out = part_idle(opts)
    else:
        out = part_storm(opts, "datatable" if part == "datatable" else "vtable")
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
