"""Active calls (all, or one extension's) and the last finished calls."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from wallboard.model.state import CALLS
from wallboard.ui.derived import Changes
from wallboard.ui.fmt import CALL_STATE_STYLE, dur, hms, who
from wallboard.ui.panel import Ctx
from wallboard.ui.rowspanel import RowsPanel, nat, num
from wallboard.ui.tablerows import Column
from wallboard.ui.tables.agents import party
from wallboard.ui.vpaint import CellT


class CallRec(NamedTuple):
    tenant_id: str
    tenant: str  # the tenant's name (or id)
    caller: str
    caller_name: str
    callee: str
    callee_name: str
    state: str
    stale: bool
    started: float
    direction: str
    answered_by: str
    answered_by_name: str


CALL_COLUMNS: tuple[Column[CallRec], ...] = (
    Column("tenant", "Tenant", 12, lambda r: r.tenant.lower()),
    Column("caller", "Caller", 24, lambda r: nat(r.caller)),
    Column("callee", "Callee", 18, lambda r: nat(r.callee)),
    Column("state", "State", 11, lambda r: r.state),
    Column("duration", "Duration", 8, lambda r: -r.started, "right"),
    Column("direction", "Direction", 9, lambda r: r.direction),
    Column("agent", "Answered by", 18, lambda r: nat(r.answered_by)),
)


class CallsTable(RowsPanel):
    """Active calls: caller, callee, state, duration, direction, answered by."""

    TITLE = "Active calls"
    DETAIL = "call"
    TICKS = True
    DEFAULT_SORT = "duration"
    DEFAULT_REVERSE = True
    COLUMNS = CALL_COLUMNS
    DROP_ORDER = ("direction", "tenant")

    def column_wanted(self, key: str) -> bool:
        return key != "tenant" or (self.ctx is not None and self.ctx.multi_tenant)

    def dirty_keys(self, ch: Changes) -> Iterable[str] | None:
        return ch.calls

    def wanted_keys(self, ctx: Ctx) -> Iterable[str]:
        return ctx.state.calls.keys()

    def record(self, ctx: Ctx, key: str) -> CallRec | None:
        c = ctx.state.calls.get(key)
        if c is None:
            return None
        t = c.tenant_id
        return CallRec(
            t,
            ctx.tenant_label(t),
            c.caller,
            party(ctx, t, c.caller, c.caller_name),
            c.callee,
            party(ctx, t, c.callee, c.callee_name),
            c.state,
            c.stale,
            c.started,
            c.direction.replace("inbound_outbound", "in+out"),
            c.answered_by,
            party(ctx, t, c.answered_by, "") if c.answered_by else "",
        )

    def format_row(self, key: str, r: CallRec) -> list[CellT]:
        state = r.state + (" (stale?)" if r.stale else "")
        style = "dim italic" if r.stale else CALL_STATE_STYLE.get(r.state, "")
        return [
            (r.tenant, "dim"),
            who(r.caller, r.caller_name),
            who(r.callee, r.callee_name),
            (state, style),
            dur(self.now - r.started),
            (r.direction, "dim"),
            who(r.answered_by, r.answered_by_name),
        ]


class PartyCallsTable(CallsTable):
    """The active calls one extension takes part in (extension detail)."""

    TITLE = "Calls"

    def __init__(self, *, number: str, **kw: Any) -> None:
        super().__init__(**kw)
        self.number = number

    def dirty_keys(self, ch: Changes) -> Iterable[str] | None:
        return None if self.number in ch.numbers else ()

    def wanted_keys(self, ctx: Ctx) -> Iterable[str]:
        return list(ctx.derived.party_calls.get(self.number, ()))


class RecentRec(NamedTuple):
    ended: float
    caller: str
    caller_name: str
    callee: str
    outcome: str
    talk: float | None
    reason: str


RECENT_COLUMNS: tuple[Column[RecentRec], ...] = (
    Column("ended", "Ended", 8, lambda r: r.ended),
    Column("caller", "Caller", 22, lambda r: nat(r.caller)),
    Column("callee", "Callee", 16, lambda r: nat(r.callee)),
    Column("outcome", "Outcome", 9, lambda r: r.outcome),
    Column("talk", "Talk", 7, lambda r: num(r.talk), "right"),
    Column("reason", "Reason", 16, lambda r: r.reason),
)
_OUT_STYLE = {"ended": "", "noanswer": "yellow", "failed": "red"}


class RecentTable(RowsPanel):
    """The last finished calls (ended / not answered / failed), newest first.

    The model keeps them in a bounded deque (a few hundred): the rows are
    made exactly those whenever calls changed; a finished call never changes,
    so only new and dropped ones touch the table.
    """

    TITLE = "Recent calls"
    TENANT_SCOPED = False  # a finished call carries no tenant
    DEFAULT_SORT = "ended"
    DEFAULT_REVERSE = True
    COLUMNS = RECENT_COLUMNS

    def dirty_keys(self, ch: Changes) -> Iterable[str] | None:
        return None if ch.calls or ch.flags & CALLS else ()

    def catch_up(self, ctx: Ctx) -> None:
        self.ctx, self.now, self.wall = ctx, ctx.now, ctx.wall
        if not self._full:
            return
        self._full = False
        items = []
        for f in ctx.state.recent:
            # Keyed by the call and its end: stable, and one finished call counts once.
            key = (f.ended, f.session_id)
            talk = f.ended - f.answered if f.answered else None
            rec = RecentRec(f.ended, f.caller, f.caller_name, f.callee, f.outcome, talk, f.reason)
            items.append((key, rec))
        self.rows.replace(items)

    def format_row(self, key: Any, r: RecentRec) -> list[CellT]:
        return [
            hms(r.ended),
            who(r.caller, r.caller_name),
            r.callee,
            (r.outcome, _OUT_STYLE.get(r.outcome, "")),
            dur(r.talk),
            (r.reason, "dim"),
        ]


__all__ = ["CallRec", "CallsTable", "PartyCallsTable", "RecentRec", "RecentTable"]
