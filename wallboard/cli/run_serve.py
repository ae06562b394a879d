"""Runner of `wallboard serve`: options to a server, and the demo's simulator and hub beside it.

Every browser tab runs `wallboard view HUB_URL` (`serve/child.py`), so any
number of TVs costs the PBX one login:

* `--hub URL`: the hub is `wallboard hub` somewhere else; serve's own token
  (`--token-env` / `--token-file`) is for tabs whose browser brought none.
* `--demo`: serve starts the simulator and a `Hub` on it (the tenant admin's
  login with the demo's password), both on loopback port 0, in its own
  process and event loop (`DemoHub`), and the tabs view that hub exactly as
  they would a remote one. N tabs are one simulator login. The hub checks
  the same `--tokens` file as serve, so a browser's scoped token shows a
  scoped board end to end: the tab passes the browser's token on (in its
  environment) and the hub scopes.

The demo wiring sits here, above `sim`, `hub` and `serve`, which know
nothing of each other. Every usage error (listen address, token file, a
token variable that is not set) is found before anything listens; stopping
serve stops its tabs first, then the hub, then the simulator.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from typing import Any

from wallboard.cli.options import ServeOptions
from wallboard.cli.run_hub import parse_listen
from wallboard.cli.run_tui import DEMO_MORNING, demo_morning
from wallboard.config import Config, load_config
from wallboard.errors import UsageError
from wallboard.feed.client import LiveSettings
from wallboard.feed.live import install_signals, remove_signals
from wallboard.feed.secrets import Secret
from wallboard.feed.viewer import hub_urls, read_token
from wallboard.hub.journal import hub_state
from wallboard.hub.run import Hub
from wallboard.hub.server import HubConfig
from wallboard.serve.child import HubTarget
from wallboard.serve.run import serve, setup_logging
from wallboard.serve.server import ServeConfig, is_loopback
from wallboard.serve.tokens import TokenFile
from wallboard.sim import ADMIN_USER, DOMAIN, TENANT_NAME, SimConfig, Simulator

DEFAULT_LISTEN = "127.0.0.1:8000"


def serve_config(opts: ServeOptions) -> ServeConfig:
    """How browsers are served; a UsageError for anything the command line got wrong."""
    host, port = parse_listen(opts.listen or DEFAULT_LISTEN, example="0.0.0.0:8000")
    tokens = TokenFile(opts.tokens) if opts.tokens else None
    if tokens is None and not is_loopback(host):
        raise UsageError(
            f"--listen {host}:{port} is not a loopback address: browsers there need a token; "
            "give --tokens FILE (the hub's token file)"
        )
    if opts.max_tabs < 1:
        raise UsageError("--max-tabs must be at least 1")
    return ServeConfig(
        host=host,
        port=port,
        tokens=tokens,
        max_tabs=opts.max_tabs,
        bell=opts.bell,
        # The variable serve's own token came from is never a tab's (WALLBOARD_TOKEN never is).
        secret_vars=frozenset({opts.token.env} if opts.token.env else ()),
    )


def hub_target(opts: ServeOptions) -> HubTarget:
    """`--hub URL` and serve's own token for it (`--token-file`, else `--token-env`)."""
    if opts.hub is None:
        raise UsageError("wallboard serve needs --hub URL or --demo")
    base, _feed = hub_urls(opts.hub)
    return HubTarget(base, read_token(opts.token.env, opts.token.file))


# -------------------------------------------------------------------- demo
def demo_sim_config(morning: float = DEMO_MORNING) -> SimConfig:
    """`wallboard demo`'s simulator (v12, 40 agents, 4 queues, seed 1) on loopback port 0."""
    return SimConfig(
        dialect="v12",
        agents=40,
        queues=4,
        seed=1,
        host="127.0.0.1",
        port=0,
        start_epoch=time.time() - morning if morning > 0 else None,
    )


