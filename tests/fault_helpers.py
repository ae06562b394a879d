"""Helpers for the fault-injection tests (issue 7): a byte-level PBX, the app on a live client.

`RawPBX` speaks just enough WebSocket by hand to do what a well-behaved
server library never does: stop in the middle of a frame and drop the TCP
connection, or accept TCP and never finish the opening handshake.
`live_app()` wires a real `LiveClient` into a headless `WallboardApp` the
way `wallboard connect` does, so tests can assert on what the screen says.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import struct
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from live_helpers import RawTcpServer, client_settings
from ui_helpers import bare_app
from wallboard.feed.client import LiveClient, LiveSettings
from wallboard.model import WallboardState
from wallboard.ui.app import WallboardApp

_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def text_frame(text: str) -> bytes:
    """One unmasked server→client text frame."""
    data = text.encode()
    n = len(data)
    if n < 126:
        return bytes([0x81, n]) + data
    if n < 65536:
        return bytes([0x81, 126]) + struct.pack("!H", n) + data
    return bytes([0x81, 127]) + struct.pack("!Q", n) + data


class RawConn:
    """One accepted TCP connection, after (or without) the opening handshake."""

    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, index: int
    ) -> None:
        self.reader = reader
        self.writer = writer
        self.index = index

    async def handshake(self) -> None:
        head = await self.reader.readuntil(b"\r\n\r\n")
        key = ""
        for line in head.decode("latin-1").split("\r\n"):
            name, _, value = line.partition(":")
            if name.strip().lower() == "sec-websocket-key":
                key = value.strip()
        accept = base64.b64encode(hashlib.sha1((key + _GUID).encode()).digest()).decode()
        self.writer.write(
            (
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"
            ).encode()
        )
        await self.writer.drain()

    async def answer_auth(self) -> None:
        """Wait for the client's first frame (auth) to start arriving, then say OK (v16)."""
        await self.reader.read(1)
        await self.send('{"command": "auth", "id": "1", "status": 0}')
        await asyncio.sleep(0.1)  # the subscribes arrive; nobody needs their replies

    async def send(self, text: str) -> None:
        self.writer.write(text_frame(text))
        await self.writer.drain()

    async def send_partial(self, text: str, keep: int) -> None:
        """The frame header and only the first `keep` bytes of its payload."""
        self.writer.write(text_frame(text)[: 4 + keep])
        await self.writer.drain()

    def abort(self) -> None:
        """Drop the TCP connection at once: no close frame, no FIN handshake (RST)."""
        self.writer.transport.abort()

    async def swallow(self) -> None:
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            while await self.reader.read(65536):
                pass


RawBehaviour = Callable[[RawConn], Awaitable[None]]


class RawPBX(RawTcpServer):
    """A TCP server on 127.0.0.1:0 running `behaviour(conn)` per connection."""

    def __init__(self, behaviour: RawBehaviour) -> None:
        super().__init__()
        self.behaviour = behaviour

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        conn = RawConn(reader, writer, self.connections)
        self.connections += 1
        self._writers.append(writer)
        try:
            await self.behaviour(conn)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        except Exception as exc:  # a failed assert in the behaviour fails the test at exit
            self.errors.append(exc)
        finally:
            writer.close()


def fast_settings(url: str, dialect: str = "v16", **kw: Any) -> LiveSettings:
    """Short timeouts and backoff so each fault shows within a second or two."""
    timing: dict[str, Any] = {
        "backoff_base": 0.2,
        "backoff_max": 1.0,
        "open_timeout": 1.0,
        "reply_timeout": 1.0,
        "close_timeout": 0.3,
    }
    return client_settings(url, dialect, **(timing | kw))


def screen_text(app: WallboardApp) -> str:
    """What the terminal shows now, one line per row (the compositor's strips)."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def status_text(app: WallboardApp) -> str:
    return str(app.screen.query_one("#status").render())


def alert_text(app: WallboardApp) -> str:
    return "\n".join(app.screen.query_one("#alerts").lines)  # type: ignore[attr-defined]


async def until(
    app: WallboardApp, cond: Callable[[], bool], timeout: float = 5.0, what: str = ""
) -> None:
    """Refresh the app until `cond()` holds; fail with what the screen said on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        app.refresh_now(tick=True)
        if cond():
            return
        if time.monotonic() > deadline:
            raise AssertionError(
                f"not in time: {what}\nstatus: {status_text(app)}\nalerts: {alert_text(app)}\n"
                f"source: {app.state.source}"
            )
        await asyncio.sleep(0.02)


@contextlib.asynccontextmanager
async def live_app(
    settings: LiveSettings, size: tuple[int, int] = (120, 40)
) -> AsyncIterator[tuple[WallboardApp, LiveClient, Any]]:
    """The TUI on a real LiveClient (as `wallboard connect` wires it), headless."""
    state = WallboardState(clock=time.time)
    client = LiveClient(settings, state)

    async def feed(_app: object) -> None:
        try:
            await client.run()
        finally:
            client.stop()

    app = bare_app(state, feed=feed, wall_clock=time.time, on_retry=client.retry_now)
    async with app.run_test(size=size) as pilot:
        try:
            yield app, client, pilot
        finally:
            client.stop()
            await pilot.pause()
