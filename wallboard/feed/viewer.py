"""A hub viewer: the feed of `wallboard view URL` (and of every browser tab of `serve`).

It connects to the hub's `/feed`, shows its token in the upgrade request's
`Authorization` header (never in the URL), and hands every message to a
`ViewerModel`, which keeps the model equal to the hub's. When the hub goes
away the model keeps its last state (its clock, the hub's, stops with it)
and the viewer reconnects with backoff (0.5 s doubling to 30 s, ±20 %
jitter); every reconnect starts from a fresh checkpoint. A rejected token
(HTTP 401, close 4401) is not retried by itself: the TUI shows it and `r`
tries again; a headless caller gets AuthRejected (exit status 3).

`link` says how the connection to the hub is doing; `state.source` is the
hub's own connection to the PBX, as the hub reports it. No Textual here.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import socket
import ssl
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import (
    ConnectionClosed,
    InvalidHandshake,
    InvalidMessage,
    InvalidStatus,
)

from wallboard.errors import AuthRejected, ConnectFailed, UsageError, WallboardError
from wallboard.feed.backoff import backoff_delay
from wallboard.feed.hubwire import (
    CLOSE_TOO_SLOW,
    CLOSE_UNAUTHORIZED,
    FEED_PATH,
    ProtocolError,
    ViewerModel,
)
from wallboard.feed.secrets import Secret, display_url, warn
from wallboard.model.state import SOURCE, WallboardState

MiB = 1024 * 1024
_YIELD_EVERY = 16
TOKEN_ENV = "WALLBOARD_TOKEN"


def read_token(env: str | None, file: str | None) -> Secret | None:
    """The hub token: `--token-file PATH` (first line), else `--token-env VAR`
    (default WALLBOARD_TOKEN); None when neither holds one (an open loopback hub).

    Never an argument: argv is readable by every user of the machine.
    """
    if file:
        p = Path(file).expanduser()
        try:
            with p.open(encoding="utf-8") as f:
                line = f.readline().strip()
        except FileNotFoundError:
            raise UsageError(f"cannot read token file {file}: no such file") from None
        except (OSError, UnicodeDecodeError) as exc:
            why = getattr(exc, "strerror", None) or "not readable UTF-8 text"
            raise UsageError(f"cannot read token file {file}: {why}") from None
        if not line:
            raise UsageError(f"token file {file}: the first line is empty")
        if os.name == "posix" and p.stat().st_mode & (stat.S_IRGRP | stat.S_IROTH):
            warn(f"token file {file} is readable by other users; run: chmod 600 {file}")
        return Secret(line)
    var = env or TOKEN_ENV
    value = os.environ.get(var, "").strip()
    if value:
        return Secret(value)
    if env and env != TOKEN_ENV:
        raise UsageError(f"environment variable {var} (from --token-env) is not set or empty")
    return None


def hub_urls(url: str) -> tuple[str, str]:
    """(http(s)://host:port, ws(s)://host:port/feed) of a hub URL; UsageError if it is none."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UsageError(f"not a valid hub URL: {display_url(url)}") from None
    scheme = {"http": "http", "https": "https", "ws": "http", "wss": "https"}.get(parts.scheme)
    if scheme is None or not parts.hostname:
        raise UsageError(
            f"a hub URL is http://HOST:PORT or https://HOST:PORT, got {display_url(url)!r}"
        )
    if "@" in parts.netloc:
        raise UsageError("a hub URL carries no credentials: give the token with --token-env")
    if parts.query:
        raise UsageError("a hub URL has no query: the token goes in --token-env / --token-file")
    host = parts.netloc
    base = urlunsplit((scheme, host, "", "", ""))
    ws = urlunsplit(("wss" if scheme == "https" else "ws", host, FEED_PATH, "", ""))
    del port
    return base, ws


@dataclass(slots=True)
class ViewerSettings:
    url: str  # http(s)://HOST:PORT of the hub
    token: Secret | None = field(default=None, repr=False)
    ssl_context: ssl.SSLContext | None = field(default=None, repr=False)
    open_timeout: float = 10.0
    ping_interval: float | None = 20.0
    ping_timeout: float | None = 20.0
    max_size: int = 256 * MiB  # a checkpoint of a very big call center
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    backoff_jitter: float = 0.2
    stable_after: float = 30.0


@dataclass(slots=True)
class HubLink:
    """The viewer's own connection to the hub (the status line and alerts read it)."""

    url: str = ""
    status: str = "connecting"  # connecting | connected | reconnecting | rejected | stopped
    retry_in: float | None = None
    attempt: int = 0
    last_error: str = ""
    since: float | None = None
    token: str | None = None  # the token's name (never the token)
    scope: list[str] | None = None
    dropped_slow: int = 0  # times the hub closed us for falling behind


class HubViewer:
    """Owns the socket to a hub; keeps `state` equal to the hub's model."""

    def __init__(
        self,
        settings: ViewerSettings,
        state: WallboardState,
        *,
        on_change: Callable[[], None] | None = None,
        on_status: Callable[[str], None] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings
        self.base_url, self.ws_url = hub_urls(settings.url)
        self.state = state
        self.model = ViewerModel(state)
        state.source.kind = "live"
        self.on_change = on_change
        self.on_status = on_status
        self.rng = rng or random.Random()
        self.link = HubLink(url=self.base_url)
        self.failure: WallboardError | None = None
        self.ready = asyncio.Event()  # set while a checkpoint is applied and the link is up
        self.sessions = 0
        self._failures = 0
        self._stopping = False
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    # ---------------------------------------------------------- control
    def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._task is not None and not self._task.done():
            self._task.cancel()

    def retry_now(self) -> None:
        self._wake.set()

    def _set(self, status: str, *, error: str | None = None, retry_in: float | None = None) -> None:
        link = self.link
        if link.status != status:
            link.since = time.time()
        link.status = status
        link.retry_in = retry_in
        if error is not None:
            link.last_error = error
        self.state.touch(SOURCE)
        if self.on_status is not None:
            self.on_status(self.status_line())
        if self.on_change is not None:
            self.on_change()

    def status_line(self) -> str:
        link = self.link
        if link.status == "connected":
            return f"viewing the hub {link.url}"
        if link.status == "reconnecting":
            wait = f" in {link.retry_in:.1f} s" if link.retry_in is not None else ""
            return f"hub unreachable ({link.last_error}); retrying{wait}"
        if link.status == "rejected":
            return link.last_error
        return link.status

    # ------------------------------------------------------------- loop
    async def run(self, *, wait_on_fatal: bool = True) -> None:
        """Stay connected until `stop()`; without `wait_on_fatal`, raise on a rejected token."""
        try:
            while not self._stopping:
                if self.failure is not None:
                    if not wait_on_fatal:
                        raise self.failure
                    await self._wake.wait()
                    if self._stopping:
                        break
                    self.failure = None
                    self._failures = 0
                self._wake.clear()
                self._task = asyncio.create_task(self._attempt())
                try:
                    await self._task
                except asyncio.CancelledError:
                    if self._stopping:
                        break
                    raise
                finally:
                    self._task = None
                if self._stopping or self.failure is not None:
                    continue
                delay = backoff_delay(
                    self._failures,
                    self.settings.backoff_base,
                    self.settings.backoff_max,
                    self.settings.backoff_jitter,
                    self.rng,
                )
                self._set("reconnecting", retry_in=delay)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), delay)
        finally:
            self.ready.clear()
            if self.link.status != "rejected":
                self._set("stopped")

    async def _attempt(self) -> None:
        s = self.settings
        headers = {}
        if s.token is not None and s.token.reveal():
            headers["Authorization"] = f"Bearer {s.token.reveal()}"
        self.link.attempt = self._failures + 1
        secure = self.ws_url.startswith("wss:")
        started = time.monotonic()
        got_in = False
        try:
            async with connect(
                self.ws_url,
                additional_headers=headers,
                ssl=s.ssl_context or (ssl.create_default_context() if secure else None),
                open_timeout=s.open_timeout,
                ping_interval=s.ping_interval,
                ping_timeout=s.ping_timeout,
                close_timeout=2,
                max_size=s.max_size,
                max_queue=64,
                compression=None,
                user_agent_header="wallboard-view",
                proxy=None,
            ) as ws:
                del headers
                got_in = await self._session(ws)
            # The hub closed normally (1000, 1001): it stopped or restarts.
            message = "the hub went away (restarting?)"
        except asyncio.CancelledError:
            raise
        except InvalidStatus as exc:
            code = exc.response.status_code
            if code == 401:
                self._reject()
                return
            message = (
                f"the hub at {self.base_url} is full (HTTP 503); retrying"
                if code == 503
                else f"the hub at {self.base_url} refused the feed: HTTP {code}"
            )
        except ConnectionClosed as exc:
            rcvd = exc.rcvd
            if rcvd is not None and rcvd.code == CLOSE_UNAUTHORIZED:
                self._reject()
                return
            if rcvd is not None and rcvd.code == CLOSE_TOO_SLOW:
                self.link.dropped_slow += 1
                message = "the hub dropped this viewer for falling behind; reconnecting"
            elif rcvd is not None and rcvd.code == 1001:
                message = "the hub went away (restarting?)"
            else:
                message = "the connection to the hub was lost"
            got_in = got_in or self.model.ready
        except ProtocolError as exc:
            self.failure = ConnectFailed(str(exc))
            self._set("rejected", error=str(exc))
            return
        except ssl.SSLCertVerificationError as exc:
            why = exc.verify_message or exc.reason or "verification failed"
            message = (
                f"the hub's TLS certificate does not verify ({why}); "
                "use --ca-file PATH or --insecure"
            )
            self.failure = ConnectFailed(message)
            self._set("rejected", error=message)
            return
        except (OSError, TimeoutError, InvalidHandshake) as exc:
            message = _hub_error(exc, self.base_url)
        finally:
            self.ready.clear()
        if got_in and time.monotonic() - started >= self.settings.stable_after:
            self._failures = 1
        else:
            self._failures += 1
        self.link.attempt = self._failures
        self.link.last_error = message
        self._set("reconnecting", error=message)

    def _reject(self) -> None:
        message = f"the hub at {self.base_url} rejected the token"
        self.failure = AuthRejected(message)
        self._set("rejected", error=message)

    async def _session(self, ws: ClientConnection) -> bool:
        model = self.model
        n = 0
        got_in = False
        async for message in ws:
            kind = model.handle(message)
            if kind == "checkpoint" and not got_in:
                got_in = True
                self.sessions += 1
                self.link.token = model.token_name
                self.link.scope = model.scope
                self.ready.set()
                self._set("connected", error="")
            if self.on_change is not None:
                self.on_change()
            n += 1
            if n % _YIELD_EVERY == 0:
                await asyncio.sleep(0)
        return got_in


def _hub_error(exc: BaseException, where: str) -> str:
    """One line per failure to reach the hub (never a token: it is in no exception)."""
    if isinstance(exc, ConnectionRefusedError):
        return f"connection refused by {where} (is the hub running?)"
    if isinstance(exc, socket.gaierror):
        return f"cannot resolve {urlsplit(where).hostname}: {exc.strerror or exc}"
    if isinstance(exc, TimeoutError):
        return f"no answer from {where}"
    if isinstance(exc, ssl.SSLError):
        return f"TLS handshake with {where} failed ({exc.reason or exc}); is it an http:// hub?"
    if isinstance(exc, InvalidMessage):
        return f"{where} did not answer as a wallboard hub"
    if isinstance(exc, InvalidHandshake):
        return f"the WebSocket handshake with {where} failed: {type(exc).__name__}"
    if isinstance(exc, OSError):
        return f"cannot connect to {where}: {exc.strerror or type(exc).__name__}"
    return f"connection to {where} failed: {type(exc).__name__}"


__all__ = ["TOKEN_ENV", "HubLink", "HubViewer", "ViewerSettings", "hub_urls", "read_token"]
