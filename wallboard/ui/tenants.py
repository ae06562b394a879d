"""The tenant filter: one tenant of a multi-tenant board (a v22 system admin's `global_*` view).

One app attribute says which tenant is shown: ``app.tenant_filter`` (None:
every tenant). `T` cycles through the tenants present (all → A → B → … →
all); the palette picks one by name; the tenant totals screen shows every
tenant side by side. When it changes, `WallboardApp.set_tenant_filter`
calls, for every registered panel, ``panel.tenant_changed(tenant)`` if the
panel has it, else ``panel.invalidate()`` (a panel that reads
``app.tenant_filter`` in its rebuild then rebuilds). That is the whole
hook; `TenantScoped` implements it for a `VirtualTable` whose records know
their tenant.

Tenants are `q.tenant_id` / `ext.tenant_id` / `call.tenant_id`; names come
from `state.names.tenant_name(id)` (PBX text, shown literally). Something
with no tenant id (v12 sends none on many events) belongs to no tenant and
is shown only when every tenant is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from wallboard.model.overview import Overview, overview
from wallboard.model.state import WallboardState
from wallboard.ui.derived import Changes
from wallboard.ui.fmt import dur, pct
from wallboard.ui.panel import Ctx, Panel, queues_of
from wallboard.ui.sortkeys import nat, num
from wallboard.ui.tablerows import Column, TableRows
from wallboard.ui.text import safe_text
from wallboard.ui.vtable import VirtualTable


# ------------------------------------------------------------------ queries
def tenants_present(state: WallboardState) -> list[str]:
    """Every tenant id seen on a queue, an extension or an agent, in name order."""
    ids: set[str] = {q.tenant_id for q in state.queues.values()}
    ids.update(tenant for tenant, _ in state.extensions)
    ids.update(tenant for tenant, _ in state.agent_days)
    ids.discard("")
    return sorted(ids, key=lambda t: (nat(state.names.tenant_name(t) or t), t))


def tenant_label(state: WallboardState, tenant: str | None, limit: int = 40) -> str:
    """A tenant's name (or id), made safe; "all tenants" for None."""
    if tenant is None:
        return "all tenants"
    return safe_text(state.names.tenant_name(tenant) or tenant, limit) or "(no id)"


def tenant_allows(tenant_filter: str | None, tenant_id: str) -> bool:
    """Does the filter show something of `tenant_id`?"""
    return tenant_filter is None or tenant_id == tenant_filter


def tenant_overview(state: WallboardState, tenant: str | None, now: float) -> Overview:
    """The tiles' numbers for one tenant (or every one): the model's `overview`."""
    return overview(state, queues_of(state, tenant), now=now)


def next_tenant(state: WallboardState, current: str | None, step: int = 1) -> str | None:
    """all → first tenant → … → last → all (a tenant that went away restarts the cycle)."""
    cycle: list[str | None] = [None, *tenants_present(state)]
    i = cycle.index(current) if current in cycle else 0
    return cycle[(i + step) % len(cycle)]


def tenant_changed(panel: Any, tenant: str | None) -> None:
    """Tell one panel the filter changed: its own hook, else a rebuild."""
    hook = getattr(panel, "tenant_changed", None)
    if callable(hook):
        hook(tenant)
    else:
        panel.invalidate()


# --------------------------------------------------- the hook, for tables
class TenantScoped:
    """Mixin for a `VirtualTable` whose records belong to a tenant (before the table).

    Subclasses say which tenant a row is (`tenant_of`). The tenant filter
    and the text filter (`/`) are one predicate on the rows, so setting one
    never drops the other.
    """

    tenant: str | None = None
    if TYPE_CHECKING:  # what the table provides
        filter_text: str
        rows: TableRows[Any, Any]
        _search: Callable[[Any, Any], str] | None

        def _cell_text(self, key: Any, record: Any) -> str: ...

    def tenant_of(self, key: Any, record: Any) -> str:
        raise NotImplementedError

    def tenant_changed(self, tenant: str | None) -> None:
        if tenant != self.tenant:
            self.tenant = tenant
            self._refilter()

    def set_filter_text(self, text: str) -> None:
        query = text.strip().lower()
        if query != self.filter_text:
            self.filter_text = query
            self._refilter()

    def _refilter(self) -> None:
        tenant, query = self.tenant, self.filter_text
        if tenant is None and not query:
            self.rows.set_filter(None)
            return
        search = self._search or self._cell_text
        tenant_of = self.tenant_of

        def shown(key: Any, record: Any) -> bool:
            if tenant is not None and tenant_of(key, record) != tenant:
                return False
            return not query or query in search(key, record).lower()

        self.rows.set_filter(shown)


