"""Runners of the TUI commands: `demo`, `connect` and `replay` — a feed plus the app.

Each builds a WallboardState and a *feed* (a coroutine factory the app runs
as its one worker): the simulator + live client, the live client alone, or
a file replay. Everything that can be wrong with the command line (an
unreadable file, a bad URL, the password prompt) is dealt with before
Textual takes the terminal, so errors are one plain line on stderr. The demo
wiring (simulator + client) sits here, above both `sim` and `ui`.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from wallboard.cli.history import Import, attach_to_app, detach, live_store_path, open_store, pumped
from wallboard.cli.options import (
    ConnectOptions,
    DemoOptions,
    ReplayOptions,
    UiOptions,
    ViewOptions,
)
from wallboard.config import load_config
from wallboard.feed.live import name_overrides
from wallboard.feed.paced import replay_feed
from wallboard.feed.replay import open_input
from wallboard.feed.secrets import warn
from wallboard.store import db_path_from_options


def _run_app(app: Any) -> int:
    app.run()
    code = app.return_code
    return 0 if code is None else int(code)


def start_options(ui: UiOptions) -> dict[str, Any]:
    """The app's start-up page, mode and theme (`--page`, `--wall`, `--theme`)."""
    if ui.theme is not None:
        from textual.theme import BUILTIN_THEMES

        if ui.theme not in BUILTIN_THEMES:
            warn(f"unknown theme {ui.theme[:40]!r}: the default theme is used")
    return {"start_page": ui.page, "start_wall": ui.wall, "start_theme": ui.theme}


# ------------------------------------------------------------------ replay
def run_replay(opts: ReplayOptions) -> int:
    path = Path(opts.file)
    open_input(path).close()  # unreadable → exit 2 now, not inside the TUI
    config = load_config(opts.ui.config)
    state = config.new_state()
    state.names.set_overrides(name_overrides(config, opts.ui.names))
    from wallboard.ui.app import WallboardApp

    speed = opts.speed
    label = f"replay {'max' if speed == 0 else f'×{speed:g}'} {path.name}"
    imp = Import(open_store(db_path_from_options(opts.store.db, False), state, config), path)
    store = imp.active
    play = replay_feed(path, speed)

    async def feed(app: Any) -> None:
        await pumped(store, play(app))
        imp.done(state, None)

    app = WallboardApp(
        state,
        feed=feed,
        feed_label=label,
        thresholds=config.thresholds,
        queue_thresholds=config.queue_thresholds,
        bell=opts.ui.bell,
        **start_options(opts.ui),
    )
    attach_to_app(store, app)
    try:
        return _run_app(app)
    finally:
        detach(store)


# -------------------------------------------------------------------- demo
def demo_feed(
    config: Any,
    *,
    on_client: Callable[[Any], None] | None = None,
    sim: Any = None,
    store: Any = None,
) -> Any:
    """The simulator on a free loopback port and the real live client over a real socket.

    `sim`: a simulator already prepared (and fast-forwarded) for `config`;
    `store`: the demo's store, pumped while the feed runs.
    """
    from wallboard.feed.client import LiveClient, LiveSettings
    from wallboard.feed.live import names_task
    from wallboard.feed.secrets import Secret
    from wallboard.sim import ADMIN_USER, DOMAIN, TENANT_NAME, Simulator

    async def feed(app: Any) -> None:
        state = app.state
        nonlocal sim
        if sim is None:
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
            names = names_task(settings, state)  # v22: the simulator's REST API
            if names is None and not state.names:
                # v12/v16 have no names on the wire: the demo stands in for a names file.
                state.names.set_overrides(sim.roster.ext_names)
                state.names_changed()
            client = LiveClient(settings, state, on_event=names.watch if names else None)
            app.on_retry = client.retry_now
            if on_client is not None:
                on_client(client)
            if names is not None:
                names.start()
            try:
                await pumped(store, client.run())
            finally:
                client.stop()
                if names is not None:
                    await names.stop()
        finally:
            await sim.stop()

    return feed


DEMO_MORNING = 3 * 3600.0  # virtual seconds of traffic already in the demo's store


def demo_morning(sim: Any, state: Any, store: Any, seconds: float) -> int:
    """Fast-forward the simulator `seconds` into `state` and its store (before the TUI).

    The board then opens on a day already under way: today's intervals, agents'
    days, abandoned callers and the trend have something to show, and the
    store holds the morning. Returns the frames applied.
    """
    from wallboard.protocol.parse import parse_object

    sim.prepare()
    start = sim.now
    state.clock_fn = lambda: sim.now
    state.source.kind = "live"
    state.source.status = "connected"  # watched: the morning has no gap
    state.source_changed()
    apply = state.apply
    frames = 0
    next_tick = start
    last_pump = time.monotonic()

    def sink(payload: dict[str, Any]) -> None:
        nonlocal frames, next_tick, last_pump
        apply(parse_object(payload))
        frames += 1
        now = sim.now
        if now >= next_tick:
            next_tick = now + 1.0
            state.tick()
            if store is not None and time.monotonic() - last_pump >= 1.0:
                last_pump = time.monotonic()
                store.pump()

    sim.fast_forward(start + seconds, sink)
    state.tick()
    if store is not None:
        store.pump()
    return frames


