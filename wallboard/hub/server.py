"""The hub's one port: `/state`, `/metrics`, `/healthz` and the viewer feed `/feed`.

Stack: the `websockets` server, the library the PBX side and the simulator
already use. Its `process_request` answers plain GET requests before any
upgrade (its documented way to serve health checks), so the HTTP endpoints
and the feed share one port and one event loop with the PBX connection,
and `broadcast()` writes one batch to a hundred sockets without waiting for
any of them. Every endpoint is a GET without a body, which is exactly what
its HTTP parser serves; aiohttp (serve's stack) would add a second HTTP
implementation and a second event model for nothing the hub needs.

Auth: `Authorization: Bearer TOKEN` on any request, or (feed only) an
`{"type": "auth", "token": ...}` first message within `auth_timeout`.
Never a token in the URL. A wrong token gets 401 (HTTP) or close 4401
(feed) with the same words whatever was wrong. Without a token file the
hub serves everything on a loopback address and nothing but `/healthz`
elsewhere.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import http
import ipaddress
import logging
import socket
import ssl
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from wallboard.feed.hubwire import (
    CLOSE_AUTH_TIMEOUT,
    CLOSE_POLICY,
    CLOSE_UNAUTHORIZED,
    FEED_PATH,
)
from wallboard.hub.fanout import Fanout, Viewer
from wallboard.hub.journal import HubState
from wallboard.hub.metrics import render_metrics
from wallboard.hub.tokens import TokenFile, TokenInfo, digest_of
from wallboard.model.document import state_document
from wallboard.model.scope import Scope, scoped_model
from wallboard.model.state import WallboardState

log = logging.getLogger("wallboard.hub")
MiB = 1024 * 1024
UNAUTHORIZED_TEXT = "401 Unauthorized: a valid token is needed (Authorization: Bearer TOKEN)\n"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(slots=True)
class HubConfig:
    host: str = "127.0.0.1"
    port: int = 8890
    ssl_context: ssl.SSLContext | None = None
    tokens: TokenFile | None = None
    max_viewers: int = 200
    auth_timeout: float = 10.0
    flush_interval: float = 0.02
    scoped_interval: float = 0.1
    # Bytes a viewer may be behind (beyond its checkpoint) before it is closed with 1013:
    # several seconds of a busy PBX; a wall that far behind is better off starting afresh.
    max_viewer_buffer: int = 4 * MiB
    socket_buffer: int = 512 * 1024  # the kernel's send buffer per viewer
    max_incoming: int = 64 * 1024  # a viewer only ever sends one small auth message
    token_check: float = 0.5  # seconds between looks at the token file
    ping_interval: float | None = 20.0
    ping_timeout: float | None = 20.0

    @property
    def open_access(self) -> bool:
        """No token file on loopback: everything to anyone who can reach 127.0.0.1."""
        return self.tokens is None and is_loopback(self.host)


@dataclass(frozen=True, slots=True)
class Access:
    """Who a request is: a token's entry (or open access) and its digest."""

    info: TokenInfo | None
    digest: bytes | None

    @property
    def scope(self) -> Scope | None:
        if self.info is None or self.info.queues is None:
            return None
        return Scope.of(self.info.queues)


def _bearer(headers: Headers) -> str | None:
    value = headers.get("Authorization")
    if not value:
        return None
    scheme, _, token = value.strip().partition(" ")
    if not hmac.compare_digest(scheme.lower().encode(), b"bearer"):
        return None
    return token.strip() or None


def _bound_send_buffer(ws: ServerConnection, size: int) -> None:
    """A fixed kernel send buffer per viewer, so "behind" is measured where we can see it.

    With autotuning the kernel would hold megabytes of a viewer that stopped
    reading before its queue (the transport's buffer, bounded) even grew.
    """
    sock = ws.transport.get_extra_info("socket") if ws.transport is not None else None
    if sock is not None and size > 0:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, size)