# ----------------------------------------------------------- the bar line
class TenantBar(Panel, Static):
    """One line while a tenant is selected: a filtered board must say it is filtered."""

    DEFAULT_CSS = """
    TenantBar {
        height: 1;
        padding: 0 1;
        background: $accent 30%;
        text-style: bold;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.display = False
        self._shown: tuple[Any, ...] | None = None

    def on_mount(self) -> None:
        register = getattr(self.app, "register_panel", None)
        if register is not None:
            register(self)

    def on_unmount(self) -> None:
        unregister = getattr(self.app, "unregister_panel", None)
        if unregister is not None:
            unregister(self)

    def note(self, ch: Changes) -> None:
        return None

    def tenant_changed(self, tenant: str | None) -> None:
        # Hidden, it is not synced (the app syncs what is shown): show it from here.
        self.display = tenant is not None
        self._shown = None

    def sync(self, ctx: Ctx, tick: bool) -> None:
        tenant = getattr(self.app, "tenant_filter", None)
        if tenant is None:
            if self.display:
                self.display = False
                self._shown = None
            return
        st = ctx.state
        present = tenants_present(st)
        n_queues = sum(1 for q in st.queues.values() if q.tenant_id == tenant)
        sig = (tenant, tenant_label(st, tenant), len(present), n_queues)
        if sig == self._shown:
            return
        self._shown = sig
        t = Text("Tenant ", end="")
        t.append(sig[1], style="bold")
        where = f"{present.index(tenant) + 1} of {len(present)}" if tenant in present else "gone"
        t.append(f"  ({where} · {n_queues} queue{'s' if n_queues != 1 else ''})", style="")
        t.append("   T: next tenant", style="dim")
        self.update(t)
        self.display = True


# ---------------------------------------------------- per-tenant totals
class TenantTotals(NamedTuple):
    label: str
    order: tuple[int, Any]
    queues: int
    waiting: int
    longest: float
    offered: int
    answered: int
    abandoned: int
    sl: float | None
    asa: float | None
    ready: int
    busy: int
    not_ready: int


def totals_row(state: WallboardState, tenant: str | None, now: float) -> TenantTotals:
    o = tenant_overview(state, tenant, now)
    label = "All tenants" if tenant is None else tenant_label(state, tenant)
    return TenantTotals(
        label,
        (0, "") if tenant is None else (1, nat(label)),
        o.queues,
        o.waiting,
        o.longest_wait,
        o.tally.offered,
        o.tally.answered,
        o.tally.abandoned,
        o.service_level,
        o.asa,
        o.ready,
        o.busy,
        o.not_ready,
    )


# What fits 80 columns first; queues and the longest wait past it (scroll right).
TOTALS_COLUMNS: tuple[Column[TenantTotals], ...] = (
    Column("tenant", "Tenant", 13, sort=lambda r: r.order),
    Column("waiting", "Wait", 4, sort=lambda r: r.waiting, align="right"),
    Column("offered", "Offer", 5, sort=lambda r: r.offered, align="right"),
    Column("answered", "Ans", 5, sort=lambda r: r.answered, align="right"),
    Column("abandoned", "Aband", 5, sort=lambda r: r.abandoned, align="right"),
    Column("sl", "SL", 4, sort=lambda r: num(r.sl), align="right"),
    Column("asa", "ASA", 5, sort=lambda r: num(r.asa), align="right"),
    Column("ready", "Rdy", 3, sort=lambda r: r.ready, align="right"),
    Column("busy", "Busy", 4, sort=lambda r: r.busy, align="right"),
    Column("not_ready", "NRdy", 4, sort=lambda r: r.not_ready, align="right"),
    Column("queues", "Queues", 6, sort=lambda r: r.queues, align="right"),
    Column("longest", "Longest", 7, sort=lambda r: r.longest, align="right"),
)

ALL_KEY = "\x00all"  # the "All tenants" row (no tenant id can be this)


def format_totals(key: str, r: TenantTotals) -> tuple[Any, ...]:
    return (
        (r.label, "bold" if key == ALL_KEY else ""),
        str(r.waiting),
        str(r.offered),
        str(r.answered),
        str(r.abandoned),
        pct(r.sl),
        dur(r.asa),
        (str(r.ready), "green"),
        (str(r.busy), "cyan"),
        (str(r.not_ready), "magenta"),
        str(r.queues),
        dur(r.longest) if r.waiting else "—",
    )


class TenantTotalsTable(Panel, VirtualTable[str, TenantTotals]):
    """Every tenant's totals, from the model's `overview` of its queues."""

    def __init__(self, *, id: str | None = None) -> None:
        rows: TableRows[str, TenantTotals] = TableRows(TOTALS_COLUMNS, sort="tenant")
        super().__init__(rows, format_totals, title="Tenants", follow="always", id=id)

    def on_mount(self) -> None:
        register = getattr(self.app, "register_panel", None)
        if register is not None:
            register(self)

    def on_unmount(self) -> None:
        unregister = getattr(self.app, "unregister_panel", None)
        if unregister is not None:
            unregister(self)

    def note(self, ch: Changes) -> None:
        return None

    def sync(self, ctx: Ctx, tick: bool) -> None:
        if tick:  # once a second: each row is an `overview` of that tenant's queues
            self.fill(ctx.state, ctx.now)

    def fill(self, state: WallboardState, now: float) -> None:
        items = [(ALL_KEY, totals_row(state, None, now))]
        items += [(t, totals_row(state, t, now)) for t in tenants_present(state)]
        self.rows.replace(items)


class TenantScreen(ModalScreen[None]):
    """Tenant totals side by side; Enter shows that tenant everywhere, Esc closes."""

    DEFAULT_CSS = """
    TenantScreen {
        align: center middle;
    }
    TenantScreen > Vertical {
        width: 95%;
        max-width: 110;
        height: 80%;
        border: thick $accent;
        background: $surface;
        padding: 0 1;
    }
    TenantScreen TenantTotalsTable {
        height: 1fr;
    }
    """

    BINDINGS: ClassVar[list[Binding]] = [
        Binding("escape,q", "close", "Close", id="tenants.close"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(
                Text("Tenant totals   Enter: show this tenant everywhere · Esc closes", end=""),
                id="tenants-title",
            )
            yield TenantTotalsTable(id="tenants-table")

    def on_mount(self) -> None:
        table = self.query_one(TenantTotalsTable)
        state = self.app.state
        table.fill(state, state.pbx_now())
        current = getattr(self.app, "tenant_filter", None)
        table.focus()
        table.move_cursor(ALL_KEY if current is None else current)

    def on_virtual_table_row_selected(self, event: VirtualTable.RowSelected) -> None:
        event.stop()
        key = event.key
        self.dismiss(None)
        setter = getattr(self.app, "set_tenant_filter", None)
        if setter is not None:
            setter(None if key == ALL_KEY else key)

    def action_close(self) -> None:
        self.dismiss(None)


# ------------------------------------------------------------- palette
class TenantCommands(Provider):
    """Command palette: show one tenant (or all), and the tenant totals."""

    def _commands(self) -> Iterable[tuple[str, Callable[[], Any], str]]:
        app: Any = self.app
        st: WallboardState = app.state
        present = tenants_present(st)
        if not present:
            return
        yield "Tenant totals (every tenant side by side)", app.action_tenants, "per-tenant totals"
        yield "Tenant: all tenants", lambda: app.set_tenant_filter(None), "tenant filter"
        for t in present:
            yield (
                f"Tenant: {tenant_label(st, t)}",
                lambda t=t: app.set_tenant_filter(t),
                "tenant filter",
            )

    async def discover(self) -> Hits:
        for name, cb, help_text in list(self._commands())[:2]:
            yield DiscoveryHit(Content(name), cb, text=name, help=help_text)

    async def search(self, query: str) -> Hits:
        from wallboard.ui.app import literal_highlight

        matcher = self.matcher(query)
        for name, cb, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, literal_highlight(matcher, name), cb, text=name, help=help_text)


__all__ = [
    "ALL_KEY",
    "TenantBar",
    "TenantCommands",
    "TenantScoped",
    "TenantScreen",
    "TenantTotals",
    "TenantTotalsTable",
    "next_tenant",
    "queues_of",
    "tenant_allows",
    "tenant_changed",
    "tenant_label",
    "tenant_overview",
    "tenants_present",
    "totals_row",
]
