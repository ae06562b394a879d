"""The agent table (each agent once, across their queues) and one queue's agents."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from wallboard.ui.derived import Changes
from wallboard.ui.fmt import AGENT_STYLE, agent_label, agent_rank, dur, who
from wallboard.ui.panel import Ctx
from wallboard.ui.rowspanel import RowsPanel, nat
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
        return key != "name" or self._named


AGENT_COLUMNS: tuple[Column[AgentRec], ...] = (
    Column("ext", "Ext", 5, lambda r: nat(r.number)),
    Column("name", "Name", 12, lambda r: r.name.lower()),
    Column("state", "State", 10, _state_key),
    Column("time", "Time", 6, lambda r: -r.since, "right"),
    Column("caller", "Caller", 22, lambda r: nat(r.caller)),
    Column("queues", "Queues", 10, lambda r: r.queues),
)


class AgentsTable(NamedRows):
    """One row per agent (extension in at least one queue): state, time in state, caller."""

    TITLE = "Agents"
    DETAIL = "agent"
    TICKS = True
    DEFAULT_SORT = "state"
    COLUMNS = AGENT_COLUMNS
    DROP_ORDER = ("queues", "caller")

    def dirty_keys(self, ch: Changes) -> Iterable[str] | None:
        return ch.numbers

    def wanted_keys(self, ctx: Ctx) -> Iterable[str]:
        return ctx.derived.members.keys()

    def record(self, ctx: Ctx, key: str) -> AgentRec | None:
        a = ctx.derived.agent(key)
        if a is None:
            return None
        return AgentRec(
            key,
            self.name_of(ctx, "", key),
            a.state,
            a.since,
            a.caller,
            a.caller_name,
            ",".join(a.queues),
        )

    def format_row(self, key: str, r: AgentRec) -> list[CellT]:
        return [
            (r.number, "bold"),
            r.name,
            (agent_label(r.state), AGENT_STYLE.get(r.state, "")),
            dur(self.now - r.since),
            who(r.caller, r.caller_name),
            (r.queues, "dim"),
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
        caller, caller_name = a.caller_number, a.caller_name
        if not caller:
            call = ctx.derived.current_call(key)
            if call is not None:
                caller, caller_name = ctx.derived.other_party(call, key)
        name = self.name_of(ctx, q.tenant_id, key)
        return AgentRec(key, name, a.state, a.since, caller, caller_name, "")

    def format_row(self, key: str, r: AgentRec) -> list[CellT]:
        return [
            (r.number, "bold"),
            r.name,
            (agent_label(r.state), AGENT_STYLE.get(r.state, "")),
            dur(self.now - r.since),
            who(r.caller, r.caller_name),
        ]


__all__ = ["AgentRec", "AgentsTable", "NamedRows", "QueueAgentsTable"]