def run_demo(opts: DemoOptions) -> int:
    from wallboard.sim import SimConfig

    config = load_config(opts.ui.config)
    from wallboard.sim import Simulator
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
        start_epoch=time.time() - DEMO_MORNING,
    )
    label = f"demo {opts.dialect} seed {opts.seed}" + (
        f" ×{opts.speed:g}" if opts.speed != 1 else ""
    )
    state = config.new_state(clock=time.time)
    state.names.set_overrides(name_overrides(config, opts.ui.names))
    sim = Simulator(sim_config)
    with tempfile.TemporaryDirectory(prefix="wallboard-demo-") as tmp:
        store = open_store(Path(tmp) / "demo.sqlite3", state, config)  # demo: a temporary store
        print("wallboard: demo: simulating the morning so far …", file=sys.stderr, flush=True)
        demo_morning(sim, state, store, DEMO_MORNING)
        app = WallboardApp(
            state,
            feed=demo_feed(sim_config, sim=sim, store=store),
            feed_label=label,
            thresholds=config.thresholds,
            queue_thresholds=config.queue_thresholds,
            bell=opts.ui.bell,
            **start_options(opts.ui),
        )
        attach_to_app(store, app)
        try:
            return _run_app(app)
        finally:
            detach(store)


# ----------------------------------------------------------------- connect
def run_connect(opts: ConnectOptions) -> int:
    from wallboard.feed.live import live_client, live_state, names_task, settings_from_flags

    config = load_config(opts.flags.config)
    state = live_state(config)
    state.names.set_overrides(name_overrides(config, opts.ui.names))
    settings = settings_from_flags(opts.flags, config)  # may prompt: before Textual starts
    # Before Textual too: its warnings are stderr lines, a newer store exits 2.
    store = open_store(live_store_path(opts.store, settings), state, config)
    names = names_task(settings, state)
    client = live_client(
        settings, state, record=opts.record, on_event=names.watch if names else None
    )
    from wallboard.ui.app import WallboardApp

    async def feed(app: Any) -> None:
        if names is not None:
            names.start()
        try:
            await pumped(store, client.run())
        finally:
            client.stop()
            if names is not None:
                await names.stop()

    app = WallboardApp(
        state,
        feed=feed,
        thresholds=config.thresholds,
        queue_thresholds=config.queue_thresholds,
        on_retry=client.retry_now,
        bell=opts.ui.bell,
        **start_options(opts.ui),
    )
    attach_to_app(store, app)
    try:
        code = _run_app(app)
    finally:
        detach(store)
    if code == 0 and client.failure is not None and client.sessions == 0:
        # Never got in and the user gave up: say why, with the contract's status.
        raise client.failure
    return code


# -------------------------------------------------------------------- view
def view_feed(viewer: Any) -> Any:
    """The app's feed: a hub viewer, whose link the status line shows."""

    async def feed(app: Any) -> None:
        app.feed_info.link = viewer.link
        app.on_retry = viewer.retry_now
        try:
            await viewer.run()
        finally:
            viewer.stop()

    return feed


def run_view(opts: ViewOptions) -> int:
    """`wallboard view URL`: the same TUI, fed by a hub (its model, checkpoint + frames)."""
    from wallboard.cli.run_hub import client_tls
    from wallboard.feed.viewer import HubViewer, ViewerSettings, hub_urls, read_token
    from wallboard.model.state import WallboardState

    config = load_config(opts.ui.config)  # the viewer's own thresholds (colors)
    base, _ws = hub_urls(opts.url)
    token = read_token(opts.token.env, opts.token.file)
    ctx = client_tls(opts.url, opts.tls)
    viewer = HubViewer(ViewerSettings(base, token=token, ssl_context=ctx), WallboardState())
    from wallboard.ui.app import WallboardApp

    app = WallboardApp(
        viewer.state,
        feed=view_feed(viewer),
        feed_label=f"view {base}",
        thresholds=config.thresholds,
        on_retry=viewer.retry_now,
        bell=opts.ui.bell,
        **start_options(opts.ui),
    )
    code = _run_app(app)
    if code == 0 and viewer.failure is not None and viewer.sessions == 0:
        raise viewer.failure  # never got in (a rejected token: exit status 3)
    return code


__all__ = [
    "demo_feed",
    "run_connect",
    "run_demo",
    "run_replay",
    "run_view",
    "start_options",
    "view_feed",
]
