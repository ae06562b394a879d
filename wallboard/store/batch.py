"""A batch: the values of the rows that changed, copied out of the model on its own loop.

The model is not thread-safe, so the writer thread never reads it: about once
a second the store takes the model's outbox (which keys changed) and copies
just those rows' values into plain tuples here. Rows are whole values (a
tally as it is now, an agent's day as it is now), so two batches merge by
"latest wins" and a batch that failed to commit (disk full) is simply merged
into the next one: nothing already counted is lost while the model runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import attrgetter
from typing import TYPE_CHECKING, Any

import orjson

from wallboard.model.entities import FinishedCall
from wallboard.model.tally import FIELDS

if TYPE_CHECKING:
    from wallboard.model.daylog import Outbox
    from wallboard.model.state import WallboardState

# In a batch that cannot be committed (disk full), at most this many calls and
# offers wait for the next try; beyond it the oldest are dropped (and counted).
MAX_PENDING_ROWS = 500_000

QueueMeta = tuple[str, str, str, float | None]  # number, name, tenant id, PBX sla threshold
AgentRow = tuple[Any, ...]


CALL_COLUMNS = (
    "day",
    "session_id",
    "ended",
    "outcome",
    "caller",
    "callee",
    "caller_name",
    "direction",
    "started",
    "answered",
    "reason",
    "queue",
    "queue_outcome",
    "wait",
    "agent",
)
_CALL_VALUES = attrgetter(*CALL_COLUMNS[1:])


def call_row(day: str, c: FinishedCall) -> tuple[Any, ...]:
    return (day, *_CALL_VALUES(c))


@dataclass(slots=True)
class DayRow:
    counting_since: float | None
    finished: dict[str, int]
    reroutes: int
    coverage: list[list[float]]
    trunk_flaps: dict[str, int]
    trends: dict[str, list[tuple[float, int]]] | None  # None: unchanged since the last batch
    updated: float


@dataclass(slots=True)
class Batch:
    queues: dict[str, QueueMeta] = field(default_factory=dict)
    intervals: dict[tuple[str, str, float], tuple[Any, ...]] = field(default_factory=dict)
    queue_days: dict[tuple[str, str], tuple[Any, ...]] = field(default_factory=dict)
    agents: dict[tuple[str, str, str], AgentRow] = field(default_factory=dict)
    names: dict[tuple[str, str], str | None] = field(default_factory=dict)
    offered: list[tuple[str, str, str]] = field(default_factory=list)
    calls: list[tuple[Any, ...]] = field(default_factory=list)
    visits: list[tuple[str, str, str, float | None, float]] = field(default_factory=list)
    consumed: list[str] = field(default_factory=list)  # visits written before, now ended
    days: dict[str, DayRow] = field(default_factory=dict)
    imports: list[tuple[str, str, int, float | None, float | None, float]] = field(
        default_factory=list
    )
    prune: tuple[str, str, str, float] | None = None  # keep-from days + visits cutoff
    dropped: int = 0  # rows given up while the disk was full

    def __bool__(self) -> bool:
        return bool(
            self.intervals
            or self.queue_days
            or self.agents
            or self.offered
            or self.calls
            or self.visits
            or self.consumed
            or self.days
            or self.imports
            or self.prune
            or self.queues
        )

    def merge(self, newer: Batch) -> None:
        """`newer` on top of this one (latest values win; appended rows append)."""
        self.queues.update(newer.queues)
        self.intervals.update(newer.intervals)
        self.queue_days.update(newer.queue_days)
        self.agents.update(newer.agents)
        self.names.update(newer.names)
        self.offered.extend(newer.offered)
        self.calls.extend(newer.calls)
        self.visits.extend(newer.visits)
        self.consumed.extend(newer.consumed)
        for day, row in newer.days.items():
            old = self.days.get(day)
            if row.trends is None and old is not None:
                row.trends = old.trends
            self.days[day] = row
        self.imports.extend(newer.imports)
        if newer.prune is not None:
            self.prune = newer.prune
        self.dropped += newer.dropped
        for rows in (self.offered, self.calls, self.visits, self.consumed):
            over = len(rows) - MAX_PENDING_ROWS
            if over > 0:
                del rows[:over]
                self.dropped += over


tally_values = attrgetter(*FIELDS)


# Visits written and not yet ended, remembered on the loop side so an ended one is
# deleted from the store; past this many the oldest are forgotten (pruned in 2 days).
MAX_OPEN_VISITS = 100_000


def take(
    state: WallboardState, day: str, *, trends: bool, open_visits: dict[str, None] | None = None
) -> Batch:
    """Copy what the outbox says changed (on the model's loop; cheap: only those rows).

    An agent's `updated` is "now" on the PBX's clock, the clock its `since` is
    on: a report counts the state it was in up to that moment.
    """
    now = state.now()
    pbx_now = state.pbx_now()
    out: Outbox = state.take_outbox()
    b = Batch()
    queues = state.queues
    dirty_queues: set[str] = set()
    for qid, start in out.intervals:
        q = queues.get(qid)
        if q is None:
            continue
        t = q.intervals.get(start)
        if t is not None:
            b.intervals[(day, qid, start)] = tally_values(t)
            dirty_queues.add(qid)
    for qid in dirty_queues:
        q = queues[qid]
        b.queue_days[(day, qid)] = tally_values(q.stats)
    for qid, _sid in out.offered:
        dirty_queues.add(qid)
    b.offered = [(day, qid, sid) for qid, sid in out.offered]
    for qid in dirty_queues:
        q = queues.get(qid)
        if q is not None:
            b.queues[qid] = (q.number, q.name, q.tenant_id, q.sla_threshold)
    names = state.names
    dumps = orjson.dumps
    for key in out.agents:
        d = state.agent_days.get(key)
        if d is None:
            continue
        b.agents[(day, d.tenant_id, d.number)] = (
            d.answered,
            d.missed,
            d.state,
            d.since,
            dumps(d.state_s).decode(),  # text: the row holds no container for the GC to walk
            d.first_login,
            d.last_logout,
            d.last_session,
            pbx_now,
        )
        b.names[key] = names.name(d.tenant_id, d.number)
    b.calls = [call_row(day, c) for c in out.calls]
    # A visit whose call ended within the same batch never needs writing.
    ended = {c.session_id for c in out.calls}
    visits = state._visits
    for sid in dict.fromkeys(out.visits):
        v = visits.get(sid)
        if v is not None and not v.recorded and sid not in ended:
            b.visits.append((sid, v.queue, v.outcome, v.wait, now))
    if open_visits is not None:
        b.consumed = [sid for sid in ended if sid in open_visits]
        for sid in b.consumed:
            del open_visits[sid]
        for row in b.visits:
            open_visits[row[0]] = None
        if len(open_visits) > MAX_OPEN_VISITS:
            for sid in list(open_visits)[: MAX_OPEN_VISITS // 10]:
                del open_visits[sid]
    b.days[day] = DayRow(
        counting_since=state.counting_since,
        finished=dict(state.finished),
        reroutes=state.reroutes,
        coverage=[list(p) for p in state.coverage.periods],
        trunk_flaps={name: tr.flaps for name, tr in state.trunks.items() if tr.flaps}
        | dict(state.trunk_flaps_restored),
        trends={q.queue_id: list(q.trend) for q in queues.values() if q.trend} if trends else None,
        updated=now,
    )
    return b


__all__ = ["CALL_COLUMNS", "MAX_PENDING_ROWS", "Batch", "DayRow", "call_row", "take"]
