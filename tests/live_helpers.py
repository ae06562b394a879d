"""Scripted PBX servers for the live-feed tests: real sockets on 127.0.0.1, port 0.

`ScriptedPBX(behaviour)` runs `await behaviour(conn)` for every connection;
`conn` answers auth and subscribes the way a dialect does and records what
the client sent. `SilentPBX` completes the WebSocket handshake by hand and
then never answers anything, not even pings. `make_cert` creates a
self-signed certificate with the `openssl` command line tool.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import json
import shutil
import ssl
import struct
import subprocess
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Self

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from wallboard.feed.client import LiveSettings
from wallboard.feed.secrets import Secret

PASSWORD = "s3cret-Pa55-ZQX"  # distinctive, so a leak is easy to find

V12_AUTH_ERROR = "name or password error"
V16_AUTH_ERROR = "access_token , username , domain or password error"


def reply(dialect: str, command: str, error: str | None = None, cid: str = "1") -> str:
    """A command reply the way each dialect writes it (v12: no `command`, no `id`)."""
    if dialect == "v12":
        body: dict[str, Any] = {"status": 0} if error is None else {"error": error, "status": -1}
    else:
        body = {"command": command, "id": cid, "status": 0 if error is None else -1}
        if error is not None:
            body["error"] = error
    return json.dumps(body)


class Conn:
    """One client connection as the script sees it."""

    def __init__(self, ws: ServerConnection, pbx: ScriptedPBX, index: int) -> None:
        self.ws = ws
        self.pbx = pbx
        self.index = index
        self.dialect = pbx.dialect
        self.received: list[dict[str, Any]] = []
        self.subscribed = asyncio.Event()
        self._replier: asyncio.Task[None] | None = None
        self._n = 0

    async def recv_command(self) -> dict[str, Any]:
        raw = await self.ws.recv()
        cmd = json.loads(raw)
        self.received.append(cmd)
        self.pbx.commands.append(cmd)
        return cmd

    async def auth(self) -> bool:
        """Answer the auth command: ok when the password matches; then reply to subscribes."""
        cmd = await self.recv_command()
        assert cmd.get("command") == "auth", cmd
        self.pbx.auth_attempts += 1
        ok = cmd.get("password") == self.pbx.password
        error = None
        if not ok:
            error = V12_AUTH_ERROR if self.dialect == "v12" else V16_AUTH_ERROR
        await self.send(reply(self.dialect, "auth", error, self._next_id()))
        if ok:
            self._replier = asyncio.create_task(self._reply_forever())
        return ok

    def _next_id(self) -> str:
        self._n += 1
        return str(self._n)

    async def _reply_forever(self) -> None:
        with contextlib.suppress(ConnectionClosed, asyncio.CancelledError):
            while True:
                cmd = await self.recv_command()
                topics = cmd.get("topics") or []
                names = [t["topic"] if isinstance(t, dict) else t for t in topics]
                refused = [n for n in names if n in self.pbx.refuse_topics]
                error = f"no permission for {refused[0]}" if refused else None
                await self.send(reply(self.dialect, cmd.get("command", ""), error, self._next_id()))
                if cmd.get("command") == "subscribe":
                    self.subscribed.set()

    async def wait_subscribed(self, timeout: float = 5.0) -> bool:
        """True once a subscribe arrived; False if the client went away first."""
        sub = asyncio.ensure_future(self.subscribed.wait())
        closed = asyncio.ensure_future(self.ws.wait_closed())
        try:
            await asyncio.wait({sub, closed}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            sub.cancel()
            closed.cancel()
        return self.subscribed.is_set()

    async def send(self, frame: str | bytes) -> None:
        await self.ws.send(frame)

    async def send_all(self, frames: list[str | bytes]) -> None:
        for f in frames:
            await self.ws.send(f)

    async def hold(self) -> None:
        """Keep the connection open until the client goes away."""
        with contextlib.suppress(ConnectionClosed):
            await self.ws.wait_closed()

    async def close(self, code: int = 1001, reason: str = "going away") -> None:
        await self.ws.close(code, reason)


Behaviour = Callable[[Conn], Awaitable[None]]


def raise_behaviour_errors(errors: list[Exception], exc_type: object) -> None:
    """A scripted server's own failure fails the test (unless the test failed already)."""
    if errors and exc_type is None:
        raise AssertionError(f"the scripted PBX failed: {errors[0]!r}") from errors[0]


