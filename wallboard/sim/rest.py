"""The simulator's PortSIP REST API (v22): `/api` beside `/wsi` on the same port.

Only what the wallboard needs, shaped as shared/protocol/PORTSIP-REST.md and
PortSIP's v22 OpenAPI documents describe it:

- `POST /api/login/oauth/token` (form; `grant_type=password` with `username`,
  `password`, `domain` (none for the system admin), `scope`, `client_id`; or
  `grant_type=refresh_token` with `refresh_token`, `client_id`), `POST
  /api/login/oauth/revoke`; `POST /api/login` (JSON), `GET /api/login`,
  `POST /api/logout`. A failed login is 400 with
  `{"errors": [{"code": "UNAUTHORIZED", "message": "Login failed, ..."}]}`.
- `GET /api/users`, `/api/call_queues`, `/api/call_queues/{id}`,
  `/api/call_queues/{id}/agents`: lists page with `top` (1..100, the
  documented schema maximum: more is a 400) and `skip`; `count=true` adds
  the total.
- `GET /api/tenant` (the caller's tenant), and for the system admin `GET
  /api/tenants` and `POST /api/tenants/switch?id=...` (the documented way a
  system admin works inside one tenant).

Every other call needs `Authorization: Bearer <access_token>` (401 without
a valid one). REST ids are the base64 of the WSI's decimal ids, as in the
documents' examples (`NzAwNTUxOTA5NzczMTQ4MTYw` = base64 of
`700551909773148160`).

Guesses where the documents are silent, kept simple and stated here: error
bodies always have the `errors` list above; 403 for a role that may not list
something (an extension's own account may not list users); a system admin
that has not switched to a tenant lists no users or queues; the access token
stays valid until it expires even after a refresh, but a refresh token works
once.

Tests make the API misbehave through `RestFault`s (`Simulator.rest_faults`).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import secrets
import time
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from wallboard.sim.accounts import ADMIN_USER, SYSADMIN_USER, Directory, Principal, Roster
from wallboard.sim.world import World

OAUTH_CLIENT_ID = "9d806019-75b2-4b3d-bb8b-f5a3a412cc0a"
OAUTH_TTL = 1800.0  # expires_in of the documented oauth example
LOGIN_TTL = 3600.0  # expires_in of the documented /api/login example
MAX_TOP = 100
MAX_SESSIONS = 10_000
_JSON = "application/json"


@dataclass
class RestFault:
    """One way the simulator's REST API misbehaves, for tests.

    It applies to requests whose path (below `/api`) starts with one of
    `paths` (all of them when empty), `times` times (forever when None).
    Effects, in this order: wait `delay` seconds; `reset` drops the
    connection; `status` answers that HTTP status (a PortSIP error body, or
    `body`); `body` answers 200 with those bytes; `huge` streams that many
    bytes of never-ending JSON. `names` (number -> display name) only
    rewrites the names in user and agent lists and lets the request through.
    """

    status: int | None = None
    delay: float = 0.0
    body: bytes | None = None
    content_type: str = _JSON
    huge: int = 0
    reset: bool = False
    retry_after: int | None = None
    names: Mapping[str, str] | None = None
    paths: tuple[str, ...] = ()
    times: int | None = None
    hits: int = 0

    def matches(self, path: str) -> bool:
        if self.times is not None and self.hits >= self.times:
            return False
        return not self.paths or any(path.startswith(p) for p in self.paths)


@dataclass(eq=False)
class Session:
    """One REST login: the bearer token, its expiry, the tenant it works in."""

    principal: Principal
    role: str
    access_token: str
    expires_at: float  # time.monotonic()
    ttl: float
    refresh_token: str | None = None
    tenant_id: str = ""  # the system admin's switched-to tenant; everybody else's own
    revoked: bool = False


@dataclass
class RestStats:
    """What the API was asked (tests check that the client pages and refreshes)."""

    requests: list[str] = field(default_factory=list)
    logins: int = 0
    refreshes: int = 0


def rest_id(decimal_id: str) -> str:
    """The REST API's id of a WSI id: base64 of its decimal digits."""
    return base64.b64encode(decimal_id.encode()).decode()


