"""The agent table (each agent once, across their queues) and one queue's agents."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from wallboard.model.kpi import agent_figures
from wallboard.ui.derived import Changes
from wallboard.ui.fmt import AGENT_STYLE, agent_label, agent_rank, dur, pct, who
from wallboard.ui.panel import Ctx
from wallboard.ui.rowspanel import RowsPanel, nat, num
from wallboard.ui.tablerows import Column
from wallboard.ui.vpaint import CellT


class AgentRec(NamedTuple):
    number: str
    name: str
    state: str
    since: float
    caller: str
    caller_name: str
    queues: str
    tenant: str = ""  # the tenant's name (or id)
    tenant_id: str = ""
    # Today (the model's `AgentDay`; None: no day yet).
    answered: int | None = None
    missed: int | None = None
    aht: float | None = None
    not_ready_s: float | None = None
    occupancy: float | None = None
    ringing: bool = False  # the caller is still ringing at the agent


def _state_key(r: Any) -> tuple[int, Any]:
    return agent_rank(r.state), nat(r.number)


class NamedRows(RowsPanel):
    """A table with a Name column shown only once some row has a name."""

    _named = False

    def name_of(self, ctx: Ctx, tenant: str, number: str) -> str:
        name = ctx.state.names.name(tenant, number) or ""
        if name:
            self._named = True  # the next sync shows the column
        return name

    def column_wanted(self, key: str) -> bool:
        if key == "tenant":
            return self.ctx is not None and self.ctx.multi_tenant
        return key != "name" or self._named


def party(ctx: Ctx, tenant: str, number: str, name: str) -> str:
    """A party's name: the one the PBX sent with the call, else the name book's."""
    return name or ctx.state.names.name(tenant, number) or ""


AGENT_COLUMNS: tuple[Column[AgentRec], ...] = (
    Column("tenant", "Tenant", 12, lambda r: r.tenant.lower()),
    Column("ext", "Ext", 5, lambda r: nat(r.number)),
    Column("name", "Name", 12, lambda r: r.name.lower()),
    Column("state", "State", 10, _state_key),
    Column("time", "Time", 6, lambda r: -r.since, "right"),
    Column("caller", "Caller", 22, lambda r: nat(r.caller)),
    Column("queues", "Queues", 10, lambda r: r.queues),
    # Today's numbers, where there is room (a wall screen).
    Column("answered", "Ans", 4, lambda r: num(r.answered), "right"),
    Column("missed", "Miss", 4, lambda r: num(r.missed), "right"),
    Column("aht", "AHT", 5, lambda r: num(r.aht), "right"),
    Column("not_ready", "NotRdy", 7, lambda r: num(r.not_ready_s), "right"),
    Column("occupancy", "Occ", 4, lambda r: num(r.occupancy), "right"),
)
DAY_COLUMNS = ("answered", "missed", "aht", "not_ready", "occupancy")


def day_figures(ctx: Ctx, tenant: str, number: str) -> dict[str, Any]:
    """Today's numbers of one agent, from the model (`kpi.agent_figures` of its day)."""
    day = ctx.state.agent_days.get((tenant, number))
    if day is None:
        return {}
    f = agent_figures(day, ctx.now)
    return {
        "answered": f.answered,
        "missed": f.missed,
        "aht": f.aht_s,
        "not_ready_s": f.not_ready_s,
        "occupancy": f.occupancy_pct,
    }


def caller_cell(r: AgentRec) -> CellT:
    """Whom the agent talks to; a call still ringing at them says so."""
    if r.ringing and r.caller:
        return (f"ringing {who(r.caller, r.caller_name)}", "yellow")
    return who(r.caller, r.caller_name)


def day_cells(r: AgentRec) -> list[CellT]:
    return [
        "—" if r.answered is None else str(r.answered),
        ("—" if r.missed is None else str(r.missed), "vtable--warn" if r.missed else ""),
        dur(r.aht),
        dur(r.not_ready_s),
        pct(r.occupancy),
    ]


