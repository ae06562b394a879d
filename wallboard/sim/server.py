"""The simulator's WebSocket server: auth, subscriptions, fan-out, back-pressure.

One `Simulator` owns one traffic world, one renderer (its dialect) and one
websockets server. Every happening is rendered once and serialised at most
once, then appended to the outgoing queue of each client whose subscriptions
and permissions accept it. Each client has its own writer task, so a slow
client only ever delays itself.

Slow-client policy: a client's outgoing queue holds at most
`SimConfig.client_queue` frames. When it is full the simulator drops that
client's queue and closes the connection with code 1013 ("try again later")
and the reason "outgoing queue overflow: client too slow"; everybody else is
unaffected.

A wrong password gets the documented auth error reply and the connection stays
open (the client may retry); so does every other bad frame.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import ssl
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from wallboard.sim.accounts import (
    EXTENSION_SCOPED,
    QUEUE_SCOPED,
    V12_TOPIC_KEYS,
    Dialect,
    Principal,
    Roster,
)
from wallboard.sim.dialects import Out, Renderer
from wallboard.sim.traffic import Traffic

log = logging.getLogger("wallboard.sim")

OVERFLOW_CLOSE_CODE = 1013
OVERFLOW_REASON = "outgoing queue overflow: client too slow"
V12_AUTH_ERROR = "name or password error"
V16_AUTH_ERROR = "access_token , username , domain or password error"
MAX_INCOMING_FRAME = 1 << 16
CLOCK_CHUNK = 500  # traffic actions between yields to the event loop


@dataclass
class SimConfig:
    """Everything that shapes a simulator run (same config + seed = same traffic)."""

    dialect: str = "v12"
    agents: int = 40
    queues: int = 4
    seed: int = 1
    speed: float = 1.0
    rate: float | None = None  # calls per virtual second; None = 0.0125 x agents
    password: str = "demo"
    host: str = "127.0.0.1"
    port: int = 0
    ssl_context: ssl.SSLContext | None = None
    start_epoch: float | None = None  # virtual clock start; None = real time at start()
    autorun: bool = True  # False: the clock only moves through Simulator.advance()
    warmup: float = 180.0  # virtual seconds simulated (silently) before start_epoch
    client_queue: int = 4096  # outgoing frames buffered per client before it is dropped
    tick: float = 0.1  # real seconds between clock steps when autorun


@dataclass
class Sub:
    """One topic a client subscribed to, with its filters (None = no narrowing)."""

    keys: set[str] | None
    exts: set[str] | None
    queues: set[str] | None


@dataclass(eq=False)
class Client:
    ws: ServerConnection
    principal: Principal | None = None
    subs: dict[str, Sub] = field(default_factory=dict)
    out: deque[str] = field(default_factory=deque)
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    dead: bool = False
    replies: int = 0
    sent: int = 0


class CommandError(Exception):
    """A command the simulator answers with `status: -1`."""


class Simulator:
    """An embedded PortSIP PBX: `await start()`, read `url`, `await stop()`."""

    def __init__(self, config: SimConfig | None = None) -> None:
        self.config = config or SimConfig()
        if self.config.dialect not in ("v12", "v16", "v22"):
            raise ValueError(f"unknown dialect: {self.config.dialect!r}")
        self.dialect: Dialect = self.config.dialect  # type: ignore[assignment]
        self.roster = Roster(self.config.agents, self.config.queues)
        self.traffic: Traffic | None = None
        self.renderer: Renderer | None = None
        self._server: Server | None = None
        self._clock_task: asyncio.Task[None] | None = None
        self._clients: list[Client] = []
        self._background: set[asyncio.Task[Any]] = set()
        self._url = ""
        self.frames_sent = 0
        self.clients_dropped = 0

    # --- life cycle ----------------------------------------------------------

    def prepare(self) -> None:
        """Build the world (its clock at `start_epoch`) without listening yet."""
        if self.traffic is not None:
            return
        cfg = self.config
        epoch = time.time() if cfg.start_epoch is None else cfg.start_epoch
        self.traffic = Traffic(
            self.roster,
            seed=cfg.seed,
            rate=cfg.rate,
            start_epoch=epoch,
            warmup=cfg.warmup,
            sink=self._on_happening,
        )
        self.renderer = Renderer(self.dialect, self.roster, self.traffic)

    def fast_forward(self, until: float, sink: Callable[[dict[str, Any]], None]) -> int:
        """Before `start()`: run the world up to `until`, every event's payload to `sink`.

        What a client subscribed to everything would have received (the demo's
        morning, written into its store before the TUI opens); returns actions run.
        """
        self.prepare()
        assert self.traffic is not None and self.renderer is not None
        renderer = self.renderer

        def deliver(kind: str, data: dict[str, Any]) -> None:
            for out in renderer.render(kind, data):
                sink(out.payload)

        self.traffic.sink = deliver
        try:
            return self.traffic.advance_to(until)
        finally:
            self.traffic.sink = self._on_happening

    async def start(self) -> None:
        """Build the world (unless `prepare()` did), listen, and (with autorun) start the clock."""
        cfg = self.config
        self.prepare()
        self._server = await serve(
            self._handle,
            cfg.host,
            cfg.port,
            ssl=cfg.ssl_context,
            process_request=self._check_path,
            max_size=MAX_INCOMING_FRAME,
            compression=None,
            close_timeout=2,
        )
        sock = next(iter(self._server.sockets))
        port = sock.getsockname()[1]
        host = cfg.host if ":" not in cfg.host else f"[{cfg.host}]"
        scheme = "wss" if cfg.ssl_context is not None else "ws"
        path = "/wsi" if self.dialect == "v22" else ""
        self._url = f"{scheme}://{host}:{port}{path}"
        if cfg.autorun:
            self._clock_task = asyncio.create_task(self._run_clock())

    async def stop(self) -> None:
        """Stop the clock, close every connection (1001) and the listener."""
        if self._clock_task is not None:
            self._clock_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._clock_task
            self._clock_task = None
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for task in list(self._background):
            task.cancel()

    async def __aenter__(self) -> Simulator:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        """ws://HOST:PORT (v12, v16) or ws://HOST:PORT/wsi (v22); wss:// with TLS."""
        if not self._url:
            raise RuntimeError("Simulator.url is known only after start()")
        return self._url

    @property
    def port(self) -> int:
        return int(self.url.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])

    @property
    def now(self) -> float:
        """The virtual clock (unix seconds)."""
        assert self.traffic is not None, "start() first"
        return self.traffic.now

    @property
    def client_count(self) -> int:
        return len(self._clients)

    def advance(self, seconds: float) -> int:
        """Move the virtual clock by `seconds` and push every event due (deterministic).

        Meant for tests with `autorun=False`; returns the number of actions run.
        The frames are queued synchronously; they reach sockets when the event
        loop next runs.
        """
        assert self.traffic is not None, "start() first"
        return self.traffic.advance_to(self.traffic.now + seconds)

    async def _run_clock(self) -> None:
        assert self.traffic is not None
        loop = asyncio.get_running_loop()
        real0 = loop.time()
        virt0 = self.traffic.now
        speed = self.config.speed
        while True:
            await asyncio.sleep(self.config.tick)
            target = virt0 + (loop.time() - real0) * speed
            # Small chunks with a yield in between let the writers drain a big
            # catch-up step (high --speed) instead of piling it into queues.
            for _ in range(40):
                if self.traffic.advance_to(target, budget=CLOCK_CHUNK) < CLOCK_CHUNK:
                    break
                await asyncio.sleep(0)

    # --- connections -----------------------------------------------------------

    def _check_path(self, connection: ServerConnection, request: Request) -> Response | None:
        path = request.path.split("?", 1)[0].rstrip("/")
        if self.dialect == "v22":
            if path == "/wsi":
                return None
            return _http_error(HTTPStatus.NOT_FOUND, "the v22 WSI endpoint is /wsi\n")
        if path == "/wsi":
            return _http_error(
                HTTPStatus.NOT_FOUND, f"this simulator speaks {self.dialect}: use the path /\n"
            )
        return None

    async def _handle(self, ws: ServerConnection) -> None:
        client = Client(ws)
        self._clients.append(client)
        writer = asyncio.create_task(self._writer(client))
        try:
            async for frame in ws:
                if client.dead:
                    break
                self._on_frame(client, frame)
        except ConnectionClosed:
            pass
        finally:
            client.dead = True
            with contextlib.suppress(ValueError):
                self._clients.remove(client)
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError, ConnectionClosed):
                await writer

    async def _writer(self, client: Client) -> None:
        out = client.out
        ws = client.ws
        try:
            while True:
                while out:
                    text = out.popleft()
                    await ws.send(text)
                    client.sent += 1
                    self.frames_sent += 1
                client.wake.clear()
                await client.wake.wait()
        except ConnectionClosed:
            client.dead = True

    def _push(self, client: Client, text: str) -> None:
        if client.dead:
            return
        if len(client.out) >= self.config.client_queue:
            self._drop(client)
            return
        client.out.append(text)
        client.wake.set()

    def _drop(self, client: Client) -> None:
        """Overflow: forget the backlog and close with 1013 (see module docstring)."""
        client.dead = True
        client.out.clear()
        self.clients_dropped += 1
        log.warning("dropping a slow client: %s", OVERFLOW_REASON)
        task = asyncio.get_running_loop().create_task(
            client.ws.close(OVERFLOW_CLOSE_CODE, OVERFLOW_REASON)
        )
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    # --- commands ------------------------------------------------------------

    def _reply(self, client: Client, command: str, cid: str, error: str | None) -> None:
        if self.dialect == "v12":
            body: dict[str, Any] = (
                {"status": 0} if error is None else {"error": error, "status": -1}
            )
        else:
            body = {"command": command}
            if error is not None:
                body["error"] = error
            body["id"] = cid
            body["status"] = 0 if error is None else -1
        self._push(client, json.dumps(body))

    def _on_frame(self, client: Client, frame: str | bytes) -> None:
        client.replies += 1
        cid = str(client.replies)
        command = ""
        try:
            if isinstance(frame, bytes):
                raise CommandError("binary frames are not supported: send JSON text")
            try:
                cmd = json.loads(frame)
            except ValueError:
                raise CommandError("invalid JSON") from None
            if not isinstance(cmd, dict):
                raise CommandError("a command must be a JSON object")
            raw_id = cmd.get("id")
            if isinstance(raw_id, str | int) and not isinstance(raw_id, bool):
                cid = str(raw_id)
            raw_command = cmd.get("command")
            command = raw_command if isinstance(raw_command, str) else ""
            if command == "auth":
                self._auth(client, cmd, cid)
                return
            if client.principal is None:
                raise CommandError("not authenticated: send the auth command first")
            if command == "subscribe":
                pictures = self._subscribe(client, cmd)
                self._reply(client, command, cid, None)
                for text in pictures:
                    self._push(client, text)
            elif command == "unsubscribe":
                self._unsubscribe(client, cmd)
                self._reply(client, command, cid, None)
            elif not command:
                raise CommandError("missing command")
            else:
                raise CommandError(f"unknown command: {command[:40]}")
        except CommandError as exc:
            self._reply(client, command, cid, str(exc))

    def _auth(self, client: Client, cmd: dict[str, Any], cid: str) -> None:
        if client.principal is not None:
            raise CommandError("already authenticated")
        who = self.roster.authenticate(self.dialect, cmd, self.config.password)
        if who is None:
            text = V12_AUTH_ERROR if self.dialect == "v12" else V16_AUTH_ERROR
            self._reply(client, "auth", cid, text)
            return
        client.principal = who
        self._reply(client, "auth", cid, None)

    def _parse_topics(
        self, cmd: dict[str, Any]
    ) -> tuple[list[tuple[str, set[str] | None]], list[str] | None, list[str] | None]:
        topics = cmd.get("topics")
        if not isinstance(topics, list) or not topics:
            raise CommandError("topics must be a non-empty list")
        parsed: list[tuple[str, set[str] | None]] = []
        for item in topics:
            if self.dialect == "v12":
                if not isinstance(item, dict) or not isinstance(item.get("topic"), str):
                    raise CommandError('v12 topics are objects: {"topic": T, "keys": [...]}')
                topic = item["topic"]
                if topic not in V12_TOPIC_KEYS:
                    raise CommandError(f"unknown topic: {topic[:60]}")
                keys = item.get("keys")
                if keys is None:
                    parsed.append((topic, None))
                    continue
                if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
                    raise CommandError(f"keys of {topic} must be a list of strings")
                bad = [k for k in keys if k not in V12_TOPIC_KEYS[topic]]
                if bad:
                    raise CommandError(f"unknown key of {topic}: {', '.join(bad[:5])}")
                parsed.append((topic, set(keys)))
            else:
                if not isinstance(item, str):
                    raise CommandError("topics must be topic-name strings")
                parsed.append((item, None))
        return parsed, _str_list(cmd, "extensions"), _str_list(cmd, "queues")

    def _subscribe(self, client: Client, cmd: dict[str, Any]) -> list[str]:
        """Validate all, then apply all; returns the status pictures to send (v16+)."""
        who = client.principal
        assert who is not None
        roster = self.roster
        topics, exts, queues = self._parse_topics(cmd)
        tenants = _str_list(cmd, "tenants")
        for topic, _ in topics:
            err = roster.topic_error(self.dialect, who, topic)
            if err:
                raise CommandError(err)
            if topic.startswith("global_"):
                if not tenants:
                    raise CommandError(f"{topic} needs a tenants list of tenant ids")
                unknown = [t for t in tenants if t != roster.tenant_id]
                if unknown:
                    raise CommandError(f"unknown tenant id: {', '.join(unknown[:5])}")
        err = roster.filter_error(who, exts, queues)
        if err:
            raise CommandError(err)
        pictures: list[str] = []
        allowed_e = roster.allowed_extensions(who)
        allowed_q = roster.allowed_queues(who)
        want_e = set(exts) if exts else (set(allowed_e) if allowed_e is not None else None)
        want_q = set(queues) if queues else (set(allowed_q) if allowed_q is not None else None)
        for topic, keys in topics:
            base = topic.removeprefix("global_")
            sub_e = want_e if base in EXTENSION_SCOPED else None
            sub_q = want_q if base in QUEUE_SCOPED else None
            old = client.subs.get(topic)
            if old is None:
                client.subs[topic] = Sub(keys, sub_e, sub_q)
            else:
                old.keys = _union(old.keys, keys)
                old.exts = _union(old.exts, sub_e)
                old.queues = _union(old.queues, sub_q)
            if self.dialect != "v12":
                pictures.extend(self._pictures(base, want_e, want_q))
        return pictures

    def _pictures(self, base: str, exts: set[str] | None, queues: set[str] | None) -> list[str]:
        """v16+ sends the current status right after a subscribe (PORTSIP-WSI.md §3)."""
        assert self.renderer is not None and self.traffic is not None
        if base == "extension_events":
            numbers = [n for n in self.roster.extensions if exts is None or n in exts]
            return [_dumps(p) for p in self.renderer.extension_status(numbers)]
        if base == "queue_events":
            return [
                _dumps(self.renderer.queue_status(q))
                for q in self.traffic.queue_list
                if queues is None or q.number in queues
            ]
        return []

    def _unsubscribe(self, client: Client, cmd: dict[str, Any]) -> None:
        topics, exts, queues = self._parse_topics(cmd)
        known = self.roster
        for topic, _ in topics:
            err = known.topic_error(self.dialect, Principal("tenant", "x"), topic)
            if err and err.startswith("unknown topic"):
                raise CommandError(err)
        for topic, keys in topics:
            sub = client.subs.get(topic)
            if sub is None:
                continue
            base = topic.removeprefix("global_")
            if exts and base in EXTENSION_SCOPED:
                current = sub.exts if sub.exts is not None else set(self.roster.extensions)
                sub.exts = current - set(exts)
                if not sub.exts:
                    del client.subs[topic]
            elif queues and base in QUEUE_SCOPED:
                current = sub.queues if sub.queues is not None else set(self.roster.queues)
                sub.queues = current - set(queues)
                if not sub.queues:
                    del client.subs[topic]
            elif keys is not None:
                current = sub.keys if sub.keys is not None else set(V12_TOPIC_KEYS[topic])
                sub.keys = current - keys
                if not sub.keys:
                    del client.subs[topic]
            else:
                del client.subs[topic]

    # --- fan-out -------------------------------------------------------------

    def _on_happening(self, kind: str, data: dict[str, Any]) -> None:
        clients = [c for c in self._clients if c.subs and not c.dead]
        if not clients:
            return
        assert self.renderer is not None
        for out in self.renderer.render(kind, data):
            self._fan_out(clients, out)

    def _fan_out(self, clients: list[Client], out: Out) -> None:
        text: str | None = None
        topic = out.topic
        gtopic = "global_" + topic
        for c in clients:
            sub = c.subs.get(topic) or c.subs.get(gtopic)
            if sub is None:
                continue
            if sub.keys is not None and out.event_type not in sub.keys:
                continue
            if (
                sub.exts is not None
                and out.exts is not None
                and not any(e in sub.exts for e in out.exts)
            ):
                continue
            if sub.queues is not None and out.queue is not None and out.queue not in sub.queues:
                continue
            if text is None:
                text = _dumps(out.payload)
            self._push(c, text)


def _dumps(payload: dict[str, Any]) -> str:
    return json.dumps(payload, separators=(",", ":"))


def _union(a: set[str] | None, b: set[str] | None) -> set[str] | None:
    if a is None or b is None:
        return None
    return a | b


def _str_list(cmd: dict[str, Any], key: str) -> list[str] | None:
    """A filter list of strings (numbers accepted and kept as strings)."""
    value = cmd.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(
        isinstance(v, str | int) and not isinstance(v, bool) for v in value
    ):
        raise CommandError(f"{key} must be a list of strings")
    return [str(v) for v in value]


def _http_error(status: HTTPStatus, body: str) -> Response:
    data = body.encode()
    headers = Headers([("Content-Type", "text/plain; charset=utf-8")])
    headers["Content-Length"] = str(len(data))
    return Response(status.value, status.phrase, headers, data)
