"""The live feed: one asyncio task that owns the WebSocket to a PortSIP PBX.

It connects (ws:// or wss://), authenticates, subscribes, and puts every
received frame straight into the model; it never waits on rendering. When
the connection drops it reconnects with exponential backoff and jitter and
subscribes again, and it keeps `state.source` honest about all of it so the
wall never shows old numbers as if they were live.

Why not `async for ws in websockets.connect(...)`: that loop retries a
certificate failure forever (it is an OSError) and cannot tell the user
"reconnecting in 8 s". Rejected credentials are not a WebSocket error at all.
So this module runs its own loop and classifies every failure:

- rejected credentials: stop (no hammering), status `auth_failed`;
- a certificate that does not verify: stop, say which options fix it;
- anything else (refused, DNS, timeouts, close codes, HTTP errors): retry.

Three callers use `LiveClient`: the TUI (run inside a worker; reads `state`
on a timer; `retry_now()` / `stop()`), `wallboard record` (the `on_frame`
hook writes the recording) and `wallboard snapshot URL`. No Textual here.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import ssl
import time
from collections import deque
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import orjson
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake
from websockets.frames import CloseCode

from wallboard.errors import AuthRejected, ConnectFailed, WallboardError
from wallboard.feed.backoff import backoff_delay
from wallboard.feed.liveerrors import describe_error
from wallboard.feed.livesettings import LiveSettings
from wallboard.feed.pending import PendingCommands
from wallboard.model.state import WallboardState
from wallboard.protocol.commands import build_auth
from wallboard.protocol.events import Reply
from wallboard.protocol.parse import parse_frame

# Yield to the event loop after this many frames in a row, so a burst of
# buffered frames cannot starve the UI's refresh timer.
_YIELD_EVERY = 64


class _Retry(Exception):
    """This attempt failed in a way worth retrying; the message is for the user."""


class _Fatal(Exception):
    """Stop retrying: carries the WallboardError a headless command exits with."""

    def __init__(self, error: WallboardError, status: str) -> None:
        super().__init__(str(error))
        self.error = error
        self.status = status


class LiveClient:
    """Owns the socket; feeds `state`; reconnects; reports in `state.source`.

    Call `await run()` in one task (a Textual worker, or `asyncio.run`). From
    the same event loop, `stop()` ends it and `retry_now()` skips the backoff
    wait or, after credentials were rejected, tries once more (e.g. after the
    user fixed the password file).

    `on_change()` runs after every applied frame and status change: keep it
    cheap (set a flag). `on_frame(text, t)` sees every received text frame
    before the model does (the recorder).
    """

    def __init__(
        self,
        settings: LiveSettings,
        state: WallboardState,
        *,
        on_change: Callable[[], None] | None = None,
        on_frame: Callable[[str, float], None] | None = None,
        on_status: Callable[[str], None] | None = None,
        on_event: Callable[[object], None] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings
        self.state = state
        self.on_change = on_change
        self.on_frame = on_frame
        # One human line per status change (headless stderr). Not for fatal
        # failures: those end run() with an error whose one line says it all.
        self.on_status = on_status
        # Sees every parsed frame after the model did (the REST names task
        # watches for extension changes). Keep it cheap; it must not raise.
        self.on_event = on_event
        self.closers: list[Callable[[], None]] = []  # run when run() ends (the recorder)
        self.rng = rng or random.Random()
        self.subscribed = asyncio.Event()  # set while a session is subscribed
        self.failure: WallboardError | None = None  # why we stopped retrying
        self.phase = "idle"  # idle|connecting|authenticating|connected|waiting|failed|stopped
        self.attempts_total = 0
        self.sessions = 0  # successful authentications
        self.sent_commands: list[str] = []  # names only, never the commands (auth!)
        self.command_errors: deque[tuple[str, str]] = deque(maxlen=50)
        self._pending = PendingCommands()
        self._failures = 0  # consecutive failed attempts / short sessions
        self._auth_drops = 0
        self._stopping = False
        self._wake = asyncio.Event()
        self._attempt_task: asyncio.Task[None] | None = None
        self._drop_handle: asyncio.TimerHandle | None = None
        self._connected_at: float | None = None
        self._auth_reply: Reply | None = None
        src = state.source
        src.kind = "live"
        src.dialect = settings.dialect
        src.url = settings.shown_url
        src.insecure = bool(settings.insecure and urlsplit(settings.url).scheme == "wss")
        src.status = "disconnected"

    def __repr__(self) -> str:
        return f"<LiveClient {self.settings.shown_url} {self.settings.dialect} {self.phase}>"

    # ---------------------------------------------------------------- control
    def stop(self) -> None:
        """End `run()` soon: closes the socket or interrupts the backoff wait."""
        self._stopping = True
        self._wake.set()
        task = self._attempt_task
        if task is not None and not task.done():
            task.cancel()

    def retry_now(self) -> None:
        """Skip the backoff wait; after a fatal failure, try again once."""
        self._wake.set()

    @property
    def stopping(self) -> bool:
        return self._stopping

    # ------------------------------------------------------------------ state
    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change()

    def _status(
        self,
        status: str,
        *,
        error: str | None = None,
        retry_in: float | None = None,
        announce: bool = True,
    ) -> None:
        src = self.state.source
        if src.status != status:
            src.since = time.time()
        src.status = status
        src.retry_in = retry_in
        if error is not None:
            src.last_error = error
        self.state.source_changed()
        if announce and self.on_status is not None:
            self.on_status(self.status_line())
        self._changed()

    def status_line(self) -> str:
        """The connection state as one line (headless commands print it on stderr)."""
        src = self.state.source
        where = src.url
        if src.status == "connected":
            return f"connected to {where} ({src.dialect}), subscribed"
        if src.status == "reconnecting":
            wait = f" in {src.retry_in:.1f} s" if src.retry_in is not None else ""
            return f"{src.last_error}; retrying{wait} (attempt {src.attempt + 1})"
        if src.status == "auth_failed":
            return src.last_error
        return f"{src.status}: {src.last_error}" if src.last_error else src.status

    # ------------------------------------------------------------------- loop
    async def run(self, *, wait_on_fatal: bool = True) -> None:
        """Connect and stay connected until `stop()`.

        On a fatal failure (credentials rejected, certificate not trusted):
        with `wait_on_fatal` (the TUI) wait for `retry_now()` or `stop()`;
        without it (headless) raise AuthRejected / ConnectFailed.
        """
        me = asyncio.current_task()
        try:
            while not self._stopping:
                if self.failure is not None:
                    if not wait_on_fatal:
                        raise self.failure
                    self.phase = "failed"
                    await self._wake.wait()
                    if self._stopping:
                        break
                    self.failure = None
                    self._failures = 0
                    self._auth_drops = 0
                # Cleared before the attempt, not before the wait: a stop() or
                # retry_now() that comes during the attempt (or from a callback)
                # must still cut the next wait short.
                self._wake.clear()
                task = asyncio.create_task(self._attempt())
                self._attempt_task = task
                try:
                    await task
                except asyncio.CancelledError:
                    if me is not None and me.cancelling():
                        raise
                    if not self._stopping:
                        raise
                finally:
                    self._attempt_task = None
                if self._stopping or self.failure is not None:
                    continue
                delay = backoff_delay(
                    self._failures,
                    self.settings.backoff_base,
                    self.settings.backoff_max,
                    self.settings.backoff_jitter,
                    self.rng,
                )
                self.phase = "waiting"
                self._status("reconnecting", retry_in=delay)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), delay)
        finally:
            self.phase = "stopped"
            self._cancel_drop()
            self.subscribed.clear()
            if self.state.source.status != "auth_failed":
                self._status("disconnected", announce=False)
            for close in self.closers:
                close()
            self.closers.clear()

    async def _attempt(self) -> None:
        """One connection: connect, auth, subscribe, read until it ends. Classifies the end.

        Returns normally for "try again later" (with `last_error` set) and for
        fatal failures (with `self.failure` set); raises only CancelledError
        and WallboardErrors from the hooks.
        """
        s = self.settings
        self.attempts_total += 1
        self.state.source.attempt = self._failures + 1
        self.phase = "connecting"
        started = time.monotonic()
        sessions_before = self.sessions
        try:
            async with connect(
                s.url,
                ssl=s.ssl_context,
                open_timeout=s.open_timeout,
                ping_interval=s.ping_interval,
                ping_timeout=s.ping_timeout,
                close_timeout=s.close_timeout,
                max_size=s.max_size,
                max_queue=s.max_queue,
                user_agent_header="wallboard",
                proxy=None,
            ) as ws:
                await self._session(ws)
        except _Fatal as fatal:
            self.failure = fatal.error
            self.phase = "failed"
            self._status(fatal.status, error=str(fatal.error), announce=False)
            return
        except asyncio.CancelledError:
            raise
        except _Retry as exc:
            message = str(exc)
        except ssl.SSLCertVerificationError as exc:
            message = describe_error(exc, s)
            self.failure = ConnectFailed(message)
            self.phase = "failed"
            self._status("disconnected", error=message, announce=False)
            return
        except (OSError, TimeoutError, InvalidHandshake, ConnectionClosed) as exc:
            message = describe_error(exc, s)
            if isinstance(exc, ConnectionClosed):
                sent = exc.sent
                if sent is not None and sent.code == CloseCode.MESSAGE_TOO_BIG:
                    self.state.note_invalid(f"oversized frame (> {s.max_size} bytes)")
                    self._changed()
                if self.sessions == sessions_before and self._pending.awaiting_auth():
                    self._auth_drops += 1
        except WallboardError:
            raise  # from a hook (e.g. the recording cannot be written): not a network matter
        except Exception as exc:
            # Unforeseen, but a wallboard on a wall must keep trying. Only the type
            # is shown: an unknown exception's text could carry anything.
            message = describe_error(exc, s)
        else:
            message = "the PBX ended the connection"
        finally:
            self.subscribed.clear()
        authed = self.sessions > sessions_before
        if authed:
            self._auth_drops = 0
        if self._auth_drops >= s.max_auth_drops:
            error = AuthRejected(
                f"the PBX closed the connection right after auth {self._auth_drops} times "
                "in a row: check the user/extension, domain and password"
            )
            self.failure = error
            self.phase = "failed"
            self._status("auth_failed", error=str(error), announce=False)
            return
        lasted = time.monotonic() - started
        if authed and lasted >= s.stable_after:
            self._failures = 1
        else:
            self._failures += 1
        self.state.source.attempt = self._failures
        # Error and state change together: a reader between this return and the
        # backoff's own update must not see the error under "disconnected".
        self._status("reconnecting", error=message, announce=False)

    async def _session(self, ws: ClientConnection) -> None:
        """Auth, subscribe, then read until the connection ends (always by an exception)."""
        s = self.settings
        self._pending.clear()
        self.phase = "authenticating"
        auth = build_auth(
            s.dialect, s.password.reveal(), user=s.user, extension=s.extension, domain=s.domain
        )
        await self._send(ws, "auth", auth)
        del auth
        self._auth_reply = None
        try:
            async with asyncio.timeout(s.reply_timeout):
                while self._auth_reply is None:
                    await self._receive(ws)
        except TimeoutError:
            raise _Retry(
                f"the PBX did not answer the auth command within {s.reply_timeout:g} s"
            ) from None
        reply = self._auth_reply
        if reply.status != 0:
            what = reply.error or f"status {reply.status}"
            raise _Fatal(AuthRejected(f"the PBX rejected the credentials: {what}"), "auth_failed")
        self.sessions += 1
        self._auth_drops = 0
        if self.sessions > 1:
            self._after_reconnect()
        for name, cmd in s.subscriptions():
            await self._send(ws, name, cmd)
        self._connected_at = time.monotonic()
        self.phase = "connected"
        self.subscribed.set()
        self._status("connected", error="", retry_in=None)
        n = 0
        while True:
            await self._receive(ws)
            n += 1
            if n % _YIELD_EVERY == 0:
                await asyncio.sleep(0)

    async def _send(self, ws: ClientConnection, name: str, command: dict[str, Any]) -> None:
        """Send one command and remember its name: v12 replies say nothing about which."""
        self._pending.sent(name)
        self.sent_commands.append(name)
        await ws.send(orjson.dumps(command).decode())

    async def _receive(self, ws: ClientConnection) -> None:
        frame = await ws.recv()
        t = time.time()
        state = self.state
        state.source.last_frame_at = t
        if isinstance(frame, bytes):
            state.note_invalid("binary frame")
            self._changed()
            return
        if self.on_frame is not None:
            self.on_frame(frame, t)
        parsed = parse_frame(frame)
        if type(parsed) is Reply:
            self._on_reply(parsed)
        # Received "now" on the model's clock (a simulator's virtual one in the
        # demo): it measures how far the PBX's clock is off.
        state.apply(parsed, state.now())
        if self.on_event is not None:
            self.on_event(parsed)
        self._changed()

    def _on_reply(self, reply: Reply) -> None:
        """Match a reply to the command it answers; make a failed one visible."""
        name = self._pending.match(reply)
        if not reply.command:
            reply.command = name  # v12 replies carry no command: name it for the error list
        if name == "auth" and self._auth_reply is None:
            self._auth_reply = reply
            return
        if reply.status != 0:
            text = f"{name} failed: {reply.error or f'status {reply.status}'}"
            self.command_errors.append((name, reply.error))
            self.state.source.last_error = text
            if self.on_status is not None:
                self.on_status(text)

    # ---------------------------------------------------------------- staleness
    def _after_reconnect(self) -> None:
        """Mark what we knew as unconfirmed; forget what is not confirmed in time.

        v12 has no resync at all. v16+ re-sends queue and extension pictures
        after the subscribe, but no calls, and the PBX may have restarted with
        other queues: without this, ghosts of the old run would stay forever.
        """
        s = self.settings
        if not s.mark_stale_on_reconnect:
            return
        self.state.mark_stale()
        # Whatever is still marked after the window was not confirmed. Not "older
        # than now": event times are the PBX's clock (skewed, or a simulator's
        # fast one), and comparing them with ours kept ghosts forever.
        cutoff = float("inf")
        self._cancel_drop()
        loop = asyncio.get_running_loop()
        self._drop_handle = loop.call_later(s.stale_after, self._drop_stale, cutoff)

    def _drop_stale(self, cutoff: float) -> None:
        self._drop_handle = None
        if self.state.drop_stale(cutoff):
            self._changed()

    def _cancel_drop(self) -> None:
        if self._drop_handle is not None:
            self._drop_handle.cancel()
            self._drop_handle = None


__all__ = ["LiveClient", "LiveSettings"]
