"""Runners of the TUI commands: `demo`, `connect` and `replay` — a feed plus the app.

Each builds a WallboardState and a *feed* (a coroutine factory the app runs
as its one worker): the simulator + live client, the live client alone, or
a file replay. Everything that can be wrong with the command line (an
unreadable file, a bad URL, the password prompt) is dealt with before
Textual takes the terminal, so errors are one plain line on stderr. The demo
wiring (simulator + client) sits here, above both `sim` and `ui`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from wallboard.cli.options import ConnectOptions, DemoOptions, ReplayOptions
from wallboard.config import load_config
from wallboard.feed.paced import replay_feed
from wallboard.feed.replay import open_input


def _run_app(app: Any) -> int:
    app.run()
    code = app.return_code
    return 0 if code is None else int(code)


# ------------------------------------------------------------------ replay
def run_replay(opts: ReplayOptions) -> int:
    path = Path(opts.file)
    open_input(path).close()  # unreadable → exit 2 now, not inside the TUI
    config = load_config(opts.ui.config)
    from wallboard.ui.app import WallboardApp

    speed = opts.speed
    label = f"replay {'max' if speed == 0 else f'×{speed:g}'} {path.name}"
    app = WallboardApp(
        config.new_state(),
        feed=replay_feed(path, speed),
        feed_label=label,
        thresholds=config.thresholds,
        queue_thresholds=config.queue_thresholds,
        bell=opts.ui.bell,
    )
    return _run_app(app)


# -------------------------------------------------------------------- demo
def demo_feed(config: Any, *, on_client: Callable[[Any], None] | None = None) -> Any:
    """The simulator on a free loopback port and the real live client over a real socket."""
    from wallboard.feed.client import LiveClient, LiveSettings
    from wallboard.feed.secrets import Secret
    from wallboard.sim import ADMIN_USER, DOMAIN, TENANT_NAME, Simulator

    async def feed(app: Any) -> None:
        state = app.state
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


def run_demo(opts: DemoOptions) -> int:
    from wallboard.sim import SimConfig

    config = load_config(opts.ui.config)
    from wallboard.ui.app import WallboardApp

    sim_config = SimConfig(
        dialect=opts.dialect,
        agents=opts.agents,
        queues=opts.queues,
        seed=opts.seed,
        speed=opts.speed if opts.speed > 0 else 1.0,
        rate=opts.rate,
        host="127.0.0.1",
        port=0,
    )
    label = f"demo {opts.dialect} seed {opts.seed}" + (
        f" ×{opts.speed:g}" if opts.speed != 1 else ""
    )
    app = WallboardApp(
        config.new_state(clock=time.time),
        feed=demo_feed(sim_config),
        feed_label=label,
        thresholds=config.thresholds,
        queue_thresholds=config.queue_thresholds,
        bell=opts.ui.bell,
    )
    return _run_app(app)


# ----------------------------------------------------------------- connect
def run_connect(opts: ConnectOptions) -> int:
    from wallboard.feed.live import live_client, live_state, settings_from_flags

    config = load_config(opts.flags.config)
    state = live_state(config)
    settings = settings_from_flags(opts.flags, config)  # may prompt: before Textual starts
    client = live_client(settings, state, record=opts.record)
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
        queue_thresholds=config.queue_thresholds,
        on_retry=client.retry_now,
        bell=opts.ui.bell,
    )
    code = _run_app(app)
    if code == 0 and client.failure is not None and client.sessions == 0:
        # Never got in and the user gave up: say why, with the contract's status.
        raise client.failure
    return code


__all__ = [
    "demo_feed",
    "run_connect",
    "run_demo",
    "run_replay",
]