def _response(status: http.HTTPStatus, body: bytes, content_type: str) -> Response:
    headers = Headers()
    headers["Content-Type"] = content_type
    headers["Content-Length"] = str(len(body))
    headers["Cache-Control"] = "no-store"
    headers["X-Content-Type-Options"] = "nosniff"
    return Response(status.value, status.phrase, headers, body)


def _text(status: http.HTTPStatus, text: str) -> Response:
    return _response(status, text.encode(), "text/plain; charset=utf-8")


class HubServer:
    """Serves `state` to viewers and HTTP clients; `start()` returns the URL."""

    def __init__(
        self,
        state: HubState,
        config: HubConfig,
        *,
        settings: dict[str, Any],
        extra_metrics: Callable[[], dict[str, float]] | None = None,
    ) -> None:
        self.state = state
        self.config = config
        self.fanout = Fanout(
            state,
            settings=settings,
            flush_interval=config.flush_interval,
            scoped_interval=config.scoped_interval,
            max_buffer=config.max_viewer_buffer,
        )
        self.extra_metrics = extra_metrics
        self._server: Server | None = None
        self._waiting = 0  # feed connections waiting for their auth message
        self._number = 0
        # Access decided from a request's header, for the handler of that connection.
        self._access: weakref.WeakKeyDictionary[ServerConnection, Access] = (
            weakref.WeakKeyDictionary()
        )
        self._watch: asyncio.Task[None] | None = None
        self.url = ""
        self.rejected = 0

    # ---------------------------------------------------------- lifecycle
    async def start(self) -> str:
        cfg = self.config
        self._server = await serve(
            self._handler,
            cfg.host,
            cfg.port,
            ssl=cfg.ssl_context,
            process_request=self._process_request,
            compression=None,  # per viewer deflate would cost a core; LAN bandwidth does not
            max_size=cfg.max_incoming,
            max_queue=4,
            ping_interval=cfg.ping_interval,
            ping_timeout=cfg.ping_timeout,
            close_timeout=2,
            open_timeout=10,
            server_header="wallboard-hub",
        )
        sock = next(iter(self._server.sockets))
        port = sock.getsockname()[1]
        host = cfg.host if ":" not in cfg.host else f"[{cfg.host}]"
        self.url = f"{'https' if cfg.ssl_context else 'http'}://{host}:{port}"
        if cfg.tokens is not None:
            self._watch = asyncio.create_task(self._watch_tokens())
        return self.url

    async def stop(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch
        self.fanout.cancel()
        if self._server is not None:
            self._server.close()  # 1001 going away to every viewer
            await self._server.wait_closed()
            self._server = None

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    # --------------------------------------------------------------- auth
    def access(self, token: str | None) -> Access | None:
        """The access a presented token gives, or None (401)."""
        cfg = self.config
        if cfg.tokens is None:
            return Access(None, None) if cfg.open_access else None
        digest = digest_of(token)
        if digest is None:
            return None
        cfg.tokens.refresh()
        info = cfg.tokens.lookup(digest)
        return None if info is None else Access(info, digest)

    async def _watch_tokens(self) -> None:
        """A revoked token's open viewers are closed within `token_check` seconds."""
        tokens = self.config.tokens
        assert tokens is not None
        while True:
            await asyncio.sleep(self.config.token_check)
            if tokens.refresh():

                def still_valid(v: Viewer) -> bool:
                    assert v.digest is not None
                    info = tokens.lookup(v.digest)
                    return info is not None and info == v.info

                self.fanout.revoke(still_valid)

    # ---------------------------------------------------------------- HTTP
    def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        path, _, _query = request.path.partition("?")
        path = path.rstrip("/") or "/"
        if path == "/healthz":
            connected = self.state.source.status == "connected"
            if connected:
                return _text(http.HTTPStatus.OK, "ok: connected to the PBX\n")
            return _text(http.HTTPStatus.SERVICE_UNAVAILABLE, "not connected to the PBX\n")
        if path not in ("/state", "/metrics", FEED_PATH, "/"):
            return _text(
                http.HTTPStatus.NOT_FOUND, "404 Not Found: /state /metrics /healthz /feed\n"
            )
        if path == "/":
            return _text(http.HTTPStatus.OK, "wallboard hub: /state /metrics /healthz /feed\n")
        token = _bearer(request.headers)
        if path == FEED_PATH:
            if self.fanout.count + self._waiting >= self.config.max_viewers:
                self.rejected += 1
                return _text(
                    http.HTTPStatus.SERVICE_UNAVAILABLE,
                    f"503 Service Unavailable: this hub serves {self.config.max_viewers} viewers "
                    "at most; try again later\n",
                )
            if token is not None:
                access = self.access(token)
                if access is None:
                    self.rejected += 1
                    return self._unauthorized()
                self._access[connection] = access
            elif self.config.open_access:
                self._access[connection] = Access(None, None)
            return None  # the upgrade; _handler takes over
        access = self.access(token)
        if access is None:
            self.rejected += 1
            return self._unauthorized()
        model = self._model_for(access)
        if path == "/state":
            body = orjson.dumps(state_document(model), option=orjson.OPT_INDENT_2)
            return _response(http.HTTPStatus.OK, body + b"\n", "application/json")
        body, content_type = render_metrics(
            model, extra=self.extra_metrics() if self.extra_metrics else None
        )
        return _response(http.HTTPStatus.OK, body, content_type)

    def _unauthorized(self) -> Response:
        resp = _text(http.HTTPStatus.UNAUTHORIZED, UNAUTHORIZED_TEXT)
        resp.headers["WWW-Authenticate"] = 'Bearer realm="wallboard hub"'
        return resp

    def _model_for(self, access: Access) -> WallboardState:
        scope = access.scope
        return self.state if scope is None else scoped_model(self.state, scope)

    # ---------------------------------------------------------------- feed
    async def _handler(self, ws: ServerConnection) -> None:
        access = self._access.pop(ws, None)
        viewer: Viewer | None = None
        try:
            if access is None:
                self._waiting += 1
                try:
                    access = await self._auth_message(ws)
                finally:
                    self._waiting -= 1
                if access is None:
                    return
            self._number += 1
            viewer = Viewer(ws, self._number, access.info, access.digest, access.scope)
            _bound_send_buffer(ws, self.config.socket_buffer)
            self.fanout.join(viewer)
            log.info("%s joined", viewer.who)
            async for _message in ws:
                # Viewers send nothing after auth: anything else is a client we do not know.
                closing = self.fanout.drop(
                    viewer, CLOSE_POLICY, "viewers send nothing after auth", "junk"
                )
                if closing is not None:
                    await closing
                break
        except ConnectionClosed:
            pass
        finally:
            if viewer is not None:
                self.fanout.leave(viewer)
                if not viewer.closing:
                    log.info("%s left", viewer.who)

    async def _auth_message(self, ws: ServerConnection) -> Access | None:
        """The first message must be {"type": "auth", "token": ...}, within the timeout."""
        try:
            async with asyncio.timeout(self.config.auth_timeout):
                raw = await ws.recv()
        except TimeoutError:
            await ws.close(CLOSE_AUTH_TIMEOUT, "no auth within the time allowed")
            return None
        try:
            msg = orjson.loads(raw)
        except orjson.JSONDecodeError:
            msg = None
        if not isinstance(msg, dict) or msg.get("type") != "auth":
            await ws.close(CLOSE_POLICY, 'the first message must be {"type": "auth", ...}')
            return None
        token = msg.get("token")
        access = self.access(token if isinstance(token, str) else None)
        if access is None:
            self.rejected += 1
            await ws.close(CLOSE_UNAUTHORIZED, "unauthorized")
            return None
        return access


__all__ = ["HubConfig", "HubServer", "is_loopback"]
