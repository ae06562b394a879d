"""Helpers for the simulator tests: a raw websockets client and a stepped clock."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

from wallboard.protocol.commands import V12_KEYS, build_subscribe
from wallboard.sim import SimConfig, Simulator

EXAMPLES = Path(__file__).parent / "fixtures" / "examples"
EPOCH = 1_700_000_000.0

AUTH = {
    "v12": {
        "tenant": {"command": "auth", "name": "demo", "password": "demo"},
        "ext": {"command": "auth", "extension": "101", "domain": "demo.local", "password": "demo"},
    },
    "v16": {
        "tenant": {
            "command": "auth",
            "username": "admin",
            "domain": "demo.local",
            "password": "demo",
        },
        "ext": {
            "command": "auth",
            "extension_number": "101",
            "domain": "demo.local",
            "password": "demo",
        },
    },
}
AUTH["v22"] = dict(AUTH["v16"])
AUTH["v22"]["sysadmin"] = {"command": "auth", "username": "sysadmin", "password": "demo"}

# Every documented v12 topic with every key: the client's own subscribe command.
V12_ALL = build_subscribe("v12", list(V12_KEYS))["topics"]
ALL_TOPICS: dict[str, list[Any]] = {
    "v12": V12_ALL,
    "v16": ["extension_events", "cdr_events", "queue_events"],
    "v22": [
        "extension_events",
        "cdr_events",
        "queue_events",
        "extension_management_events",
        "queue_management_events",
    ],
}


def config(dialect: str = "v16", **kw: Any) -> SimConfig:
    """A stepped (no real-time clock), deterministic simulator on a free port."""
    base: dict[str, Any] = {
        "dialect": dialect,
        "agents": 40,
        "queues": 4,
        "seed": 7,
        "port": 0,
        "start_epoch": EPOCH,
        "autorun": False,
    }
    base.update(kw)
    return SimConfig(**base)


class Peer:
    """A raw WSI client that records every frame it receives."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.frames: list[str] = []
        self._new = asyncio.Event()
        self.closed = asyncio.Event()
        self._task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        try:
            async for frame in self.ws:
                assert isinstance(frame, str)
                self.frames.append(frame)
                self._new.set()
        except Exception:
            pass
        finally:
            self.closed.set()
            self._new.set()

    @property
    def messages(self) -> list[dict[str, Any]]:
        return [json.loads(f) for f in self.frames]

    def events(self) -> list[dict[str, Any]]:
        return [m for m in self.messages if "event_type" in m]

    async def send(self, obj: Any) -> None:
        await self.ws.send(obj if isinstance(obj, str | bytes) else json.dumps(obj))

    async def command(self, obj: Any, timeout: float = 3.0) -> dict[str, Any]:
        """Send and return the next command reply (a frame with status, no event_type)."""
        start = len(self.frames)
        await self.send(obj)
        seen = start
        async with asyncio.timeout(timeout):
            while True:
                for frame in self.frames[seen:]:
                    msg = json.loads(frame)
                    if "status" in msg and "event_type" not in msg:
                        return msg
                seen = len(self.frames)
                if self.closed.is_set():
                    raise ConnectionError("closed while waiting for a reply")
                self._new.clear()
                await self._new.wait()

    async def close(self) -> None:
        await self.ws.close()
        await self._task


async def open_peer(sim: Simulator, who: str | None = "tenant", **kw: Any) -> Peer:
    ws = await connect(sim.url, compression=None, **kw)
    peer = Peer(ws)
    if who is not None:
        reply = await peer.command(AUTH[sim.config.dialect][who])
        assert reply["status"] == 0, reply
    return peer


async def settle(sim: Simulator, peers: list[Peer], *, timeout: float = 10.0) -> None:
    """Wait until every frame the simulator queued has reached `peers`.

    Exact as long as `peers` are all the simulator's (live) clients.
    """
    async with asyncio.timeout(timeout):
        while True:
            live = [c for c in sim._clients if not c.dead]
            queued = sum(len(c.out) for c in live)
            sent = sum(c.sent for c in live)
            got = sum(len(p.frames) for p in peers)
            if not queued and got >= sent:
                return
            await asyncio.sleep(0.005)


async def run(sim: Simulator, peers: list[Peer], seconds: float, step: float = 10.0) -> None:
    """Advance the virtual clock in steps, letting the sockets drain in between."""
    done = 0.0
    while done < seconds:
        sim.advance(min(step, seconds - done))
        done += step
        await settle(sim, peers)
