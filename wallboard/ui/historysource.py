"""Where the History page's days come from: today off the model, other days off the store.

`HistorySource` is the read interface (five methods, read-only). The model
implements it for today (`TodaySource`: `q.intervals`,
`state.abandoned_today()`, `state.coverage`); the store's reader implements
it for the days it keeps; `CombinedSource` asks the model for today and the
store for every other day.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, Protocol

from wallboard.model.entities import FinishedCall
from wallboard.model.state import WallboardState
from wallboard.model.tally import Tally
from wallboard.ui.panels import nat
from wallboard.ui.text import safe_text


# ------------------------------------------------------------------ sources
@dataclass(frozen=True, slots=True)
class QueueRef:
    """A queue as the history knows it: `key` is the source's own (the model: queue id)."""

    key: str
    number: str
    name: str = ""
    tenant_id: str = ""

    @property
    def label(self) -> str:
        return f"{safe_text(self.number or self.key, 16)} {safe_text(self.name, 32)}".strip()


class HistorySource(Protocol):
    """Days of record, read-only. The store's reader implements this for past days."""

    def days(self) -> list[str]:
        """Local calendar days (YYYY-MM-DD) it holds anything for, oldest first."""
        ...

    def queues(self, day: str) -> list[QueueRef]:
        """The queues with a record that day (a deleted queue still has its past days)."""
        ...

    def intervals(self, day: str, queue: str) -> dict[float, Tally]:
        """One queue's tallies that day, keyed by interval start (unix seconds)."""
        ...

    def abandoned(self, day: str) -> list[FinishedCall]:
        """The callers who hung up waiting that day, newest first."""
        ...

    def gaps(self, day: str) -> list[list[float]]:
        """The periods of that day nobody watched ([from, to], unix seconds)."""
        ...


class TodaySource:
    """Today, read off the model; it knows no other day."""

    def __init__(self, state: WallboardState) -> None:
        self.state = state

    def days(self) -> list[str]:
        day = self.state.day
        return [day] if day is not None else []

    def _today(self, day: str) -> bool:
        return day == self.state.day

    def queues(self, day: str) -> list[QueueRef]:
        if not self._today(day):
            return []
        return [
            QueueRef(qid, q.number, q.name, q.tenant_id) for qid, q in self.state.queues.items()
        ]

    def intervals(self, day: str, queue: str) -> dict[float, Tally]:
        q = self.state.queues.get(queue) if self._today(day) else None
        return dict(q.intervals) if q is not None else {}

    def abandoned(self, day: str) -> list[FinishedCall]:
        return self.state.abandoned_today() if self._today(day) else []

    def gaps(self, day: str) -> list[list[float]]:
        if not self._today(day):
            return []
        st = self.state
        now = st.now()
        return st.coverage.gaps(st.calendar.midnight(now), now)


class CombinedSource:
    """Today from the model, every other day from `past` (the store's reader)."""

    def __init__(self, today: TodaySource, past: HistorySource | None = None) -> None:
        self.today = today
        self.past = past

    def _for(self, day: str) -> HistorySource:
        if self.past is None or day == self.today.state.day:
            return self.today
        return self.past

    def days(self) -> list[str]:
        days = set(self.today.days())
        if self.past is not None:
            days.update(self.past.days())
        return sorted(days)

    def queues(self, day: str) -> list[QueueRef]:
        return self._for(day).queues(day)

    def intervals(self, day: str, queue: str) -> dict[float, Tally]:
        return self._for(day).intervals(day, queue)

    def abandoned(self, day: str) -> list[FinishedCall]:
        return self._for(day).abandoned(day)

    def gaps(self, day: str) -> list[list[float]]:
        return self._for(day).gaps(day)


def source_of(app: Any) -> HistorySource:
    source = getattr(app, "history_source", None)
    if source is None:
        source = CombinedSource(TodaySource(app.state))
    return source  # type: ignore[no-any-return]


def scoped_queues(refs: Iterable[QueueRef], tenant: str | None) -> list[QueueRef]:
    """The queues the tenant filter lets through, in queue-number order."""
    out = [r for r in refs if tenant is None or r.tenant_id == tenant]
    out.sort(key=lambda r: nat(r.number or r.key))
    return out


__all__ = [
    "CombinedSource",
    "HistorySource",
    "QueueRef",
    "TodaySource",
    "scoped_queues",
    "source_of",
]


class StoreSource:
    """Past days from the store (`wallboard.store.Reader`, read-only); a past day never changes.

    Opened on the UI's thread (SQLite connections stay in their thread); each
    (day, queue) is read once and kept, so flipping back and forth costs nothing.
    """

    def __init__(self, reader: Any) -> None:
        self.reader = reader
        self._intervals: dict[tuple[str, str], dict[float, Tally]] = {}
        self._queues: dict[str, list[QueueRef]] = {}

    def days(self) -> list[str]:
        return sorted(self.reader.days())

    def queues(self, day: str) -> list[QueueRef]:
        refs = self._queues.get(day)
        if refs is None:
            rows = self.reader.queue_days(day)
            refs = [
                QueueRef(r.queue.queue_id, r.queue.number, r.queue.name, r.queue.tenant_id)
                for r in rows
            ]
            self._queues[day] = refs
        return refs

    def intervals(self, day: str, queue: str) -> dict[float, Tally]:
        key = (day, queue)
        got = self._intervals.get(key)
        if got is None:
            got = {r.start: r.tally for r in self.reader.intervals(day, queues=[queue])}
            self._intervals[key] = got
        return got

    def abandoned(self, day: str) -> list[FinishedCall]:
        return [c for _day, c in reversed(self.reader.calls(day, abandoned=True))]

    def gaps(self, day: str) -> list[list[float]]:
        periods = sorted(self.reader.coverage(day))
        return [[a[1], b[0]] for a, b in pairwise(periods) if b[0] > a[1]]
