"""The queue table (one row per queue) and the waiting-callers table."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from wallboard.model.overview import queue_view
from wallboard.ui.derived import Changes
from wallboard.ui.fmt import dur, pct, sparkline, who
from wallboard.ui.panel import Ctx
from wallboard.ui.rowspanel import RowsPanel, level_style, nat, num
from wallboard.ui.tablerows import Column
from wallboard.ui.tables.agents import party
from wallboard.ui.vpaint import CellT


class QueueRec(NamedTuple):
    tenant_id: str
    tenant: str  # the tenant's name (or id)
    number: str
    name: str
    waiting: int
    callbacks: int
    oldest: float | None  # enqueue time of the longest-waiting normal caller
    sl: float | None
    asa: float | None
    ready: int
    busy: int
    wrap: int
    away: int
    offered: int
    answered: int
    abandoned: int
    trend: tuple[tuple[float, int], ...]  # (minute start, most waiting in it), oldest first


TREND_WIDTH = 12


def _oldest_key(r: QueueRec) -> float:
    """Longest wait's sort value, which does not move every second: −(oldest enqueue)."""
    return float("-inf") if r.oldest is None else -r.oldest


QUEUE_COLUMNS: tuple[Column[QueueRec], ...] = (
    Column("tenant", "Tenant", 12, lambda r: r.tenant.lower()),
    Column("number", "Queue", 5, lambda r: nat(r.number)),
    Column("name", "Name", 10, lambda r: r.name.lower()),
    Column("waiting", "Wait", 4, lambda r: r.waiting, "right"),
    Column("longest", "Longest", 7, _oldest_key, "right"),
    Column("sl", "SL", 5, lambda r: num(r.sl), "right"),
    Column("ready", "Rdy", 3, lambda r: r.ready, "right"),
    Column("busy", "Busy", 4, lambda r: r.busy, "right"),
    Column("wrap", "Wrap", 4, lambda r: r.wrap, "right"),
    Column("away", "NRdy", 4, lambda r: r.away, "right"),
    Column("offered", "Offer", 5, lambda r: r.offered, "right"),
    Column("answered", "Ans", 5, lambda r: r.answered, "right"),
    Column("abandoned", "Aband", 5, lambda r: r.abandoned, "right"),
    Column("asa", "ASA", 5, lambda r: num(r.asa), "right"),
    # The last hour of waiting callers, drawn; sorts by the most waiting in it.
    Column("trend", "Last hour", TREND_WIDTH, lambda r: max((n for _, n in r.trend), default=0)),
)


class QueuesTable(RowsPanel):
    """One row per queue: waiting, longest wait, agents by state, counts, SL, ASA."""

    TITLE = "Queues"
    DETAIL = "queue"
    TICKS = True
    COLUMNS = QUEUE_COLUMNS
    DROP_ORDER = ("trend", "wrap", "away", "asa", "offered", "tenant", "name")
    DEFAULT_SORT = "number"

    def column_wanted(self, key: str) -> bool:
        if key == "tenant":
            return self.ctx is not None and self.ctx.multi_tenant
        return True

    _totals_due = True

    def note(self, ch: Changes) -> None:
        if ch.full or ch.queues or ch.numbers:
            self._totals_due = True
        super().note(ch)

    def sync(self, ctx: Ctx, tick: bool) -> None:
        super().sync(ctx, tick)
        # With the rows' durations (once a second) or when a queue changed: an idle
        # board repaints its totals on the same tick as everything else.
        if tick or self._totals_due:
            self._totals_due = False
            self.set_footer(self.totals_cells(ctx))

    def totals_cells(self, ctx: Ctx) -> list[CellT]:
        """The totals row: the model's sums over every queue (of the tenant shown), KPIs
        from the sums."""
        o = ctx.overview_of(self.tenant)
        th = ctx.thresholds
        t = o.tally
        wl = th.waiting_level(o.waiting)
        ll = th.longest_wait_level(o.longest_wait)
        sll = th.service_level_level(o.service_level)
        return [
            "",
            "Total",
            f"{o.queues} queues",
            (f"{o.waiting}" + ("!" if wl == "crit" else ""), level_style(wl)),
            (dur(o.longest_wait) if o.waiting else "—", level_style(ll)),
            (pct(o.service_level) + ("!" if sll == "crit" else ""), level_style(sll)),
            str(o.ready),
            str(o.on_call),
            str(o.wrap_up),
            str(o.not_ready),
            str(t.offered),
            str(t.answered),
            str(t.abandoned),
            dur(o.asa),
            "",
        ]

    def dirty_keys(self, ch: Changes) -> Iterable[str] | None:
        return ch.queues

    def wanted_keys(self, ctx: Ctx) -> Iterable[str]:
        return ctx.state.queues.keys()

    def record(self, ctx: Ctx, key: str) -> QueueRec | None:
        q = ctx.state.queues.get(key)
        if q is None:
            return None
        v = queue_view(ctx.state, q, ctx.now)
        agents, s = v.agents, v.tally
        return QueueRec(
            tenant_id=q.tenant_id,
            tenant=ctx.tenant_label(q.tenant_id),
            number=q.number or q.queue_id,
            name=q.name,
            waiting=v.waiting,
            callbacks=v.callbacks_waiting,
            oldest=ctx.state.oldest_waiting(q),
            sl=v.service_level,
            asa=v.asa,
            ready=agents.get("READY", 0),
            busy=agents.get("QUEUE_CALL", 0) + agents.get("OTHER_CALL", 0),
            wrap=agents.get("WRAP_UP", 0),
            away=agents.get("NOT_READY", 0),
            offered=s.offered,
            answered=s.answered,
            abandoned=s.abandoned,
            trend=tuple(q.trend),
        )

    def format_row(self, key: str, r: QueueRec) -> list[CellT]:
        th = self.ctx.queue_thresholds(r.number) if self.ctx is not None else self.thresholds
        longest = max(0.0, self.now - r.oldest) if r.oldest is not None else 0.0
        wl = th.waiting_level(r.waiting)
        ll = th.longest_wait_level(longest)
        sll = th.service_level_level(r.sl)
        cb = f"+{r.callbacks}cb" if r.callbacks else ""
        return [
            (r.tenant, "dim"),
            (r.number, "bold"),
            r.name,
            (f"{r.waiting}{cb}" + ("!" if wl == "crit" else ""), level_style(wl)),
            (dur(longest) if r.waiting else "—", level_style(ll)),
            (pct(r.sl) + ("!" if sll == "crit" else ""), level_style(sll)),
            (str(r.ready), "green"),
            (str(r.busy), "cyan"),
            (str(r.wrap), "yellow"),
            (str(r.away), "magenta"),
            str(r.offered),
            str(r.answered),
            str(r.abandoned),
            dur(r.asa),
            (sparkline(r.trend, self.now, TREND_WIDTH), "cyan"),
        ]


