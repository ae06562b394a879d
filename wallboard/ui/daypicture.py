"""What a day chart shows: one day of one queue, or of every queue in scope, by interval.

Apart from the widget (`daychart.py`) so the explanation screen can take a
picture without knowing how it is drawn. Every figure is the model's
(`model/dayview.py`); the days come from a `HistorySource`
(`historysource.py`): today off the model, other days off the store.
"""

from __future__ import annotations

from dataclasses import dataclass

from wallboard.model.dayview import ClosedSums, IntervalRow, day_rows, sum_queues
from wallboard.model.state import WallboardState
from wallboard.model.tally import Tally
from wallboard.ui.historysource import HistorySource, QueueRef, scoped_queues
from wallboard.ui.text import safe_text


@dataclass(frozen=True, slots=True)
class DayPicture:
    """What the chart shows: the day's intervals, which one is now, and for which queues."""

    day: str
    today: bool
    title: str  # "Queue 8001 Sales" / "All queues" (safe text)
    queues: tuple[QueueRef, ...]
    definition: str
    rows: tuple[IntervalRow, ...]
    current: int | None  # index of the interval "now" falls in (today only)
    total: Tally

    @property
    def single(self) -> QueueRef | None:
        return self.queues[0] if len(self.queues) == 1 else None


def picture(
    state: WallboardState,
    source: HistorySource,
    day: str,
    queue: str | None,
    tenant: str | None,
    sums: ClosedSums | None = None,
) -> DayPicture:
    """One day of one queue (`queue` = its key) or of every queue in scope (None).

    `sums` keeps today's closed intervals summed between calls (a chart's own).
    """
    today = day == state.day
    refs = scoped_queues(source.queues(day), tenant)
    if queue is not None:
        refs = [r for r in refs if r.key == queue]
    cal = state.calendar
    now = state.now()
    per_queue = [source.intervals(day, r.key) for r in refs]
    if today and sums is not None:
        open_from = cal.interval_start(now)
        key = (day, open_from, tuple(r.key for r in refs), sum(len(t) for t in per_queue))
        tallies = sums.sum(cal, per_queue, open_from, key)
    else:
        tallies = sum_queues(cal, per_queue)
    one = len(refs) == 1  # its own SL definition (a tenant with one queue too)
    definition = (
        state.targets.sl_definition_for(refs[0].number) if one else state.targets.sl_definition
    )
    if queue is None:
        title = "All queues" if tenant is None else "All queues of the tenant"
    elif refs:
        title = f"Queue {refs[0].label}"
    else:
        title = f"Queue {safe_text(queue, 16)} (no record that day)"
    rows = day_rows(cal, tallies, definition, until=now if today else None, gaps=source.gaps(day))
    current = None
    if today and rows:
        slot = cal.interval_start(now)
        current = next((i for i, r in enumerate(rows) if r.start == slot), len(rows) - 1)
    total = Tally()
    for r in rows:
        total.add(r.tally)
    return DayPicture(day, today, title, tuple(refs), definition, tuple(rows), current, total)


__all__ = ["DayPicture", "picture"]