class ScriptedPBX:
    """A websockets server on 127.0.0.1:0 that runs a scripted behaviour per connection."""

    def __init__(
        self,
        behaviour: Behaviour,
        *,
        dialect: str = "v16",
        password: str = PASSWORD,
        ssl_context: ssl.SSLContext | None = None,
        path: str = "",
        refuse_topics: tuple[str, ...] = (),
    ) -> None:
        self.behaviour = behaviour
        self.dialect = dialect
        self.password = password
        self.ssl_context = ssl_context
        self.path = path
        self.refuse_topics = refuse_topics
        self.server: Server | None = None
        self.connections = 0
        self.auth_attempts = 0
        self.commands: list[dict[str, Any]] = []
        self.conns: list[Conn] = []
        self.errors: list[Exception] = []  # what a behaviour raised (a failed assert in it)
        self._port = 0

    async def _handler(self, ws: ServerConnection) -> None:
        conn = Conn(ws, self, self.connections)
        self.connections += 1
        self.conns.append(conn)
        try:
            await self.behaviour(conn)
        except ConnectionClosed:
            pass
        except Exception as exc:
            # The server library would only log it: kept, and raised when the test ends.
            self.errors.append(exc)
            raise
        finally:
            if conn._replier is not None:
                conn._replier.cancel()

    async def __aenter__(self) -> ScriptedPBX:
        self.server = await serve(
            self._handler,
            "127.0.0.1",
            0,
            ssl=self.ssl_context,
            max_size=None,
            compression=None,
        )
        self._port = self.server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, exc_type: object, *exc: object) -> None:
        assert self.server is not None
        self.server.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.server.wait_closed(), 5)
        raise_behaviour_errors(self.errors, exc_type)

    @property
    def port(self) -> int:
        return self._port

    @property
    def url(self) -> str:
        scheme = "wss" if self.ssl_context else "ws"
        return f"{scheme}://127.0.0.1:{self.port}{self.path}"

    def commands_named(self, command: str) -> list[dict[str, Any]]:
        return [c for c in self.commands if c.get("command") == command]


# ---------------------------------------------------------------- silent server
_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def _text_frame(text: str) -> bytes:
    data = text.encode()
    n = len(data)
    if n < 126:
        return bytes([0x81, n]) + data
    return bytes([0x81, 126]) + struct.pack("!H", n) + data


def client_settings(url: str, dialect: str = "v16", **kw: Any) -> LiveSettings:
    """Demo-tenant credentials for `url`, plus whatever timing a test needs."""
    base: dict[str, Any] = {
        "url": url,
        "dialect": dialect,
        "password": Secret(PASSWORD),
        "user": "demo" if dialect == "v12" else "admin",
        "domain": None if dialect == "v12" else "demo.local",
    }
    base.update(kw)
    return LiveSettings(**base)


class RawTcpServer:
    """A plain TCP server on 127.0.0.1:0 for PBXs that misbehave below WebSocket.

    Subclasses implement `_handle`; this owns start, stop and the address.
    """

    def __init__(self) -> None:
        self.connections = 0
        self.server: asyncio.Server | None = None
        self.errors: list[Exception] = []  # what a handler raised (asyncio would only log it)
        self._writers: list[asyncio.StreamWriter] = []

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        return self

    async def __aexit__(self, exc_type: object, *exc: object) -> None:
        assert self.server is not None
        self.server.close()
        for w in self._writers:
            w.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.server.wait_closed(), 5)
        raise_behaviour_errors(self.errors, exc_type)

    @property
    def port(self) -> int:
        assert self.server is not None
        return int(self.server.sockets[0].getsockname()[1])

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"


class SilentPBX(RawTcpServer):
    """Completes the handshake, answers auth OK (optional), then never says anything again.

    Not even a pong: this is a PBX behind a dead NAT mapping or a frozen
    process, which only keep-alive pings can detect.
    """

    def __init__(self, *, answer_auth: bool = True) -> None:
        super().__init__()
        self.answer_auth = answer_auth

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._writers.append(writer)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            key = ""
            for line in head.decode("latin-1").split("\r\n"):
                name, _, value = line.partition(":")
                if name.strip().lower() == "sec-websocket-key":
                    key = value.strip()
            accept = base64.b64encode(hashlib.sha1((key + _GUID).encode()).digest()).decode()
            writer.write(
                (
                    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                    f"Connection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"
                ).encode()
            )
            await writer.drain()
            if self.answer_auth:
                await reader.read(1)  # the client's first frame (auth) has started to arrive
                writer.write(_text_frame(reply("v16", "auth")))
                await writer.drain()
            while await reader.read(65536):
                pass  # swallow everything: pings, commands, the close frame
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        except Exception as exc:
            self.errors.append(exc)
        finally:
            writer.close()