def _from_rest_id(value: str) -> str | None:
    try:
        raw = base64.b64decode(value.encode(), validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    return raw if raw.isdigit() else None


def username_of(roster: Roster, number: str) -> str:
    """An extension's account name: its first name in ASCII plus its number."""
    first = roster.ext_names.get(number, "").split(" ")[0]
    ascii_first = unicodedata.normalize("NFKD", first).encode("ascii", "ignore").decode().lower()
    ascii_first = "".join(ch for ch in ascii_first if ch.isalnum())
    return f"{ascii_first or 'user'}{number}"


def _error(status: int, code: str, message: str, **headers: str) -> web.Response:
    body = json.dumps({"errors": [{"code": code, "message": message}]})
    return web.Response(status=status, text=body, content_type=_JSON, headers=headers)


def _ok(payload: Any, status: int = 200) -> web.Response:
    return web.Response(status=status, text=json.dumps(payload), content_type=_JSON)


class _Fail(Exception):
    def __init__(self, response: web.Response) -> None:
        self.response = response


class RestApi:
    """The `/api` routes of one simulator (v22)."""

    def __init__(
        self,
        directory: Directory,
        world: Callable[[], World | None],
        password: str,
        *,
        token_ttl: float | None = None,
        stopping: asyncio.Event,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.directory = directory
        self._world = world
        self.password = password
        self.token_ttl = token_ttl
        self.faults: list[RestFault] = []
        self.stats = RestStats()
        self._stopping = stopping
        self._clock = clock
        self._sessions: dict[str, Session] = {}
        self._refresh: dict[str, Session] = {}
        self._routes: dict[tuple[str, str], Callable[..., Any]] = {
            ("POST", "/login/oauth/token"): self._oauth_token,
            ("POST", "/login/oauth/revoke"): self._revoke,
            ("POST", "/login"): self._login,
            ("GET", "/login"): self._login_status,
            ("POST", "/logout"): self._revoke,
            ("GET", "/users"): self._users,
            ("GET", "/call_queues"): self._queues,
            ("GET", "/tenant"): self._tenant,
            ("GET", "/tenants"): self._tenants,
            ("POST", "/tenants/switch"): self._switch,
        }

    # ------------------------------------------------------------------ entry
    async def handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path.removeprefix("/api").rstrip("/") or "/"
        self.stats.requests.append(f"{request.method} {path}")
        fault = next((f for f in self.faults if f.names is None and f.matches(path)), None)
        if fault is not None:
            fault.hits += 1
            answer = await self._misbehave(request, fault)
            if answer is not None:
                return answer
        try:
            return await self._route(request, path)
        except _Fail as fail:
            return fail.response

    async def _route(self, request: web.Request, path: str) -> web.StreamResponse:
        handler = self._routes.get((request.method, path))
        if handler is not None:
            return await handler(request)
        parts = path.strip("/").split("/")
        if request.method == "GET" and parts[0] == "call_queues" and len(parts) in (2, 3):
            if len(parts) == 2:
                return await self._queue(request, parts[1])
            if parts[2] == "agents":
                return await self._agents(request, parts[1])
        known = {p for _, p in self._routes}
        if path in known:
            return _error(405, "METHOD_NOT_ALLOWED", f"{request.method} is not allowed here")
        return _error(404, "NOT_FOUND", f"no such resource: /api{path}")

    async def _misbehave(self, request: web.Request, fault: RestFault) -> web.StreamResponse | None:
        if fault.delay > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), fault.delay)
        if fault.reset:
            if request.transport is not None:
                request.transport.abort()
            return web.Response(status=500)  # never arrives: the connection is gone
        if fault.status is not None:
            headers = {}
            if fault.retry_after is not None:
                headers["Retry-After"] = str(fault.retry_after)
            if fault.body is not None:
                return web.Response(
                    status=fault.status,
                    body=fault.body,
                    content_type=fault.content_type,
                    headers=headers,
                )
            code = {401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND"}.get(
                fault.status, "TOO_MANY_REQUESTS" if fault.status == 429 else "UNKNOWN"
            )
            return _error(fault.status, code, "simulated failure", **headers)
        if fault.body is not None:
            return web.Response(body=fault.body, content_type=fault.content_type)
        if fault.huge > 0:
            return await self._huge(request, fault.huge)
        return None

    async def _huge(self, request: web.Request, size: int) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": _JSON})
        await resp.prepare(request)
        chunk = (b'{"extension_number":"101","display_name":"' + b"x" * 4000 + b'"},') * 16
        sent = 0
        with contextlib.suppress(ConnectionError, RuntimeError):
            await resp.write(b'{"items":[')
            while sent < size and not self._stopping.is_set():
                await resp.write(chunk)
                sent += len(chunk)
            await resp.write_eof()
        return resp

    # ------------------------------------------------------------------ login
    def _issue(self, who: Principal, kind: str) -> Session:
        now = self._clock()
        if len(self._sessions) >= MAX_SESSIONS:
            self._prune(now)
        ttl = self.token_ttl or (OAUTH_TTL if kind == "oauth" else LOGIN_TTL)
        session = Session(
            principal=who,
            role=self._role(who),
            access_token=secrets.token_urlsafe(24),
            expires_at=now + ttl,
            ttl=ttl,
            tenant_id=who.tenant_id,
        )
        if kind == "oauth":
            session.refresh_token = secrets.token_urlsafe(24)
            self._refresh[session.refresh_token] = session
        self._sessions[session.access_token] = session
        return session

    def _prune(self, now: float) -> None:
        for token, s in list(self._sessions.items()):
            if s.revoked or s.expires_at < now - 3600:
                del self._sessions[token]
                if s.refresh_token:
                    self._refresh.pop(s.refresh_token, None)

    def _role(self, who: Principal) -> str:
        if who.kind == "sysadmin":
            return "SystemAdmin"
        if who.kind == "tenant":
            return "Admin"
        roster = self.directory.roster_of(who)
        return "QueueManager" if who.name == roster.supervisor else "StandardUser"

    def _check_login(self, username: Any, password: Any, domain: Any) -> Principal:
        if not isinstance(username, str) or not username or not isinstance(password, str):
            raise _Fail(_error(400, "INVALID_ARGUMENT", "username and password are required"))
        if domain in (None, ""):
            if username == SYSADMIN_USER and secrets.compare_digest(password, self.password):
                return Principal("sysadmin", SYSADMIN_USER)
            raise _Fail(_error(400, "UNAUTHORIZED", "Login failed, authentication error"))
        for roster in self.directory.rosters:
            if roster.domain != domain:
                continue
            if not secrets.compare_digest(password, self.password):
                break
            if username == ADMIN_USER:
                return Principal("tenant", ADMIN_USER, roster.tenant_id)
            for number in roster.extensions:
                if username in (number, username_of(roster, number)):
                    return Principal("extension", number, roster.tenant_id)
            break
        raise _Fail(_error(400, "UNAUTHORIZED", "Login failed, authentication error"))

    async def _oauth_token(self, request: web.Request) -> web.Response:
        if request.content_type != "application/x-www-form-urlencoded":
            return _error(400, "INVALID_ARGUMENT", "expected a form (x-www-form-urlencoded)")
        form = await request.post()
        if form.get("client_id") != OAUTH_CLIENT_ID:
            return _error(400, "INVALID_CLIENT", "unknown client_id")
        grant = form.get("grant_type")
        if grant == "password":
            who = self._check_login(form.get("username"), form.get("password"), form.get("domain"))
            session = self._issue(who, "oauth")
            self.stats.logins += 1
        elif grant == "refresh_token":
            old = self._refresh.pop(str(form.get("refresh_token", "")), None)
            if old is None or old.revoked:
                return _error(400, "UNKNOWN", "unknown error")
            session = self._issue(old.principal, "oauth")
            session.tenant_id = old.tenant_id
            self.stats.refreshes += 1
        else:
            return _error(400, "INVALID_ARGUMENT", "grant_type must be password or refresh_token")
        return _ok(
            {
                "access_token": session.access_token,
                "expires_in": int(session.ttl),
                "refresh_token": session.refresh_token,
                "token_type": "Bearer",
            }
        )

    async def _login(self, request: web.Request) -> web.Response:
        try:
            data = await request.json()
        except ValueError:
            return _error(400, "INVALID_ARGUMENT", "expected a JSON object")
        if not isinstance(data, dict):
            return _error(400, "INVALID_ARGUMENT", "expected a JSON object")
        who = self._check_login(data.get("username"), data.get("password"), data.get("domain"))
        session = self._issue(who, "login")
        self.stats.logins += 1
        return _ok(self._login_body(session))

    def _login_body(self, session: Session) -> dict[str, Any]:
        left = max(0.0, session.expires_at - self._clock())
        expires_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + left))
        return {
            "access_token": session.access_token,
            "expires_at": expires_at,
            "expires_in": round(left),
            "role": session.role,
        }

    async def _login_status(self, request: web.Request) -> web.Response:
        return _ok(self._login_body(self._session(request)))

    async def _revoke(self, request: web.Request) -> web.Response:
        session = self._session(request)
        session.revoked = True
        self._sessions.pop(session.access_token, None)
        if session.refresh_token:
            self._refresh.pop(session.refresh_token, None)
        if request.path.rstrip("/").endswith("/logout"):
            return web.Response(status=204)
        return web.Response(status=200)

    def _session(self, request: web.Request) -> Session:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        session = self._sessions.get(token.strip()) if scheme.lower() == "bearer" else None
        if session is None or session.revoked or session.expires_at <= self._clock():
            raise _Fail(
                _error(401, "UNAUTHORIZED", "the access token is missing, invalid or expired")
            )
        return session

    # ------------------------------------------------------------------ data
    def _tenant_roster(self, session: Session, *, need: tuple[str, ...]) -> Roster | None:
        """The roster `session` works in, or 403 when its role may not do this."""
        if session.role not in need:
            raise _Fail(_error(403, "FORBIDDEN", f"the role {session.role} may not do this"))
        return self.directory.by_id.get(session.tenant_id)

    def _page(self, request: web.Request, items: list[dict[str, Any]]) -> web.Response:
        q = request.query
        try:
            top = int(q.get("top", str(MAX_TOP)))
            skip = int(q.get("skip", "0"))
        except ValueError:
            return _error(400, "INVALID_ARGUMENT", "top and skip must be integers")
        if not 1 <= top <= MAX_TOP:
            return _error(400, "INVALID_ARGUMENT", f"top must be between 1 and {MAX_TOP}")
        if skip < 0:
            return _error(400, "INVALID_ARGUMENT", "skip must be >= 0")
        body: dict[str, Any] = {"items": items[skip : skip + top]}
        if q.get("count", "").lower() == "true":
            body["count"] = len(items)
        return _ok(body)

    def _names_fault(self, path: str) -> Mapping[str, str]:
        fault = next((f for f in self.faults if f.names is not None and f.matches(path)), None)
        if fault is None:
            return {}
        fault.hits += 1
        assert fault.names is not None
        return fault.names

    async def _users(self, request: web.Request) -> web.Response:
        session = self._session(request)
        roster = self._tenant_roster(session, need=("Admin", "SystemAdmin"))
        if roster is None:
            return self._page(request, [])
        world = self._world()
        created = world.by_id[roster.tenant_id].traffic.created_exts if world else {}
        names = dict(roster.ext_names)
        names.update(created)
        names.update(self._names_fault("/users"))
        items = []
        for number in [*roster.extensions, *created]:
            user = username_of(roster, number) if roster.is_extension(number) else f"new{number}"
            queue = roster.queue_of_ext.get(number)
            items.append(
                {
                    "id": rest_id(str(int(roster.tenant_id) + 1_000_000 + int(number))),
                    "name": user,
                    "enabled": True,
                    "email": f"{user}@{roster.domain}",
                    "display_name": names[number],
                    "role": "QueueManager" if number == roster.supervisor else "StandardUser",
                    "mobile_phone": "",
                    "work_phone": "",
                    "home_phone": "",
                    "address": "",
                    "department": roster.queue_names[queue] if queue else "",
                    "extension_number": number,
                    "created_at": "2024-01-15T09:00:00Z",
                }
            )
        return self._page(request, items)

    def _queue_item(self, roster: Roster, number: str, detail: bool) -> dict[str, Any]:
        item: dict[str, Any] = {
            "id": rest_id(roster.queue_ids[number]),
            "name": roster.queue_names[number],
            "extension_number": number,
            "polling_strategy": "LEAST_WORKED_HUNT",
        }
        if detail:
            world = self._world()
            q = world.by_id[roster.tenant_id].traffic.queues[number] if world else None
            item.update(
                {
                    "ring_time": 15,
                    "max_callers": 50,
                    "max_waiting_time": q.max_wait if q else 120,
                    "sla_time": q.sla if q else 20,
                    "enable_callback": True,
                }
            )
        return item

    async def _queues(self, request: web.Request) -> web.Response:
        session = self._session(request)
        roster = self._tenant_roster(session, need=("Admin", "SystemAdmin", "QueueManager"))
        if roster is None:
            return self._page(request, [])
        return self._page(request, [self._queue_item(roster, q, False) for q in roster.queues])

    def _find_queue(self, session: Session, qid: str) -> tuple[Roster, str]:
        roster = self._tenant_roster(session, need=("Admin", "SystemAdmin", "QueueManager"))
        decimal = _from_rest_id(qid)
        if roster is not None and decimal is not None:
            for number, value in roster.queue_ids.items():
                if value == decimal:
                    return roster, number
        raise _Fail(_error(404, "NOT_FOUND", "no such call queue"))

    async def _queue(self, request: web.Request, qid: str) -> web.Response:
        roster, number = self._find_queue(self._session(request), qid)
        return _ok(self._queue_item(roster, number, True))

    async def _agents(self, request: web.Request, qid: str) -> web.Response:
        roster, number = self._find_queue(self._session(request), qid)
        names = dict(roster.ext_names)
        names.update(self._names_fault("/call_queues"))
        items = [
            {"extension_number": n, "display_name": names[n], "skill_level": 1}
            for n in roster.agents_of_queue[number]
        ]
        return self._page(request, items)

    def _tenant_item(self, roster: Roster) -> dict[str, Any]:
        return {
            "id": rest_id(roster.tenant_id),
            "name": roster.tenant_name,
            "domain": roster.domain,
            "enabled": True,
            "max_extensions": 1000,
            "max_concurrent_calls": 100,
            "timezone": "UTC",
            "created_at": "2024-01-01T00:00:00Z",
        }

    async def _tenant(self, request: web.Request) -> web.Response:
        session = self._session(request)
        roster = self._tenant_roster(session, need=("Admin", "SystemAdmin"))
        if roster is None:
            return _error(400, "INVALID_ARGUMENT", "switch to a tenant first")
        return _ok(self._tenant_item(roster))

    async def _tenants(self, request: web.Request) -> web.Response:
        session = self._session(request)
        self._tenant_roster(session, need=("SystemAdmin",))
        return self._page(request, [self._tenant_item(r) for r in self.directory.rosters])

    async def _switch(self, request: web.Request) -> web.Response:
        session = self._session(request)
        self._tenant_roster(session, need=("SystemAdmin",))
        decimal = _from_rest_id(request.query.get("id", ""))
        if decimal is None or decimal not in self.directory.by_id:
            return _error(404, "NOT_FOUND", "no such tenant")
        session.tenant_id = decimal
        return web.Response(status=200)
