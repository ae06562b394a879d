"""Display names from the PBX's REST API, kept fresh beside the live feed (v22).

`NamesTask` is one background task on the live client's event loop. It logs in
to the REST API with the WSI's credentials, reads the users (and the queues'
agents) of the tenant, or of every `--tenants` tenant for a system admin, and
pushes number -> display name into the model's name book. It fetches again
when the WSI reports that an extension was created, updated or destroyed
(debounced: a burst of management events costs one fetch) and otherwise at
most every `interval` seconds (10 minutes).

It never holds up the WebSocket: every request is async with a timeout, and
nothing here touches the socket or waits for it. Whatever goes wrong (refused,
401, 404, 429, timeouts, HTML or garbage, a huge body, names with control
characters) leaves the names as they were and is told once through
`on_notice` (the same message again is not repeated; a recovery is told once).

Wiring, in the live client's owner (connect / hub):

    rest = rest_client_for(settings)                  # None below v22
    task = NamesTask(rest, state.names, on_changed=state.names_changed,
                     on_notice=print_or_show, tenants=settings.tenants,
                     system_admin=settings.system_admin)
    client = LiveClient(settings, state, on_event=task.watch, ...)
    task.start(); ...; await task.stop()
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from wallboard.feed.rest import NameList, PortsipRest, RestError, RestTenant, rest_url_for

REFRESH_INTERVAL = 600.0  # at most this long between two fetches without a reason
DEBOUNCE = 5.0  # quiet time after the last management event before fetching
MAX_DEBOUNCE = 30.0  # ... but no longer than this after the first one
MIN_GAP = 30.0  # never two fetches closer than this (a management storm)
RETRY_AFTER_FAILURE = 120.0  # a network or server failure is tried again this soon
# Failures that trying again soon cannot fix: wait the full interval.
_SLOW_RETRY = frozenset({"auth", "forbidden", "not_found", "tls"})
_WATCHED = frozenset({"extension_created", "extension_updated", "extension_destroyed"})


class NameBook(Protocol):
    """What the model's name book offers (wallboard.model.names)."""

    def set_pbx_names(self, tenant_id: str, names: Mapping[str, str]) -> bool: ...

    def set_tenant_names(self, names: Mapping[str, str]) -> bool: ...


