"""Helpers for the hub tests: a hub on the simulator, raw and real viewers, a stepped clock.

Everything runs on real sockets on 127.0.0.1, port 0. The hub's model gets
a `StepClock` that the test moves with the simulator's virtual clock, so
"now" is the same number on the hub and (through the hub's ticks) on every
viewer, and documents can be compared with `==`.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import orjson
from websockets.asyncio.client import ClientConnection, connect

from sim_helpers import config as sim_config
from wallboard.feed.client import LiveSettings
from wallboard.feed.secrets import Secret
from wallboard.feed.viewer import HubViewer, ViewerSettings
from wallboard.hub.journal import HubState
from wallboard.hub.run import Hub
from wallboard.hub.server import HubConfig
from wallboard.hub.tokens import TokenEntry, TokenInfo, render_token_file, token_digest
from wallboard.model import WallboardState
from wallboard.model.checkpoint import checkpoint, json_default
from wallboard.sim import Simulator

TOKEN = "wbt_test-token-QZX8-distinctive"  # easy to find if it ever leaks
SCOPED = "wbt_scoped-token-QZX9-distinctive"


class StepClock:
    def __init__(self, t: float) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def write_tokens(path: Path, entries: list[tuple[str, str, list[str] | None]]) -> Path:
    """A token file in the hub's format, as `hub token add` writes it."""
    rows = [
        TokenEntry(
            TokenInfo(name, tuple(q) if q is not None else None),
            bytes.fromhex(token_digest(tok)),
            1_700_000_000.0,
        )
        for name, tok, q in entries
    ]
    path.write_text(render_token_file(rows))
    path.chmod(0o600)
    return path


def sim_settings(sim: Simulator, **kw: Any) -> LiveSettings:
    v12 = sim.config.dialect == "v12"
    base: dict[str, Any] = {
        "url": sim.url,
        "dialect": sim.config.dialect,
        "password": Secret(sim.config.password),
        "user": "demo" if v12 else "admin",
        "domain": None if v12 else "demo.local",
        "backoff_base": 0.05,
        "backoff_max": 0.3,
        "open_timeout": 2.0,
        "reply_timeout": 2.0,
        "close_timeout": 0.5,
    }
    base.update(kw)
    return LiveSettings(**base)


async def until(cond: Callable[[], bool], timeout: float = 10.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not met within {timeout:g} s")
        await asyncio.sleep(0.01)


class Rig:
    """A simulator, a hub on it (stepped clock) and helpers to drive both."""

    def __init__(self, sim: Simulator, hub: Hub, clock: StepClock) -> None:
        self.sim = sim
        self.hub = hub
        self.clock = clock
        self.state: HubState = hub.state
        self.url = hub.server.url

    def step(self, seconds: float) -> None:
        """Move the simulator (events) and the hub's clock together; the hub ticks."""
        self.sim.advance(seconds)
        self.clock.t = self.sim.now
        self.state.tick()
        self.hub.server.fanout.poke()

    async def settle(self, timeout: float = 10.0) -> None:
        """Every frame the simulator queued has reached the hub and gone out to viewers."""
        sim = self.sim
        await until(
            lambda: all(not c.out for c in sim._clients if not c.dead), timeout, "simulator drained"
        )
        await asyncio.sleep(0.05)
        self.state.tick()
        self.hub.server.fanout.flush()
        self.hub.server.fanout.flush_scoped()


@contextlib.asynccontextmanager
async def hub_rig(
    dialect: str = "v16",
    *,
    tokens: Any = None,
    sim_kw: dict[str, Any] | None = None,
    **hub_kw: Any,
) -> AsyncIterator[Rig]:
    sim = Simulator(sim_config(dialect, **(sim_kw or {})))
    await sim.start()
    clock = StepClock(sim.now)
    state = HubState(clock)
    cfg = HubConfig(
        port=0,
        tokens=tokens,
        flush_interval=0.005,
        scoped_interval=0.01,
        **hub_kw,
    )
    hub = Hub(sim_settings(sim), state, cfg, timezone="UTC")
    await hub.start()
    try:
        await until(lambda: state.source.status == "connected", what="hub connected")
        yield Rig(sim, hub, clock)
    finally:
        await hub.stop()
        await sim.stop()


@contextlib.asynccontextmanager
async def viewer(url: str, token: str | None = None, **kw: Any) -> AsyncIterator[HubViewer]:
    """A real viewer (the feed of `wallboard view`) running in a task."""
    settings = ViewerSettings(
        url, token=Secret(token) if token else None, backoff_base=0.05, backoff_max=0.3, **kw
    )
    v = HubViewer(settings, WallboardState())
    task = asyncio.create_task(v.run())
    try:
        yield v
    finally:
        v.stop()
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await asyncio.wait_for(task, 5)


async def raw_feed(url: str, token: str | None = None, **kw: Any) -> ClientConnection:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    ws_url = url.replace("http", "ws", 1) + "/feed"
    return await connect(ws_url, additional_headers=headers, compression=None, **kw)


def hidden_parts(state: WallboardState) -> Any:
    """What the document does not show but a model needs to go on counting the same."""
    cp = orjson.loads(orjson.dumps(checkpoint(state), default=json_default))
    live = cp["live"]
    for k in ("clock", "recent", "source"):
        live.pop(k, None)
    return cp


async def http_get(url: str, token: str | None = None) -> tuple[int, dict[str, str], bytes]:
    """A plain HTTP/1.1 GET on a fresh connection (what curl does)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    head = f"GET {parts.path or '/'} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
    if token is not None:
        head += f"Authorization: Bearer {token}\r\n"
    writer.write((head + "Connection: close\r\n\r\n").encode())
    await writer.drain()
    raw = await reader.read()
    writer.close()
    with contextlib.suppress(Exception):
        await writer.wait_closed()
    header, _, body = raw.partition(b"\r\n\r\n")
    lines = header.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    return status, headers, body
