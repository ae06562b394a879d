"""`wallboard demo`, `connect` and `replay`: a feed plus the app, on one event loop.

Each command builds a WallboardState and a *feed* (a coroutine factory the app
runs as its one worker): the simulator + live client, the live client alone,
or a file replay. Everything that can be wrong with the command line (an
unreadable file, a bad URL, the password prompt) is dealt with before Textual
takes the terminal, so errors are one plain line on stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from wallboard.config import Thresholds, load_config
from wallboard.feed.replay import ReplayHeader, iter_file, open_input
from wallboard.model.state import SOURCE, WallboardState, usable_time

# With --speed 0, apply frames for this long, then let the UI breathe.
CHUNK_SECONDS = 0.02


def _thresholds(args: argparse.Namespace) -> Thresholds:
    return load_config(getattr(args, "config", None)).thresholds


def _run_app(app: Any) -> int:
    app.run()
    code = app.return_code
    return 0 if code is None else int(code)


# ------------------------------------------------------------------ replay
def replay_feed(path: str | Path, speed: float) -> Callable[[Any], Awaitable[None]]:
    """A feed that applies a recording paced by its times ÷ `speed` (0 = flat out).

    Recordings carry the receive time `t` per frame; plain JSON Lines files are
    paced by each event's own `time`. Frames without a usable time are applied
    at once. The schedule is absolute (no drift), and with speed 0 frames are
    applied in ~20 ms chunks with a yield in between so the UI stays live.
    """

    async def feed(app: Any) -> None:
        state: WallboardState = app.state
        src = state.source
        src.kind = "replay"
        src.status = "connected"
        src.since = time.time()
        state._mark(SOURCE)
        loop = asyncio.get_running_loop()
        header = ReplayHeader()
        start_t: float | None = None
        start_wall = loop.time()
        chunk_end = time.perf_counter() + CHUNK_SECONDS
        apply = state.apply
        with open_input(path) as f:
            for item in iter_file(f):
                if type(item) is ReplayHeader:
                    header = item
                    if header.dialect:
                        src.dialect = header.dialect
                    src.url = header.source
                    continue
                t, parsed = item  # type: ignore[misc]
                if speed > 0:
                    if t is None:
                        t = getattr(parsed, "time", None)
                    if usable_time(t):
                        if start_t is None:
                            start_t, start_wall = t, loop.time()
                        delay = start_wall + (t - start_t) / speed - loop.time()
                        if delay > 0:
                            await asyncio.sleep(delay)
                            chunk_end = time.perf_counter() + CHUNK_SECONDS
                apply(parsed)
                if time.perf_counter() >= chunk_end:
                    await asyncio.sleep(0)
                    chunk_end = time.perf_counter() + CHUNK_SECONDS
                if not header.dialect and state.dialect_seen and src.dialect != state.dialect_seen:
                    src.dialect = state.dialect_seen
        src.dialect = header.dialect or state.dialect_seen or src.dialect
        src.status = "finished"
        src.since = time.time()
        state._mark(SOURCE)

    return feed


def run_replay(args: argparse.Namespace) -> int:
    path = Path(args.file)
    open_input(path).close()  # unreadable → exit 2 now, not inside the TUI
    thresholds = _thresholds(args)
    from wallboard.ui.app import WallboardApp

    speed = float(args.speed)
    state = WallboardState(sla_seconds=thresholds.sla_seconds)
    label = f"replay {'max' if speed == 0 else f'×{speed:g}'} {path.name}"
    app = WallboardApp(
        state,
        feed=replay_feed(path, speed),
        feed_label=label,
        thresholds=thresholds,
        bell=bool(getattr(args, "bell", False)),
    )
    return _run_app(app)


# -------------------------------------------------------------------- demo
def demo_feed(config: Any, *, on_client: Callable[[Any], None] | None = None) -> Any:
    """The simulator on a free loopback port and the real live client over a real socket."""
    from wallboard.feed.client import LiveClient, LiveSettings
    from wallboard.feed.secrets import Secret
    from wallboard.sim import ADMIN_USER, DOMAIN, TENANT_NAME, Simulator

    async def feed(app: Any) -> None:
        state: WallboardState = app.state
        sim = Simulator(config)
        await sim.start()
        try:
            # Durations against the simulator's virtual clock (it runs at --speed).
            state.clock_fn = lambda: sim.now
            v12 = config.dialect == "v12"
            settings = LiveSettings(
                url=sim.url,
                dialect=config.dialect,
                password=Secret(config.password),
                user=TENANT_NAME if v12 else ADMIN_USER,
                domain=None if v12 else DOMAIN,
            )
            client = LiveClient(settings, state)
            app.on_retry = client.retry_now
            if on_client is not None:
                on_client(client)
            try:
                await client.run()
            finally:
                client.stop()
        finally:
            await sim.stop()

    return feed


def run_demo(args: argparse.Namespace) -> int:
    from wallboard.sim import SimConfig

    thresholds = _thresholds(args)
    from wallboard.ui.app import WallboardApp

    config = SimConfig(
        dialect=args.dialect,
        agents=args.agents,
        queues=args.queues,
        seed=args.seed,
        speed=args.speed if args.speed > 0 else 1.0,
        rate=getattr(args, "rate", None),
        host="127.0.0.1",
        port=0,
    )
    state = WallboardState(clock=time.time, sla_seconds=thresholds.sla_seconds)
    label = f"demo {args.dialect} seed {args.seed}" + (
        f" ×{args.speed:g}" if args.speed != 1 else ""
    )
    app = WallboardApp(
        state,
        feed=demo_feed(config),
        feed_label=label,
        thresholds=thresholds,
        bell=bool(getattr(args, "bell", False)),
    )
    return _run_app(app)


# ----------------------------------------------------------------- connect
def run_connect(args: argparse.Namespace) -> int:
    from wallboard.feed.live import client_from_args, live_state, settings_from_args

    config = load_config(getattr(args, "config", None))
    state = live_state(config)
    settings = settings_from_args(args, config)  # may prompt: before Textual starts
    client = client_from_args(args, state, config=config, settings=settings)
    from wallboard.ui.app import WallboardApp

    async def feed(app: Any) -> None:
        try:
            await client.run()
        finally:
            client.stop()

    app = WallboardApp(
        state,
        feed=feed,
        thresholds=config.thresholds,
        on_retry=client.retry_now,
        bell=bool(getattr(args, "bell", False)),
    )
    code = _run_app(app)
    if code == 0 and client.failure is not None and client.sessions == 0:
        # Never got in and the user gave up: say why, with the contract's status.
        raise client.failure
    return code


__all__ = ["demo_feed", "replay_feed", "run_connect", "run_demo", "run_replay"]