class NamesTask:
    """Fetches PBX names now, on extension changes, and every `interval` seconds.

    `tenant_id`: the WSI tenant id of a tenant login when the caller knows it;
    otherwise it is taken from `GET /api/tenant` or from the first WSI event
    `watch()` sees. `tenants` (system admin): the WSI tenant ids to fetch.
    """

    def __init__(
        self,
        rest: PortsipRest,
        book: NameBook,
        *,
        on_changed: Callable[[], None],
        on_notice: Callable[[str], None],
        tenant_id: str | None = None,
        tenants: Sequence[str] = (),
        system_admin: bool = False,
        queue_agents: bool = True,
        interval: float = REFRESH_INTERVAL,
        debounce: float = DEBOUNCE,
        max_debounce: float = MAX_DEBOUNCE,
        min_gap: float = MIN_GAP,
        failure_retry: float = RETRY_AFTER_FAILURE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rest = rest
        self.book = book
        self.on_changed = on_changed
        self.on_notice = on_notice
        self.tenant_id = tenant_id or None
        self.tenants = list(dict.fromkeys(tenants))
        self.system_admin = system_admin
        self.queue_agents = queue_agents
        self.interval = interval
        self.debounce = debounce
        self.max_debounce = max_debounce
        self.min_gap = min_gap
        self.failure_retry = failure_retry
        self._retry_at: float | None = None  # sooner than the interval, after a failure
        self._clock = clock
        self._poke = asyncio.Event()
        self._first_poke: float | None = None
        self._last_poke = 0.0
        self._task: asyncio.Task[None] | None = None
        self._current: dict[str, dict[str, str]] = {}  # tenant id -> names we last pushed
        self._pending: NameList | None = None  # fetched before the tenant id was known
        self._last_notice: str | None = None
        self._not_before = 0.0  # a 429's Retry-After
        self.fetches = 0  # completed (successful) fetches
        self.failures = 0
        self.last_error: str | None = None

    def __repr__(self) -> str:
        return f"<NamesTask {self.rest!r} fetches={self.fetches} failures={self.failures}>"

    # ----------------------------------------------------------------- control
    def start(self) -> asyncio.Task[None]:
        """Run in the background on the current event loop; returns the task."""
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self.run(), name="wallboard-names")
        return self._task

    async def stop(self) -> None:
        """Cancel the task (a request in flight is abandoned) and close the session."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        with contextlib.suppress(Exception):
            async with asyncio.timeout(2):
                await self.rest.logout()
        await self.rest.aclose()

    def refresh_soon(self) -> None:
        """Fetch again after the debounce (called for extension management events)."""
        now = self._clock()
        if self._first_poke is None:
            self._first_poke = now
        self._last_poke = now
        self._poke.set()

    def watch(self, event: object) -> None:
        """Look at one parsed WSI event (cheap): learns the tenant id, spots extension changes."""
        if self.tenant_id is None and not self.system_admin:
            tid = getattr(event, "tenant_id", "")
            if isinstance(tid, str) and tid:
                self.tenant_id = tid
                if self._pending is not None:
                    pending, self._pending = self._pending, None
                    self._apply(tid, pending)
        kind = getattr(event, "kind", None)
        if kind in _WATCHED:
            self.refresh_soon()

    # -------------------------------------------------------------------- loop
    async def run(self) -> None:
        """Fetch, then wait for a reason to fetch again; forever (until cancelled)."""
        while True:
            started = self._clock()
            self._poke.clear()
            self._first_poke = None
            await self.fetch_once()
            await self._wait_for_reason(started)

    async def _wait_for_reason(self, started: float) -> None:
        deadline = started + self.interval
        if self._retry_at is not None:
            deadline, self._retry_at = min(deadline, self._retry_at), None
        deadline = max(deadline, self._not_before)
        while True:
            now = self._clock()
            if now >= deadline:
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._poke.wait(), deadline - now)
            if not self._poke.is_set():
                continue
            # A management event: wait until they stop (bounded), and keep the gap.
            while True:
                now = self._clock()
                first = self._first_poke if self._first_poke is not None else now
                due = min(self._last_poke + self.debounce, first + self.max_debounce)
                due = max(due, started + self.min_gap)
                # Events never postpone what was due anyway (a retry after a failure).
                due = max(min(due, deadline), self._not_before)
                if now >= due:
                    return
                await asyncio.sleep(due - now)

    async def fetch_once(self) -> bool:
        """One complete fetch; True when names were read (changed or not)."""
        try:
            if self.system_admin:
                await self._fetch_system()
            else:
                await self._fetch_tenant()
        except RestError as exc:
            self.failures += 1
            self.last_error = str(exc)
            now = self._clock()
            if exc.retry_after:
                self._not_before = now + exc.retry_after
            if exc.kind not in _SLOW_RETRY:
                self._retry_at = now + max(self.failure_retry, exc.retry_after or 0.0)
            self._notice(f"names from the PBX: {exc}; names stay as they were")
            return False
        except Exception as exc:  # never let a bug here touch the live feed
            self.failures += 1
            self._retry_at = self._clock() + self.failure_retry
            self.last_error = type(exc).__name__
            self._notice(
                f"names from the PBX failed ({type(exc).__name__}); names stay as they were"
            )
            return False
        self.fetches += 1
        if self.last_error is not None:
            self.last_error = None
            self._recovered()
        return True

    # ----------------------------------------------------------------- fetching
    async def _names_of_current_tenant(self) -> NameList:
        """Users, plus the agents of each queue (users win); all-or-nothing."""
        users_error: RestError | None = None
        try:
            result = await self.rest.users()
        except RestError as exc:
            if exc.kind != "forbidden" or not self.queue_agents:
                raise
            users_error, result = exc, NameList()  # a queue manager may see agents only
        if not self.queue_agents:
            return result
        try:
            queues = await self.rest.call_queues()
        except RestError as exc:
            if users_error is not None:
                raise users_error from None  # neither list: the users' refusal says it
            if exc.kind != "forbidden":
                raise
            queues = []
        for queue in queues:
            agents = await self.rest.queue_agents(queue)
            for number, name in agents.names.items():
                result.names.setdefault(number, name)
            result.refused.extend(n for n in agents.refused if n not in result.names)
        return result

    async def _fetch_tenant(self) -> None:
        tenant: RestTenant | None = None
        try:
            tenant = await self.rest.current_tenant()
        except RestError as exc:
            # Not every account may read its tenant; the names may still come.
            if exc.kind not in ("forbidden", "not_found", "invalid"):
                raise
        names = await self._names_of_current_tenant()
        tid = self.tenant_id or (tenant.wsi_id if tenant else None)
        if tenant is not None and tenant.name and tid and tenant.wsi_id in (tid, None):
            self._set_tenant_names({tid: tenant.name})
        if tid is None:
            self._pending = names  # applied when watch() sees the tenant id
            return
        self.tenant_id = tid
        self._apply(tid, names)

    async def _fetch_system(self) -> None:
        listed = await self.rest.tenants()
        by_wsi = {t.wsi_id: t for t in listed if t.wsi_id}
        wanted = self.tenants or list(by_wsi)
        missing = [tid for tid in wanted if tid not in by_wsi]
        names = {tid: by_wsi[tid].name for tid in wanted if tid in by_wsi and by_wsi[tid].name}
        if names:
            self._set_tenant_names(names)
        results: list[tuple[str, NameList]] = []
        for tid in wanted:
            if tid in by_wsi:
                await self.rest.switch_tenant(by_wsi[tid])
                results.append((tid, await self._names_of_current_tenant()))
        for tid, result in results:
            self._apply(tid, result)
        if missing:
            raise RestError(
                f"tenant {', '.join(missing[:3])} is not among the PBX's REST tenants",
                "invalid",
            )

    # ------------------------------------------------------------------ output
    def _apply(self, tenant_id: str, result: NameList) -> None:
        names = dict(result.names)
        previous = self._current.get(tenant_id, {})
        refused = [n for n in dict.fromkeys(result.refused) if n not in names]
        for number in refused:
            if number in previous:
                names[number] = previous[number]  # a refused name leaves the old one
        self._current[tenant_id] = names
        if self.book.set_pbx_names(tenant_id, names):
            self.on_changed()
        if refused:
            shown = ", ".join(refused[:3]) + (" …" if len(refused) > 3 else "")
            self._notice(
                f"names from the PBX: {len(refused)} display name(s) contain control "
                f"characters and were ignored (extension {shown})"
            )

    def _set_tenant_names(self, names: Mapping[str, str]) -> None:
        if self.book.set_tenant_names(names):
            self.on_changed()

    def _notice(self, text: str) -> None:
        if text == self._last_notice:
            return
        self._last_notice = text
        self.on_notice(text)

    def _recovered(self) -> None:
        count = sum(len(v) for v in self._current.values())
        self._last_notice = None
        self.on_notice(f"names from the PBX: read again ({count} names)")


def rest_client_for(settings: object, **kw: object) -> PortsipRest | None:
    """A REST session with the WSI's URL, credentials and TLS settings; None below v22.

    `settings` is a `wallboard.feed.client.LiveSettings` (not imported: that
    module pulls in websockets, this one need not).
    """
    if getattr(settings, "dialect", None) != "v22":
        return None
    user = getattr(settings, "user", None) or getattr(settings, "extension", None)
    if not user:
        return None
    return PortsipRest(
        rest_url_for(settings.url),  # type: ignore[attr-defined]
        username=user,
        password=settings.password,  # type: ignore[attr-defined]
        domain=getattr(settings, "domain", None),
        ssl_context=getattr(settings, "ssl_context", None),
        **kw,  # type: ignore[arg-type]
    )


__all__ = ["REFRESH_INTERVAL", "NameBook", "NamesTask", "rest_client_for"]
