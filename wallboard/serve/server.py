"""`wallboard serve`: the wall in a browser, one app process per tab, built on textual-serve.

What is textual-serve's and used as it is: the packet protocol between the
server and the app's web driver (`AppService`), the browser page's terminal
(its xterm.js bundle `textual.js` and stylesheet), the Roboto Mono fonts,
downloads. What is ours, because a TV on a wall has nobody to click:

* the page (`pages.py`, `static/page.js`): kiosk options from the URL, an
  automatic reconnect with backoff instead of the "Restart" button, a tone on
  the terminal bell, everything served locally;
* the tab's process (`process.py`, `driver.py`): `wallboard view` of the hub
  (`child_command()`), exec'd in its own process group, always reaped, and
  dying by itself when serve goes away;
* tokens (`tokens.py`) on a non-loopback address, kept in a cookie;
* a cap on the number of tabs.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

import textual_serve
from aiohttp import WSMsgType, web
from textual_serve.server import Server

from wallboard.feed.secrets import Secret
from wallboard.serve.child import HubTarget, child_command
from wallboard.serve.kiosk import Kiosk, parse_kiosk
from wallboard.serve.pages import CSP, full_page, kiosk_page, unauthorized_page
from wallboard.serve.process import TabProcess
from wallboard.serve.tokens import TokenFile, TokenInfo

log = logging.getLogger("wallboard.serve")

COOKIE = "wallboard_token"
COOKIE_MAX_AGE = 400 * 24 * 3600  # the longest browsers keep a cookie: a TV is set up once
DEFAULT_MAX_TABS = 20
CLOSE_FULL = 4029  # websocket close code: the tab cap is reached
CLOSE_REVOKED = 4401  # websocket close code: the tab's token is no longer in the token file
# Seconds between checks that open tabs' tokens are still valid. The hub closes a revoked
# token's feed within a second; the tab then follows at about the same time.
RECHECK_EVERY = 1.0
MAX_STDIN = 64 * 1024
TS_STATIC = Path(textual_serve.__file__).resolve().parent / "static"
WB_STATIC = Path(__file__).resolve().parent / "static"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass
class ServeConfig:
    """How browsers are served (what the tabs view is the `HubTarget` beside it)."""

    host: str = "127.0.0.1"
    port: int = 8000
    tokens: TokenFile | None = None
    max_tabs: int = DEFAULT_MAX_TABS
    bell: bool = False  # default of the kiosk `bell` parameter
    secret_vars: frozenset[str] = field(default_factory=frozenset)

    @property
    def auth_required(self) -> bool:
        return self.tokens is not None


@dataclass
class Tab:
    number: int
    peer: str
    who: str
    token: Secret | None = None
    ws: web.WebSocketResponse | None = None
    process: TabProcess | None = None


class WallServer(Server):
    """textual-serve's Server, with our page, tabs, tokens and lifecycle; tabs view `target`."""

    def __init__(self, config: ServeConfig, target: HubTarget) -> None:
        super().__init__(
            "wallboard",
            host=config.host,
            port=config.port,
            title="wallboard",
            statics_path=TS_STATIC,
        )
        self.config = config
        self.target = target
        self.tabs: dict[int, Tab] = {}
        self._numbers = 0
        self._sockets: set[web.WebSocketResponse] = set()
        self._runner: web.AppRunner | None = None
        self._recheck: asyncio.Task[None] | None = None
        self.url = ""

    # ------------------------------------------------------------- lifecycle
    async def _make_app(self) -> web.Application:
        app = web.Application(middlewares=[self._headers, self._auth])
        app.add_routes(
            [
                web.get("/", self.handle_index, name="index"),
                web.get("/session", self.handle_session, name="session"),
                web.get("/ws/{kiosk:.*}", self.handle_websocket, name="websocket"),
                web.get("/download/{key}", self.handle_download, name="download"),
                web.static("/static", TS_STATIC, name="static"),
                web.static("/wallboard", WB_STATIC, name="wallboard"),
            ]
        )
        return app

    async def start(self) -> str:
        """Listen; return the URL (port 0 picks a free one)."""
        app = await self._make_app()
        self._runner = web.AppRunner(
            app, access_log=None, handle_signals=False, shutdown_timeout=2.0
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.config.host, self.config.port)
        await site.start()
        if self.config.auth_required:
            self._recheck = asyncio.create_task(self._recheck_tokens())
        host, port = self._runner.addresses[0][:2]
        shown = f"[{host}]" if ":" in host else host
        self.url = f"http://{shown}:{port}"
        return self.url

    async def stop(self) -> None:
        """Every tab's process is gone when this returns."""
        if self._recheck is not None:
            self._recheck.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._recheck
        await asyncio.gather(
            *(t.process.stop() for t in list(self.tabs.values()) if t.process),
            return_exceptions=True,
        )
        for ws in list(self._sockets):
            with contextlib.suppress(Exception):
                await asyncio.wait_for(ws.close(code=1001, message=b"server stopping"), 2.0)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # ------------------------------------------------------------ middleware
    @web.middleware
    async def _headers(self, request: web.Request, handler: Any) -> web.StreamResponse:
        try:
            resp = await handler(request)
        except web.HTTPException as exc:
            _add_headers(request, exc)
            raise
        _add_headers(request, resp)
        return resp

    @web.middleware
    async def _auth(self, request: web.Request, handler: Any) -> web.StreamResponse:
        """Token once in the page URL → cookie → every later request (and the websocket)."""
        request["token"], request["scope"] = None, None
        if not self.config.auth_required:
            return await handler(request)
        url_token = request.query.get("token") if request.path == "/" else None
        if url_token is not None:
            if self._verify(url_token) is None:
                return self._unauthorized()
            rest = [(k, v) for k, v in request.query.items() if k != "token"]
            where = "/" + ("?" + urlencode(rest) if rest else "")
            resp = web.Response(status=303, headers={"Location": where})
            resp.set_cookie(
                COOKIE,
                url_token,
                max_age=COOKIE_MAX_AGE,
                path="/",
                httponly=True,
                samesite="Strict",
                secure=_https(request),
            )
            return resp
        token = request.cookies.get(COOKIE) or _bearer(request)
        info = self._verify(token)
        if token is None or info is None:
            return self._unauthorized()
        request["token"], request["scope"] = Secret(token), info
        return await handler(request)

    async def _recheck_tokens(self) -> None:
        """A revoked token ends its open tabs too; the page then shows the 401 page."""
        while True:
            await asyncio.sleep(RECHECK_EVERY)
            revoked = [
                tab
                for tab in list(self.tabs.values())
                if tab.token is not None
                and tab.ws is not None
                and self._verify(tab.token.reveal()) is None
            ]
            for tab in revoked:
                log.info("screen %d: its token was revoked", tab.number)
            await asyncio.gather(
                *(_close(tab.ws, CLOSE_REVOKED, b"token revoked") for tab in revoked if tab.ws)
            )

    def _verify(self, token: str | None) -> TokenInfo | None:
        """The hub's own check, on the hub's token file (see tokens.py)."""
        tokens = self.config.tokens
        return None if tokens is None or token is None else tokens.verify(token)

    @staticmethod
    def _unauthorized() -> web.Response:
        return web.Response(status=401, text=unauthorized_page(), content_type="text/html")

    # ----------------------------------------------------------------- pages
    def _full(self) -> bool:
        return len(self.tabs) >= self.config.max_tabs

    async def handle_index(self, request: web.Request) -> web.Response:  # type: ignore[override]
        if self._full():
            return web.Response(
                status=503, text=full_page(self.config.max_tabs), content_type="text/html"
            )
        kiosk = parse_kiosk(request.query)
        html = kiosk_page(font_size=kiosk.fontsize, ts_static="/static/", wb_static="/wallboard/")
        return web.Response(text=html, content_type="text/html")

    async def handle_session(self, request: web.Request) -> web.Response:
        """What the page asks before each reconnect: 204 come in, 401 token gone, 503 full."""
        if self._full():
            return web.Response(status=503, text="full")
        return web.Response(status=204)

    # ------------------------------------------------------------- websocket
    async def handle_websocket(self, request: web.Request) -> web.StreamResponse:  # type: ignore[override]
        origin = request.headers.get("Origin")
        if origin is not None and urlsplit(origin).netloc != request.host:
            return web.Response(status=403, text="cross-origin websocket refused")
        kiosk = parse_kiosk(dict(parse_qsl(unquote(request.match_info["kiosk"]))))
        width = _int(request.query.get("width"), 80)
        height = _int(request.query.get("height"), 24)
        ws = web.WebSocketResponse(heartbeat=15, max_msg_size=MAX_STDIN * 2)
        await ws.prepare(request)
        if self._full():
            await ws.send_str(
                json.dumps(["wallboard", {"type": "full", "max": self.config.max_tabs}])
            )
            await ws.close(code=CLOSE_FULL, message=b"screen limit reached")
            return ws
        self._numbers += 1
        scope: TokenInfo | None = request["scope"]
        tab = Tab(
            self._numbers,
            peer=request.remote or "?",
            who=f"token {scope.name!r}" if scope else "no token",
            token=request["token"],
            ws=ws,
        )
        self.tabs[tab.number] = tab
        self._sockets.add(ws)
        try:
            await self._run_tab(tab, ws, kiosk, request["token"], width, height)
        finally:
            self._sockets.discard(ws)
            self.tabs.pop(tab.number, None)
            log.info("screen %d closed (%d open)", tab.number, len(self.tabs))
        return ws

    async def _run_tab(
        self,
        tab: Tab,
        ws: web.WebSocketResponse,
        kiosk: Kiosk,
        token: Secret | None,
        width: int,
        height: int,
    ) -> None:
        spec = child_command(
            self.target,
            kiosk,
            browser_token=token,
            width=width,
            height=height,
            bell_default=self.config.bell,
            secret_vars=self.config.secret_vars,
        )
        tab.process = proc = TabProcess(
            spec,
            write_bytes=ws.send_bytes,
            write_str=ws.send_str,
            close=lambda: self._close_tab(tab, ws),
            download_manager=self.download_manager,
            label=f"screen {tab.number}",
        )
        try:
            await proc.start(width, height)
            log.info(
                "screen %d opened from %s (%s, %dx%d, app pid %s)%s",
                tab.number,
                tab.peer,
                tab.who,
                width,
                height,
                proc.pid,
                "; ignored " + "; ".join(kiosk.problems) if kiosk.problems else "",
            )
            await self._relay(ws, proc)
        except (asyncio.CancelledError, ConnectionResetError):
            pass
        except Exception as exc:  # one tab's trouble is never the server's
            log.warning("screen %d: %s: %s", tab.number, type(exc).__name__, exc)
        finally:
            await proc.stop()
            await self._close_tab(tab, ws)

    async def _close_tab(self, tab: Tab, ws: web.WebSocketResponse) -> None:
        """Close a tab's socket; one whose token was revoked always says so (4401).

        The hub drops a revoked viewer within a second, so the tab's app may exit
        (and its socket be closed) before the token check below notices: the page
        must still learn why, or it would reconnect instead of showing the 401 page.
        """
        if tab.token is not None and self._verify(tab.token.reveal()) is None:
            await _close(ws, CLOSE_REVOKED, b"token revoked")
        else:
            await _close(ws, 1000, b"")

    async def _relay(self, ws: web.WebSocketResponse, proc: TabProcess) -> None:
        """The browser's messages to the app (textual-serve's envelope, validated)."""
        async for message in ws:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                envelope = json.loads(message.data)
            except ValueError:
                continue
            if not isinstance(envelope, list) or not envelope:
                continue
            kind = envelope[0]
            data = envelope[1] if len(envelope) > 1 else None
            if kind == "stdin" and isinstance(data, str) and len(data) <= MAX_STDIN:
                await proc.send_bytes(data.encode("utf-8", "replace"))
            elif kind == "resize" and isinstance(data, dict):
                w, h = _int(data.get("width"), 0), _int(data.get("height"), 0)
                if w and h:
                    await proc.set_terminal_size(w, h)
            elif kind == "ping" and isinstance(data, str) and len(data) < 64:
                await ws.send_json(["pong", data])
            elif kind == "blur":
                await proc.blur()
            elif kind == "focus":
                await proc.focus()


