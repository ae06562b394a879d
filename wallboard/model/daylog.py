"""The day's record: every finished call, who hung up waiting, and when we were watching.

A supervisor asks "who hung up waiting, so we can call them back?" and
"were we even watching at 10:05?". The model keeps today's finished calls
(bounded), joins each call's end with its queue visit (wait, outcome,
agent), and keeps the periods it was watching so the gaps are known. A
store (`wallboard.store`) drains the `Outbox` to persist what changed; the
model itself does no I/O.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from wallboard.model.entities import FinishedCall, Queue

if TYPE_CHECKING:
    from wallboard.model.state import WallboardState

MAX_DAY_CALLS = 20_000  # in memory; the store keeps every one
MAX_VISITS = 50_000  # queue visits waiting for their call's end
MAX_COVERAGE = 500


@dataclass(slots=True)
class Visit:
    queue: str
    outcome: str
    wait: float | None
    recorded: bool = False  # already written as its own record (an abandon)


@dataclass(slots=True)
class Outbox:
    """What changed since a store last drained it (only kept while a store is attached)."""

    intervals: set[tuple[str, float]] = field(default_factory=set)  # (queue id, start)
    agents: set[tuple[str, str]] = field(default_factory=set)
    offered: list[tuple[str, str]] = field(default_factory=list)  # (queue id, session id)
    calls: list[FinishedCall] = field(default_factory=list)
    # Sessions whose queue visit (answered, overflowed ...) now waits for its call's
    # end: after a restart the call's record still gets its queue, wait and outcome.
    visits: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.intervals or self.agents or self.offered or self.calls or self.visits)


class Coverage:
    """The periods of today the wallboard was watching (connected, or replaying)."""

    __slots__ = ("pending", "periods", "watching")

    def __init__(self) -> None:
        self.periods: list[list[float]] = []  # [start, end]; the last one is open while watching
        self.watching = False
        self.pending = False  # asked to start before there was a usable clock

    def start(self, now: float | None) -> None:
        if self.watching:
            return
        if now is None:
            self.pending = True
            return
        self.pending = False
        self.watching = True
        if self.periods and now <= self.periods[-1][1] + 1.0:
            self.periods[-1][1] = max(self.periods[-1][1], now)  # no gap worth a name
        else:
            self.periods.append([now, now])
            if len(self.periods) > MAX_COVERAGE:
                merged = [self.periods[0][0], self.periods[1][1]]
                self.periods[:2] = [merged]

    def stop(self, now: float | None) -> None:
        self.pending = False
        if not self.watching:
            return
        self.watching = False
        if now is not None and self.periods:
            self.periods[-1][1] = max(self.periods[-1][1], now)

    def touch(self, now: float) -> None:
        """The clock moved while watching: extend the open period."""
        if self.pending:
            self.start(now)
        elif self.watching and self.periods and now > self.periods[-1][1]:
            self.periods[-1][1] = now

    @property
    def since(self) -> float | None:
        return self.periods[0][0] if self.periods else None

    def gaps(self, day_start: float, now: float) -> list[list[float]]:
        """Unwatched periods of today between the first watched moment and now."""
        out: list[list[float]] = []
        prev: float | None = None
        for start, end in self.periods:
            if prev is not None and start > prev:
                out.append([prev, start])
            prev = end if prev is None else max(prev, end)
        if prev is not None and not self.watching and now > prev:
            out.append([prev, now])
        return [[max(a, day_start), b] for a, b in out if b > day_start]

    def restart(self, day_start: float) -> None:
        """Midnight: today's coverage starts at midnight if we are watching."""
        self.periods = [[day_start, day_start]] if self.watching else []

    def load(self, periods: list[list[float]]) -> None:
        """Periods of today from the store (before a restart); ours continue after them."""
        old = sorted([float(a), float(b)] for a, b in periods if a <= b)
        self.periods = old + self.periods
        self.periods.sort()


class DayLog:
    """Mixin of WallboardState: today's finished calls and queue visits."""

    day_calls: deque[FinishedCall]
    recent: deque[FinishedCall]
    coverage: Coverage
    outbox: Outbox | None
    _visits: dict[str, Visit]

    def _init_daylog(self, history_size: int) -> None:
        self.day_calls = deque(maxlen=MAX_DAY_CALLS)
        self.recent = deque(maxlen=history_size)  # the recent-calls panel
        self.coverage = Coverage()
        self.outbox = None
        self._visits = {}

    def attach_outbox(self) -> Outbox:
        """A store wants to persist changes from now on."""
        if self.outbox is None:
            self.outbox = Outbox()
        return self.outbox

    def take_outbox(self) -> Outbox:
        """Hand the store what changed and start a new outbox."""
        out = self.outbox if self.outbox is not None else Outbox()
        self.outbox = Outbox()
        return out

    def _visit(self: WallboardState, q: Queue, sid: str, outcome: str, wait: float | None) -> None:
        self._visits[sid] = Visit(q.number or q.queue_id, outcome, wait)
        if self.outbox is not None:
            self.outbox.visits.append(sid)
        if len(self._visits) > MAX_VISITS:
            del self._visits[next(iter(self._visits))]

    def _record(self: WallboardState, rec: FinishedCall) -> None:
        self.day_calls.append(rec)
        self.recent.append(rec)
        if self.outbox is not None:
            self.outbox.calls.append(rec)

    def _record_abandon(self: WallboardState, rec: FinishedCall) -> None:
        """Abandons are written at once: the supervisor may want to call back now."""
        self._visits[rec.session_id] = Visit(rec.queue, "abandoned", rec.wait, recorded=True)
        if len(self._visits) > MAX_VISITS:
            del self._visits[next(iter(self._visits))]
        self._record(rec)

    def _record_call_end(self: WallboardState, rec: FinishedCall) -> None:
        """A call ended: one record, with its queue visit if it had one."""
        visit = self._visits.pop(rec.session_id, None)
        if visit is not None:
            if visit.recorded:
                return  # the abandon was already written
            rec.queue = visit.queue
            rec.wait = visit.wait
            rec.queue_outcome = visit.outcome
        self._record(rec)

    def abandoned_today(self) -> list[FinishedCall]:
        """Callers who hung up waiting today, newest first."""
        return [c for c in reversed(self.day_calls) if c.queue_outcome == "abandoned"]


__all__ = ["MAX_DAY_CALLS", "Coverage", "DayLog", "Outbox", "Visit"]