# -------------------------------------------------------------------------- TLS
def have_openssl() -> bool:
    return shutil.which("openssl") is not None


def make_cert(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1/localhost (the cert is its own CA)."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
        ],
        check=True,
        capture_output=True,
        timeout=30,
    )
    return cert, key


def server_ssl(cert: Path, key: Path) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    return ctx


# ---------------------------------------------------------------- fixed traffic
T0 = 1_700_000_000


def traffic(dialect: str) -> list[str]:
    """A fixed sequence of PBX frames with explicit times (so replay and live agree)."""
    d = json.dumps
    if dialect == "v12":
        reg = [
            d(
                {
                    "event_type": "extension_register",
                    "extension": f"sip:{n}@demo.local",
                    "registration_contacts": [
                        {"contact_uri": f"<sip:{n}@10.0.0.{n}:5060>", "expires": 4_000_000_000}
                    ],
                    "tenant_id": "1",
                    "time": str(T0 + i),
                }
            )
            for i, n in enumerate(("101", "102", "103"))
        ]

        def call(kind: str, sid: str, t: int, **extra: Any) -> str:
            body = {
                "event_type": kind,
                "session_id": sid,
                "caller": "sip:101@demo.local",
                "callee": "sip:102@demo.local",
                "direction": "ext",
                "tenant_id": "1",
                "time": str(t),
            }
            body.update(extra)
            return d(body)

        return [
            *reg,
            call("call_start", "5001", T0 + 10),
            call("call_established", "5001", T0 + 12, call_target="sip:102@demo.local"),
            call("call_start", "5002", T0 + 20),
            call("call_hold", "5001", T0 + 21, aor="sip:101@demo.local"),
            call("call_start", "5003", T0 + 22),
            call("call_noanswer", "5003", T0 + 40),
            d({"event_type": "trunk_connected", "trunk_name": "carrier-a", "time": str(T0 + 5)}),
            d({"event_type": "brand_new_event", "time": str(T0 + 41)}),
            "this is not JSON",
        ]
    queue = {
        "event_type": "queue_status",
        "tenant_id": "1",
        "queue_id": "900",
        "queue_number": "8001",
        "queue_name": "Sales",
        "waiting_list": [
            {
                "position": "1",
                "session_id": "7001",
                "caller_number": "5551234",
                "caller_name": "Ada",
                "timestamp": str(T0 + 30),
                "type": "normal",
            }
        ],
        "agents": [
            {"state": "READY", "agent_extension_number": "101", "timestamp": str(T0 + 1)},
            {"state": "NOT_READY", "agent_extension_number": "102", "timestamp": str(T0 + 2)},
        ],
    }
    ext = {
        "event_type": "extension_status",
        "status": [
            {
                "extension": f"sip:{n}@demo.local",
                "call_status": "",
                "online": True,
                "presence": "AVAILABLE",
                "time": str(T0),
            }
            for n in ("101", "102")
        ],
        "tenant_id": "1",
    }
    return [
        d(ext),
        d(queue),
        d(
            {
                "event_type": "call_start",
                "session_id": "6001",
                "caller": "sip:101@demo.local",
                "callee": "sip:102@demo.local",
                "direction": "internal",
                "tenant_id": "1",
                "time": str(T0 + 35),
            }
        ),
        d(
            {
                "event_type": "queue_caller_status",
                "queue_id": "900",
                "tenant_id": "1",
                "updated_callers": [
                    {
                        "session_id": "7002",
                        "caller_number": "5559876",
                        "caller_name": "Bob",
                        "reason": "enqueue",
                        "type": "normal",
                        "timestamp": str(T0 + 36),
                    }
                ],
                "time": str(T0 + 36),
            }
        ),
        d({"event_type": "brand_new_event", "time": str(T0 + 41)}),
        "[1, 2, 3]",
    ]


async def serve_traffic(conn: Conn) -> None:
    """The common behaviour: auth, the fixed traffic after the first subscribe, then hold."""
    if not await conn.auth():
        return
    if not await conn.wait_subscribed():
        return
    await conn.send_all(list(traffic(conn.dialect)))
    await conn.hold()
