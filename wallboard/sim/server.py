"""The simulator's server: WSI over WebSocket and the REST API on one port.

One `Simulator` owns one world (one tenant, or several on v22), one renderer
per tenant and one aiohttp server. aiohttp because a PortSIP PBX serves its
WSI (`/wsi`) and its REST API (`/api`, POST bodies: the login) on one port,
and websockets' own server rejects any request with a body; aiohttp serves
HTTP with bodies and WebSocket side by side.

Every happening is rendered once and serialised at most once, then appended
to the outgoing queue of each client whose subscriptions and permissions
accept it. Each client has its own writer task, so a slow client only ever
delays itself.

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
from typing import Any

from aiohttp import WSCloseCode, WSMsgType, web

from wallboard.sim.accounts import Dialect, Principal, Roster
from wallboard.sim.dialects import Out, Renderer
from wallboard.sim.rest import RestApi, RestFault, RestStats
from wallboard.sim.topics import CommandError, Sub, apply_subscribe, plan_subscribe, unsubscribe
from wallboard.sim.traffic import Traffic
from wallboard.sim.world import Tenant, World, build_rosters

log = logging.getLogger("wallboard.sim")

OVERFLOW_CLOSE_CODE = 1013
OVERFLOW_REASON = "outgoing queue overflow: client too slow"
V12_AUTH_ERROR = "name or password error"
V16_AUTH_ERROR = "access_token , username , domain or password error"
MAX_INCOMING_FRAME = 1 << 16
CLOCK_CHUNK = 500  # traffic actions between yields to the event loop
DROP_FLUSH_TIMEOUT = 30.0  # a dropped client has this long to read its backlog and the 1013


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
    tenants: int | None = None  # None: 2 on v22 (for the system admin), else 1
    rest_token_ttl: float | None = None  # None: the documented 1800 s (oauth) / 3600 s
    rest_faults: list[RestFault] = field(default_factory=list)

    @property
    def tenant_count(self) -> int:
        if self.tenants is not None:
            return self.tenants
        return 2 if self.dialect == "v22" else 1


@dataclass(eq=False)
class Client:
    ws: web.WebSocketResponse
    principal: Principal | None = None
    subs: dict[str, Sub] = field(default_factory=dict)
    out: deque[str] = field(default_factory=deque)
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    dead: bool = False
    replies: int = 0
    sent: int = 0
    closing: asyncio.Task[Any] | None = None


class Simulator:
    """An embedded PortSIP PBX: `await start()`, read `url`, `await stop()`."""

    def __init__(self, config: SimConfig | None = None) -> None:
        self.config = config or SimConfig()
        if self.config.dialect not in ("v12", "v16", "v22"):
            raise ValueError(f"unknown dialect: {self.config.dialect!r}")
        self.dialect: Dialect = self.config.dialect  # type: ignore[assignment]
        cfg = self.config
        self.directory = build_rosters(cfg.agents, cfg.queues, cfg.tenant_count, cfg.seed)
        self.roster: Roster = self.directory.primary
        self.world: World | None = None
        self.traffic: Traffic | None = None
        self.renderer: Renderer | None = None
        self._stopping = asyncio.Event()
        self.rest = RestApi(
            self.directory,
            lambda: self.world,
            cfg.password,
            token_ttl=cfg.rest_token_ttl,
            stopping=self._stopping,
        )
        self.rest.faults.extend(cfg.rest_faults)
        self._runner: web.AppRunner | None = None
        self._clock_task: asyncio.Task[None] | None = None
        self._clients: list[Client] = []
        self._background: set[asyncio.Task[Any]] = set()
        self._url = ""
        self.frames_sent = 0
        self.clients_dropped = 0
        self._forward: Callable[[dict[str, Any]], None] | None = None
        self._prepared = False

    # --- life cycle ----------------------------------------------------------

    def prepare(self) -> None:
        """Build the world (its clock at `start_epoch`) without listening yet."""
        if self._prepared:
            return
        self._prepared = True
        cfg = self.config
        epoch = time.time() if cfg.start_epoch is None else cfg.start_epoch
        self._stopping.clear()
        self.world = World(
            self.dialect,
            self.directory,
            seed=cfg.seed,
            rate=cfg.rate,
            start_epoch=epoch,
            warmup=cfg.warmup,
            sink=self._on_happening,
        )
        self.traffic = self.world.primary.traffic
        self.renderer = self.world.primary.renderer

    def fast_forward(self, until: float, sink: Callable[[dict[str, Any]], None]) -> int:
        """Before `start()`: run the world up to `until`, the first tenant's events to `sink`.

        What a tenant admin subscribed to everything would have received (the
        demo's morning, written into its store before the TUI opens); returns
        the actions run.
        """
        self.prepare()
        assert self.world is not None
        if self.dialect != "v12":
            # A subscriber gets the pictures first (v16+): the queues' ids and numbers.
            primary = self.world.primary
            for payload in primary.renderer.extension_status(list(primary.roster.extensions)):
                sink(payload)
            for q in primary.traffic.queue_list:
                sink(primary.renderer.queue_status(q))
        self._forward = sink
        try:
            return self.world.advance_to(until)
        finally:
            self._forward = None

    async def start(self) -> None:
        """Build the world (unless `prepare()` did), listen, and (with autorun) start the clock."""
        cfg = self.config
        self.prepare()  # a world fast-forwarded before start() is kept; a restart gets a new one
        self._prepared = False
        app = web.Application(client_max_size=1 << 20)
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, cfg.host, cfg.port, ssl_context=cfg.ssl_context)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        server = site._server
        assert server is not None
        sock = next(iter(server.sockets))  # type: ignore[attr-defined]
        port = sock.getsockname()[1]
        host = cfg.host if ":" not in cfg.host else f"[{cfg.host}]"
        scheme = "wss" if cfg.ssl_context is not None else "ws"
        path = "/wsi" if self.dialect == "v22" else ""
        self._url = f"{scheme}://{host}:{port}{path}"
        if cfg.autorun:
            self._clock_task = asyncio.create_task(self._run_clock())

    async def stop(self) -> None:
        """Stop the clock, close every connection (1001) and the listener."""
        self._stopping.set()
        if self._clock_task is not None:
            self._clock_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._clock_task
            self._clock_task = None
        if self._runner is not None:
            runner, self._runner = self._runner, None
            closing = [
                asyncio.wait_for(
                    c.ws.close(code=WSCloseCode.GOING_AWAY, message=b"simulator stopping"), 2.0
                )
                for c in list(self._clients)
                if not c.ws.closed
            ]
            await asyncio.gather(*closing, return_exceptions=True)
            await runner.cleanup()
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
    def rest_url(self) -> str:
        """http(s)://HOST:PORT/api: the REST API beside the v22 WSI."""
        scheme, rest = self.url.split("://", 1)
        hostport = rest.split("/", 1)[0]
        return f"{'https' if scheme == 'wss' else 'http'}://{hostport}/api"

    @property
    def port(self) -> int:
        return int(self.url.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])

    @property
    def now(self) -> float:
        """The virtual clock (unix seconds)."""
        assert self.world is not None, "start() first"
        return self.world.now

    @property
    def tenants(self) -> list[Tenant]:
        """The simulated tenants, the first one (`demo`) first."""
        assert self.world is not None, "start() first"
        return self.world.tenants

    @property
    def rest_faults(self) -> list[RestFault]:
        """Misbehaviour of the REST API; tests append and clear (see RestFault)."""
        return self.rest.faults

    @property
    def rest_stats(self) -> RestStats:
        return self.rest.stats

    @property
    def client_count(self) -> int:
        return len(self._clients)

    def advance(self, seconds: float) -> int:
        """Move the virtual clock by `seconds` and push every event due (deterministic).

        Meant for tests with `autorun=False`; returns the number of actions run.
        The frames are queued synchronously; they reach sockets when the event
        loop next runs.
        """
        assert self.world is not None, "start() first"
        return self.world.advance_to(self.world.now + seconds)

    async def _run_clock(self) -> None:
        world = self.world
        assert world is not None
        loop = asyncio.get_running_loop()
        real0 = loop.time()
        virt0 = world.now
        speed = self.config.speed
        while True:
            await asyncio.sleep(self.config.tick)
            target = virt0 + (loop.time() - real0) * speed
            # Small chunks with a yield in between let the writers drain a big
            # catch-up step (high --speed) instead of piling it into queues.
            for _ in range(40):
                if world.advance_to(target, budget=CLOCK_CHUNK) < CLOCK_CHUNK:
                    break
                await asyncio.sleep(0)

    # --- HTTP ----------------------------------------------------------------

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        """One port, as on the PBX: the WSI at / (v12, v16) or /wsi (v22), REST at /api."""
        path = request.path.rstrip("/")
        if self.dialect == "v22":
            if path == "/wsi":
                return await self._websocket(request)
            if path == "/api" or path.startswith("/api/"):
                return await self.rest.handle(request)
            return _http_error(404, "the v22 WSI endpoint is /wsi, the REST API /api\n")
        if path == "":
            return await self._websocket(request)
        if path == "/wsi":
            return _http_error(404, f"this simulator speaks {self.dialect}: use the path /\n")
        if path == "/api" or path.startswith("/api/"):
            return _http_error(404, "no REST API here: the simulator serves /api on v22 only\n")
        return _http_error(404, f"this simulator speaks {self.dialect}: use the path /\n")

    async def _websocket(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(
            max_msg_size=MAX_INCOMING_FRAME, compress=False, autoping=True, timeout=2.0
        )
        if not ws.can_prepare(request).ok:
            return _http_error(426, "this is a WebSocket endpoint: upgrade the connection\n")
        await ws.prepare(request)
        client = Client(ws)
        self._clients.append(client)
        writer = asyncio.create_task(self._writer(client))
        try:
            async for msg in ws:
                if client.dead:
                    break
                if msg.type is WSMsgType.TEXT or msg.type is WSMsgType.BINARY:
                    self._on_frame(client, msg.data)
                else:  # ERROR: aiohttp has closed it (e.g. 1009 for a too big frame)
                    break
        finally:
            client.dead = True
            with contextlib.suppress(ValueError):
                self._clients.remove(client)
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await writer
            if client.closing is not None:
                # A dropped client reads its backlog and the 1013 before we hang up.
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await client.closing
        return ws

    async def _writer(self, client: Client) -> None:
        out = client.out
        ws = client.ws
        try:
            while True:
                while out:
                    text = out.popleft()
                    await ws.send_str(text)
                    client.sent += 1
                    self.frames_sent += 1
                client.wake.clear()
                await client.wake.wait()
        except (ConnectionError, RuntimeError):
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
        task = asyncio.get_running_loop().create_task(self._close_slow(client))
        client.closing = task
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _close_slow(self, client: Client) -> None:
        # drain=True: the close frame waits behind the frames already written,
        # so the client learns why (1013) once it has read them.
        with contextlib.suppress(asyncio.TimeoutError, ConnectionError, RuntimeError):
            await asyncio.wait_for(
                client.ws.close(code=OVERFLOW_CLOSE_CODE, message=OVERFLOW_REASON.encode()),
                DROP_FLUSH_TIMEOUT,
            )

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
        who = self.directory.authenticate(self.dialect, cmd, self.config.password)
        if who is None:
            text = V12_AUTH_ERROR if self.dialect == "v12" else V16_AUTH_ERROR
            self._reply(client, "auth", cid, text)
            return
        client.principal = who
        self._reply(client, "auth", cid, None)

    def _subscribe(self, client: Client, cmd: dict[str, Any]) -> list[str]:
        """Validate all, then apply all; returns the status pictures to send (v16+)."""
        assert client.principal is not None
        plan = plan_subscribe(self.directory, self.dialect, client.principal, cmd)
        apply_subscribe(client.subs, plan)
        if self.dialect == "v12":
            return []
        pictures: list[str] = []
        for topic, _ in plan.topics:
            base = topic.removeprefix("global_")
            for roster in plan.rosters:
                pictures.extend(self._pictures(roster, base, plan.exts, plan.queues))
        return pictures

    def _unsubscribe(self, client: Client, cmd: dict[str, Any]) -> None:
        assert client.principal is not None
        unsubscribe(self.directory, self.dialect, client.principal, client.subs, cmd)

    def _pictures(
        self, roster: Roster, base: str, exts: set[str] | None, queues: set[str] | None
    ) -> list[str]:
        """v16+ sends the current status right after a subscribe (PORTSIP-WSI.md §3)."""
        assert self.world is not None
        tenant = self.world.by_id[roster.tenant_id]
        if base == "extension_events":
            numbers = [n for n in roster.extensions if exts is None or n in exts]
            return [_dumps(p) for p in tenant.renderer.extension_status(numbers)]
        if base == "queue_events":
            return [
                _dumps(tenant.renderer.queue_status(q))
                for q in tenant.traffic.queue_list
                if queues is None or q.number in queues
            ]
        return []

    # --- fan-out -------------------------------------------------------------

    def _on_happening(self, tenant: Tenant, kind: str, data: dict[str, Any]) -> None:
        if self._forward is not None:
            if tenant.index == 0:
                for out in tenant.renderer.render(kind, data):
                    self._forward(out.payload)
            return
        clients = [c for c in self._clients if c.subs and not c.dead]
        if not clients:
            return
        tid = tenant.tenant_id
        for out in tenant.renderer.render(kind, data):
            self._fan_out(clients, out, tid)

    def _fan_out(self, clients: list[Client], out: Out, tenant_id: str) -> None:
        text: str | None = None
        topic = out.topic
        gtopic = "global_" + topic
        for c in clients:
            sub = c.subs.get(topic) or c.subs.get(gtopic)
            if sub is None:
                continue
            if sub.tenants is not None and tenant_id not in sub.tenants:
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


def _http_error(status: int, body: str) -> web.Response:
    return web.Response(status=status, text=body, content_type="text/plain")