class AgentsTable(NamedRows):
    """One row per agent (tenant, extension in at least one queue): state, time, caller,
    and today's numbers when there is room."""

    TITLE = "Agents"
    DETAIL = "agent"
    TICKS = True
    LIVE_RECORDS = True  # today's times and occupancy move with the clock
    DEFAULT_SORT = "state"
    COLUMNS = AGENT_COLUMNS
    DROP_ORDER = (*reversed(DAY_COLUMNS), "queues", "tenant", "caller")

    def dirty_keys(self, ch: Changes) -> Iterable[tuple[str, str]] | None:
        st = self.app.state
        # The tenants that have queues (one, unless a v22 global board): a changed
        # number is that agent in each of them, if it is one or was shown.
        tenants = {q.tenant_id for q in st.queues.values()} or {""}
        members, rows = st.members, self.rows
        return [
            (t, n)
            for n in ch.numbers
            for t in tenants
            if (t, n) in members or rows.get((t, n)) is not None
        ]

    def wanted_keys(self, ctx: Ctx) -> Iterable[tuple[str, str]]:
        return list(ctx.state.members)

    def record(self, ctx: Ctx, key: tuple[str, str]) -> AgentRec | None:
        tenant, number = key
        a = ctx.derived.agent_in(tenant, number)
        if a is None:
            return None
        return AgentRec(
            number,
            self.name_of(ctx, tenant, number),
            a.state,
            a.since,
            a.caller,
            party(ctx, tenant, a.caller, a.caller_name),
            ",".join(a.queues),
            ctx.tenant_label(tenant),
            tenant,
            **day_figures(ctx, tenant, number),
            ringing=a.ringing,
        )

    def format_row(self, key: Any, r: AgentRec) -> list[CellT]:
        return [
            (r.tenant, "dim"),
            (r.number, "bold"),
            r.name,
            (agent_label(r.state), AGENT_STYLE.get(r.state, "")),
            dur(self.now - r.since),
            caller_cell(r),
            (r.queues, "dim"),
            *day_cells(r),
        ]


QUEUE_AGENT_COLUMNS: tuple[Column[AgentRec], ...] = (
    Column("ext", "Ext", 6, lambda r: nat(r.number)),
    Column("name", "Name", 16, lambda r: r.name.lower()),
    Column("state", "State", 11, _state_key),
    Column("time", "Time", 7, lambda r: -r.since, "right"),
    Column("caller", "Caller", 24, lambda r: r.caller),
)


class QueueAgentsTable(NamedRows):
    """The agents of one queue (queue detail): state in this queue, time, caller."""

    TITLE = "Agents in this queue"
    DETAIL = "agent"
    TICKS = True
    DEFAULT_SORT = "state"
    COLUMNS = QUEUE_AGENT_COLUMNS

    def __init__(self, *, queue_id: str, **kw: Any) -> None:
        super().__init__(**kw)
        self.queue_id = queue_id

    def dirty_keys(self, ch: Changes) -> Iterable[str] | None:
        if self.queue_id in ch.queues:
            return None
        rows = self.rows
        return [n for n in ch.numbers if rows.get(n) is not None]

    def wanted_keys(self, ctx: Ctx) -> Iterable[str]:
        q = ctx.state.queues.get(self.queue_id)
        return q.agents.keys() if q is not None else ()

    def record(self, ctx: Ctx, key: str) -> AgentRec | None:
        q = ctx.state.queues.get(self.queue_id)
        a = q.agents.get(key) if q is not None else None
        if q is None or a is None:
            return None
        caller, caller_name, ringing = a.caller_number, a.caller_name, False
        if not caller:
            caller, caller_name, ringing = ctx.derived.call_party(key)
        name = self.name_of(ctx, q.tenant_id, key)
        caller_name = party(ctx, q.tenant_id, caller, caller_name)
        return AgentRec(
            key,
            name,
            a.state,
            a.since,
            caller,
            caller_name,
            "",
            tenant_id=q.tenant_id,
            ringing=ringing,
        )

    def format_row(self, key: str, r: AgentRec) -> list[CellT]:
        return [
            (r.number, "bold"),
            r.name,
            (agent_label(r.state), AGENT_STYLE.get(r.state, "")),
            dur(self.now - r.since),
            caller_cell(r),
        ]


__all__ = ["AgentRec", "AgentsTable", "NamedRows", "QueueAgentsTable", "day_figures", "party"]