class WaitRec(NamedTuple):
    tenant_id: str
    queue: str
    caller: str
    caller_name: str
    position: int | None
    since: float
    type: str


WAITING_COLUMNS: tuple[Column[WaitRec], ...] = (
    Column("queue", "Queue", 6, lambda r: nat(r.queue)),
    Column("caller", "Caller", 24, lambda r: nat(r.caller)),
    Column("pos", "Pos", 4, lambda r: num(r.position), "right"),
    Column("wait", "Waiting", 8, lambda r: -r.since, "right"),
    Column("type", "Type", 8, lambda r: r.type),
)


class WaitingTable(RowsPanel):
    """Callers waiting in queues (all queues, or one for the queue detail)."""

    TITLE = "Waiting callers"
    TICKS = True
    DEFAULT_SORT = "wait"
    DEFAULT_REVERSE = True
    COLUMNS = WAITING_COLUMNS

    def __init__(self, *, queue_id: str | None = None, **kw: Any) -> None:
        super().__init__(**kw)
        self.queue_id = queue_id
        self._by_queue: dict[str, set[str]] = {}

    def dirty_keys(self, ch: Changes) -> Iterable[str] | None:
        qids = ch.queues if self.queue_id is None else ch.queues & {self.queue_id}
        out: set[str] = set()
        app_state = getattr(self.app, "state", None)
        for qid in qids:
            out |= self._by_queue.get(qid, set())
            q = app_state.queues.get(qid) if app_state is not None else None
            if q is not None:
                keys = {f"{qid}\x1f{sid}" for sid in q.waiting}
                self._by_queue[qid] = keys
                out |= keys
            else:
                self._by_queue.pop(qid, None)
        return out

    def wanted_keys(self, ctx: Ctx) -> Iterable[str]:
        qs = ctx.state.queues
        ids = [self.queue_id] if self.queue_id is not None else list(qs)
        self._by_queue = {}
        out = []
        for qid in ids:
            q = qs.get(qid)  # type: ignore[arg-type]
            if q is None:
                continue
            keys = [f"{qid}\x1f{sid}" for sid in q.waiting]
            self._by_queue[qid] = set(keys)  # type: ignore[index]
            out.extend(keys)
        return out

    def record(self, ctx: Ctx, key: str) -> WaitRec | None:
        qid, _, sid = key.partition("\x1f")
        q = ctx.state.queues.get(qid)
        w = q.waiting.get(sid) if q is not None else None
        if w is None or q is None:
            return None
        name = party(ctx, q.tenant_id, w.caller_number, w.caller_name)
        return WaitRec(
            q.tenant_id, q.number or q.queue_id, w.caller_number, name, w.position, w.since, w.type
        )

    def format_row(self, key: str, r: WaitRec) -> list[CellT]:
        wait = self.now - r.since
        th = self.ctx.queue_thresholds(r.queue) if self.ctx is not None else self.thresholds
        level = th.longest_wait_level(wait) if r.type == "normal" else "ok"
        return [
            (r.queue, "bold"),
            who(r.caller, r.caller_name),
            "" if r.position is None else str(r.position),
            (dur(wait), level_style(level)),
            (r.type, "dim" if r.type == "callback" else ""),
        ]


__all__ = ["QueueRec", "QueuesTable", "WaitRec", "WaitingTable"]