class DemoHub:
    """The demo's PBX and hub in serve's own event loop: one simulator login for every tab.

    Like `wallboard demo`, the day is already under way (`morning` virtual
    seconds of traffic fast-forwarded into the hub's model before it
    listens), and the hub's clock is the simulator's, so frame times and
    "now" agree. The hub listens on loopback only; `tokens` (serve's token
    file) is its token file too, so it scopes each tab by its browser's token.
    """

    def __init__(
        self,
        config: Config,
        tokens: TokenFile | None = None,
        *,
        sim_config: SimConfig | None = None,
        morning: float = DEMO_MORNING,
        on_status: Any = None,
    ) -> None:
        self.config = config
        self.tokens = tokens
        self.morning = morning
        self.sim = Simulator(sim_config or demo_sim_config(morning))
        self.on_status = on_status
        self.hub: Hub | None = None
        self.url = ""

    def _settings(self) -> LiveSettings:
        """The tenant admin's login (v12: the tenant's name) with the demo's password."""
        cfg = self.sim.config
        v12 = cfg.dialect == "v12"
        return LiveSettings(
            url=self.sim.url,
            dialect=cfg.dialect,
            password=Secret(cfg.password),
            user=TENANT_NAME if v12 else ADMIN_USER,
            domain=None if v12 else DOMAIN,
        )

    async def start(self) -> str:
        """The simulator, then the hub on it; returns the hub's URL."""
        sim = self.sim
        sim.prepare()
        state = hub_state(self.config, clock=lambda: sim.now)
        if sim.config.dialect != "v22" and not state.names:
            # v12/v16 carry no names: the demo stands in for a names file (as `wallboard demo`).
            state.names.set_overrides(sim.roster.ext_names)
            state.names_changed()
        if self.morning > 0:
            hub_clock = state.clock_fn
            demo_morning(sim, state, None, self.morning)
            # demo_morning points the clock at the simulator; the hub's clock (which
            # freezes while it applies an item) already reads the simulator's.
            state.clock_fn = hub_clock
        await sim.start()
        try:
            hub = Hub(
                self._settings(),
                state,
                HubConfig(host="127.0.0.1", port=0, tokens=self.tokens),
                timezone=self.config.timezone,
                on_status=self.on_status,
            )
            self.url = await hub.start()
        except BaseException:
            await sim.stop()
            raise
        self.hub = hub
        return self.url

    async def stop(self) -> None:
        if self.hub is not None:
            await self.hub.stop()
            self.hub = None
        await self.sim.stop()


def _demo_logging() -> None:
    """The hub's own lines (viewers joining) repeat serve's screen lines: only its warnings."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("wallboard serve: demo hub: %(message)s"))
    logger = logging.getLogger("wallboard.hub")
    logger.handlers[:] = [handler]
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    logging.getLogger("websockets").setLevel(logging.ERROR)


def _demo_status(text: str) -> None:
    print(f"wallboard serve: demo hub: {text}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------ runner
async def _serve(config: ServeConfig, target: HubTarget | None) -> int:
    """Serve `target`, or (None) the demo's own hub, until SIGINT/SIGTERM."""
    stop = asyncio.Event()
    installed = install_signals(stop.set)  # before the demo starts: a SIGTERM then still counts
    try:
        if target is not None:
            return await serve(config, target, stop)
        _demo_logging()
        print("wallboard serve: demo: simulating the morning so far …", file=sys.stderr, flush=True)
        demo = DemoHub(load_config(None), config.tokens, on_status=_demo_status)
        try:
            url = await demo.start()
            print(
                f"wallboard serve: demo: the simulator at {demo.sim.url}, its hub at {url} "
                "(one login for every screen)",
                file=sys.stderr,
                flush=True,
            )
            return await serve(config, HubTarget(url), stop)
        finally:
            await demo.stop()
    finally:
        remove_signals(installed)


def run_serve(opts: ServeOptions) -> int:
    config = serve_config(opts)
    target: HubTarget | None = None
    if opts.demo:
        if opts.token.env or opts.token.file:
            raise UsageError(
                "--token-env/--token-file are serve's token for --hub; "
                "the --demo hub checks the browsers' own tokens (--tokens FILE)"
            )
    else:
        target = hub_target(opts)  # a bad URL or an unset token variable: exit 2 now
    setup_logging()
    return asyncio.run(_serve(config, target))


__all__ = [
    "DEFAULT_LISTEN",
    "DemoHub",
    "demo_sim_config",
    "hub_target",
    "run_serve",
    "serve_config",
]
