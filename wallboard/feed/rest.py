"""A PortSIP REST API client: just enough to learn display names (v22).

Why a second connection at all: the WSI tells who is on a call by number; the
people's names live in the PBX's user directory, which only the REST API
serves (shared/protocol/PORTSIP-REST.md). The REST API sits on the same host
and port as the v22 WSI, under `/api`, and takes the same credentials.

Everything from the PBX is untrusted and may be wrong in any way, so this
module is strict: a body larger than `max_body` is cut off, anything that is
not the JSON shape we expect is an error, a name with control characters is
refused (counted, never passed on), and every failure becomes one
`RestError` with one clear line that never contains the password or a token.

Login: three generations are documented; they are tried in order and the one
that answers is remembered: `POST /api/login/oauth/token` (form, refresh with
`grant_type=refresh_token`), `POST /api/login` (JSON; no refresh: log in
again), `POST /api/auth/sign_in` (JSON, refresh at `/api/auth/refresh_token`).
The token is refreshed before it expires, and once more after a 401.

Lists page with `top=100` (the documented maximum) and `skip`, and stop at a
short page, at a page that brings nothing new (a PBX that ignores `skip`), or
after `max_pages`.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
import orjson

from wallboard.feed.restdata import (
    NameList,
    RestError,
    RestQueue,
    RestTenant,
    clean_name,
    names_of,
    one_line,
    page_items,
    queue_of,
    rest_url_for,
    tenant_of,
    wsi_tenant_id,
)
from wallboard.feed.secrets import Secret, display_url

OAUTH_CLIENT_ID = "9d806019-75b2-4b3d-bb8b-f5a3a412cc0a"  # PortSIP's documented public id
MiB = 1024 * 1024
PAGE_SIZE = 100  # `top` may not exceed 100
MAX_TOKEN = 4096


@dataclass(slots=True)
class _Token:
    access: Secret
    renew_at: float  # monotonic: refresh (or log in again) from then on
    refresh: Secret | None
    generation: int


class PortsipRest:
    """One REST session on one PBX: `await users()`, `await call_queues()`, ...

    `ssl_context` is the WebSocket's (same `--ca-file` / `--insecure`); without
    one, https is verified against the system's CAs, as the WebSocket would be.
    Use as an async context manager, or call `aclose()`.
    """

    def __init__(
        self,
        base_url: str,
        *,
        username: str,
        password: Secret,
        domain: str | None,
        ssl_context: ssl.SSLContext | None = None,
        timeout: float = 10.0,
        max_body: int = 8 * MiB,
        max_pages: int = 200,
        refresh_margin: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.username = username
        self._password = password
        self.domain = domain or None
        self.timeout = timeout
        self.max_body = max_body
        self.max_pages = max_pages
        self.refresh_margin = refresh_margin
        self._clock = clock
        self._token: _Token | None = None
        self._generation: int | None = None  # which login generation this PBX answers
        self._lock = asyncio.Lock()
        self.logins = 0
        self.refreshes = 0
        self._client = httpx.AsyncClient(
            verify=ssl_context if ssl_context is not None else ssl.create_default_context(),
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            trust_env=False,  # no proxies or netrc from the environment: same as the WSI
            headers={"User-Agent": "wallboard", "Accept": "application/json"},
            limits=httpx.Limits(max_connections=4, max_keepalive_connections=2),
        )

    def __repr__(self) -> str:
        return f"<PortsipRest {display_url(self.base_url)} user={self.username!r} password=***>"

    @property
    def where(self) -> str:
        parts = urlsplit(self.base_url)
        return parts.netloc.rpartition("@")[2] or self.base_url

    async def aclose(self) -> None:
        await self._client.aclose()

    async def __aenter__(self) -> PortsipRest:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # --------------------------------------------------------------- transport
    async def _send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        form: Mapping[str, str] | None = None,
        body: Mapping[str, Any] | None = None,
        bearer: bool = True,
    ) -> tuple[int, httpx.Headers, bytes]:
        """One request; the status, headers and at most `max_body` bytes of the body."""
        headers: dict[str, str] = {}
        if bearer:
            token = await self._valid_token()
            headers["Authorization"] = f"Bearer {token.access.reveal()}"
        content: bytes | None = None
        if body is not None:
            content = orjson.dumps(dict(body))
            headers["Content-Type"] = "application/json"
        label = f"{method} /api{path}"
        try:
            async with asyncio.timeout(self.timeout * 2):
                async with self._client.stream(
                    method,
                    self.base_url + path,
                    params=params,
                    data=form,
                    content=content,
                    headers=headers,
                ) as resp:
                    length = resp.headers.get("content-length", "")
                    if length.isdigit() and int(length) > self.max_body:
                        raise self._too_large(label)
                    buf = bytearray()
                    async for chunk in resp.aiter_bytes():
                        buf += chunk
                        if len(buf) > self.max_body:
                            raise self._too_large(label)
                    return resp.status_code, resp.headers, bytes(buf)
        except RestError:
            raise
        except (TimeoutError, httpx.TimeoutException):
            raise RestError(
                f"the PBX's REST API did not answer {label} within {self.timeout:g} s", "timeout"
            ) from None
        except httpx.HTTPError as exc:
            raise self._transport_error(exc, label) from None
        except OSError as exc:
            raise RestError(
                f"REST request {label} to {self.where} failed: {exc.strerror or type(exc).__name__}",
                "connect",
            ) from None

    def _too_large(self, label: str) -> RestError:
        return RestError(
            f"the PBX's answer to {label} is larger than {_size(self.max_body)}; ignored",
            "too_large",
        )

    def _transport_error(self, exc: httpx.HTTPError, label: str) -> RestError:
        chain: list[BaseException] = []
        link: BaseException | None = exc
        while link is not None and len(chain) < 10:
            chain.append(link)
            link = link.__cause__ or link.__context__
        # The most telling cause: TLS, refused, DNS; else the deepest OSError.
        cause: BaseException | None = next(
            (
                c
                for kind in (ssl.SSLError, ConnectionRefusedError, socket.gaierror)
                for c in chain
                if isinstance(c, kind)
            ),
            None,
        )
        if cause is None:
            cause = next((c for c in reversed(chain) if isinstance(c, OSError)), None)
        where = self.where
        if isinstance(cause, ssl.SSLCertVerificationError):
            why = cause.verify_message or cause.reason or "verification failed"
            return RestError(
                f"the TLS certificate of {where} does not verify for the REST API ({why}); "
                "use --ca-file PATH or --insecure",
                "tls",
            )
        if isinstance(cause, ssl.SSLError):
            return RestError(f"TLS with {where} failed for the REST API ({cause.reason})", "tls")
        if isinstance(cause, ConnectionRefusedError):
            return RestError(f"connection refused by {where} (REST API, {label})", "connect")
        if isinstance(cause, socket.gaierror):
            return RestError(f"cannot resolve {where} for the REST API", "connect")
        if isinstance(exc, httpx.RemoteProtocolError):
            return RestError(f"{where} broke off the REST answer to {label}", "connect")
        if isinstance(cause, OSError):
            why = cause.strerror or type(cause).__name__
            return RestError(f"REST request {label} to {where} failed: {why}", "connect")
        return RestError(f"REST request {label} to {where} failed: {type(exc).__name__}", "connect")

    def _json(self, label: str, status: int, headers: httpx.Headers, data: bytes) -> Any:
        ctype = headers.get("content-type", "").split(";", 1)[0].strip().lower()
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            pass
        if ctype == "text/html" or data.lstrip()[:1] == b"<":
            what = "an HTML page"
        elif not data.strip():
            what = "an empty body"
        else:
            what = f"something that is not JSON ({ctype or 'no content type'})"
        raise RestError(
            f"the PBX answered {label} with {what} (HTTP {status}), not JSON", "not_json"
        )

    def _status_error(
        self, label: str, status: int, headers: httpx.Headers, data: bytes
    ) -> RestError:
        detail = ""
        with contextlib.suppress(Exception):
            doc = orjson.loads(data)
            err = doc["errors"][0]
            code, message = str(err.get("code", "")), str(err.get("message", ""))
            detail = one_line(f"{code}: {message}" if code else message)
        tail = f" ({detail})" if detail else ""
        if status == 401:
            return RestError(
                f"the PBX's REST API refused the access token for {label}{tail}",
                "token",
                status=status,
            )
        if status == 403:
            return RestError(
                f"this account may not use {label} on the PBX's REST API (HTTP 403){tail}",
                "forbidden",
                status=status,
            )
        if status == 404:
            return RestError(
                f"the PBX has no REST endpoint {label} (HTTP 404): a v22 PBX has one",
                "not_found",
                status=status,
            )
        if status == 429:
            retry = _retry_after(headers.get("retry-after"))
            wait = f"; it asks to wait {retry:g} s" if retry else ""
            return RestError(
                f"the PBX's REST API is rate-limiting (HTTP 429){wait}",
                "rate_limited",
                status=status,
                retry_after=retry,
            )
        return RestError(
            f"the PBX answered {label} with HTTP {status}{tail}", "http", status=status
        )

    # ------------------------------------------------------------------ tokens
    async def _valid_token(self) -> _Token:
        async with self._lock:
            token = self._token
            now = self._clock()
            if token is None:
                return await self._login()
            if now < token.renew_at:
                return token
            if token.refresh is not None:
                try:
                    return await self._refresh(token)
                except RestError as exc:
                    if exc.kind not in ("auth", "token", "http", "invalid", "not_json"):
                        raise
            return await self._login()

    async def login(self) -> None:
        """Log in now (the first call logs in by itself; this is for "fail early")."""
        async with self._lock:
            await self._login()

    async def _login(self) -> _Token:
        generations = [self._generation] if self._generation else [1, 2, 3]
        last: RestError | None = None
        for gen in generations:
            try:
                token = await self._login_with(gen)
            except RestError as exc:
                if exc.kind == "not_found" or exc.status == 405:
                    last = exc
                    continue
                raise
            self._generation = gen
            self._token = token
            self.logins += 1
            return token
        assert last is not None
        raise RestError(
            f"the PBX at {self.where} has no REST login this wallboard knows "
            "(tried /api/login/oauth/token, /api/login, /api/auth/sign_in)",
            "not_found",
        )

    def _credentials(self) -> dict[str, str]:
        creds = {"username": self.username, "password": self._password.reveal()}
        if self.domain:
            creds["domain"] = self.domain
        return creds

    async def _login_with(self, gen: int) -> _Token:
        if gen == 1:
            form = {"grant_type": "password", "scope": "all", "client_id": OAUTH_CLIENT_ID}
            form.update(self._credentials())
            answer = await self._auth_call("/login/oauth/token", form=form)
        elif gen == 2:
            answer = await self._auth_call("/login", body=self._credentials())
        else:
            answer = await self._auth_call("/auth/sign_in", body=self._credentials())
            if answer.get("two_factor_enabled") is True:
                raise RestError(
                    "the wallboard's PBX account uses two-factor sign-in; "
                    "give it an account without 2FA for the REST API",
                    "auth",
                )
        return self._token_from(answer, gen)

    async def _refresh(self, token: _Token) -> _Token:
        assert token.refresh is not None
        if token.generation == 1:
            form = {
                "grant_type": "refresh_token",
                "refresh_token": token.refresh.reveal(),
                "client_id": OAUTH_CLIENT_ID,
            }
            answer = await self._auth_call("/login/oauth/token", form=form)
        else:
            answer = await self._auth_call(
                "/auth/refresh_token", body={"refresh_token": token.refresh.reveal()}
            )
        new = self._token_from(answer, token.generation)
        self._token = new
        self.refreshes += 1
        return new

    async def _auth_call(
        self,
        path: str,
        *,
        form: Mapping[str, str] | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        label = f"POST /api{path}"
        status, headers, data = await self._send("POST", path, form=form, body=body, bearer=False)
        if status in (400, 401, 403):
            detail = ""
            with contextlib.suppress(Exception):
                err = orjson.loads(data)["errors"][0]
                detail = one_line(str(err.get("message", "")))
            tail = f" ({detail})" if detail else ""
            raise RestError(
                f"the PBX's REST API rejected the credentials (HTTP {status}){tail}",
                "auth",
                status=status,
            )
        if status != 200:
            raise self._status_error(label, status, headers, data)
        doc = self._json(label, status, headers, data)
        if not isinstance(doc, dict):
            raise RestError(f"the PBX answered {label} with JSON that is not an object", "invalid")
        return doc

    def _token_from(self, doc: dict[str, Any], gen: int) -> _Token:
        access = doc.get("access_token")
        if (
            not isinstance(access, str)
            or not access
            or len(access) > MAX_TOKEN
            or not access.isascii()
        ):
            raise RestError("the PBX's REST login answer has no usable access_token", "invalid")
        if any(ch.isspace() or not ch.isprintable() for ch in access):
            raise RestError("the PBX's REST login answer has no usable access_token", "invalid")
        expires = doc.get("expires_in")
        if isinstance(expires, bool) or not isinstance(expires, int | float) or expires <= 0:
            expires = 1800  # the documented lifetime, when the PBX does not say
        expires = min(float(expires), 86400.0)
        refresh = doc.get("refresh_token")
        refresh_secret = None
        if isinstance(refresh, str) and refresh and len(refresh) <= MAX_TOKEN and refresh.isascii():
            refresh_secret = Secret(refresh)
        # Renew `refresh_margin` before expiry; a short-lived token halfway through.
        lead = max(expires - self.refresh_margin, expires / 2)
        return _Token(Secret(access), self._clock() + lead, refresh_secret, gen)

    async def logout(self) -> None:
        """End the session on the PBX (best effort: errors are ignored)."""
        token, self._token = self._token, None
        if token is None:
            return
        path = {1: "/login/oauth/revoke", 2: "/logout", 3: "/auth/sign_out"}[token.generation]
        with contextlib.suppress(RestError):
            headers = {"Authorization": f"Bearer {token.access.reveal()}"}
            with contextlib.suppress(httpx.HTTPError, TimeoutError, OSError):
                async with asyncio.timeout(self.timeout):
                    await self._client.post(self.base_url + path, headers=headers)

    # ------------------------------------------------------------------- calls
    async def get(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        """GET a JSON document; a 401 logs in once more and tries again."""
        label = f"GET /api{path}"
        for attempt in (1, 2):
            status, headers, data = await self._send("GET", path, params=params)
            if status == 401 and attempt == 1:
                async with self._lock:
                    self._token = None  # rejected early (revoked, PBX restarted): log in again
                continue
            if status != 200:
                raise self._status_error(label, status, headers, data)
            return self._json(label, status, headers, data)
        raise AssertionError("unreachable")  # pragma: no cover

    async def post(self, path: str, params: Mapping[str, str] | None = None) -> None:
        label = f"POST /api{path}"
        for attempt in (1, 2):
            status, headers, data = await self._send("POST", path, params=params)
            if status == 401 and attempt == 1:
                async with self._lock:
                    self._token = None
                continue
            if status not in (200, 201, 204):
                raise self._status_error(label, status, headers, data)
            return
        raise AssertionError("unreachable")  # pragma: no cover

    async def pages(self, path: str, key: str) -> list[dict[str, Any]]:
        """Every item of a paged list, deduplicated by `key`."""
        label = f"GET /api{path}"
        items: dict[str, dict[str, Any]] = {}
        skip = 0
        for _ in range(self.max_pages):
            doc = await self.get(path, {"top": str(PAGE_SIZE), "skip": str(skip)})
            page = page_items(doc, label)
            new = 0
            for item in page:
                k = item.get(key)
                if isinstance(k, int) and not isinstance(k, bool):
                    k = str(k)
                if isinstance(k, str) and k and k not in items:
                    items[k] = item
                    new += 1
            if len(page) < PAGE_SIZE or new == 0:
                return list(items.values())
            skip += len(page)
        return list(items.values())

    async def users(self) -> NameList:
        """number -> display name of every user of the current tenant."""
        return names_of(await self.pages("/users", "extension_number"))

    async def call_queues(self) -> list[RestQueue]:
        queues = (queue_of(item) for item in await self.pages("/call_queues", "id"))
        return [q for q in queues if q is not None]

    async def queue_agents(self, queue: RestQueue) -> NameList:
        return names_of(
            await self.pages(
                f"/call_queues/{quote(queue.rest_id, safe='')}/agents", "extension_number"
            )
        )

    async def current_tenant(self) -> RestTenant:
        doc = await self.get("/tenant")
        tenant = tenant_of(doc)
        if tenant is None:
            raise RestError("the PBX's answer to GET /api/tenant has no tenant id", "invalid")
        return tenant

    async def tenants(self) -> list[RestTenant]:
        out = []
        for item in await self.pages("/tenants", "id"):
            t = tenant_of(item)
            if t is not None:
                out.append(t)
        return out

    async def switch_tenant(self, tenant: RestTenant) -> None:
        """A system admin's next calls act inside `tenant` (POST /api/tenants/switch?id=)."""
        await self.post("/tenants/switch", {"id": tenant.rest_id})


def _size(n: int) -> str:
    return f"{n / MiB:g} MiB" if n >= MiB else f"{n / 1024:g} KiB"


def _retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), 3600.0)
    return None


__all__ = [
    "OAUTH_CLIENT_ID",
    "NameList",
    "PortsipRest",
    "RestError",
    "RestQueue",
    "RestTenant",
    "clean_name",
    "rest_url_for",
    "wsi_tenant_id",
]