def _https(request: web.Request) -> bool:
    """Over TLS: directly, or through a TLS reverse proxy on this machine."""
    if request.secure:
        return True
    proxied = request.headers.get("X-Forwarded-Proto", "").lower() == "https"
    return proxied and is_loopback(request.remote or "")


async def _close(ws: web.WebSocketResponse, code: int, message: bytes) -> None:
    with contextlib.suppress(Exception):
        await asyncio.wait_for(ws.close(code=code, message=message), 5.0)


def _add_headers(request: web.Request, resp: web.StreamResponse) -> None:
    resp.headers.setdefault("Referrer-Policy", "no-referrer")
    resp.headers.setdefault("X-Content-Type-Options", "nosniff")
    if not request.path.startswith(("/static/", "/wallboard/")):
        resp.headers.setdefault("Cache-Control", "no-store")
    if resp.content_type == "text/html":
        resp.headers.setdefault("Content-Security-Policy", CSP)


def _bearer(request: web.Request) -> str | None:
    auth = request.headers.get("Authorization", "")
    scheme, _, value = auth.partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None


def _int(value: Any, default: int) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        return default
    return n if 1 <= n <= 2000 else default


__all__ = ["COOKIE", "DEFAULT_MAX_TABS", "ServeConfig", "WallServer", "is_loopback"]
