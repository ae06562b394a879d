"""History (page 6): a queue's day by interval, any day the history holds, and who hung up.

The page is the day chart (`daychart.py`) over the abandoned callers
(`abandoned.py`); it only picks the day and the queue both show. Where the
days come from is a `HistorySource` (`historysource.py`): today off the
model, other days off the store.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical

from wallboard.ui.daychart import DayChart
from wallboard.ui.historysource import CombinedSource, scoped_queues, source_of


class HistoryPage(Vertical):
    """Page 6: the day chart over the abandoned callers; `[` `]` day, `,` `.` queue."""

    DEFAULT_CSS = """
    HistoryPage {
        height: 1fr;
    }
    HistoryPage AbandonedTable {
        height: 1fr;
    }
    """

    BINDINGS: ClassVar[list[Binding]] = [
        Binding(
            "left_square_bracket", "day(-1)", "Day before", key_display="[", id="history.prev_day"
        ),
        Binding(
            "right_square_bracket", "day(1)", "Day after", key_display="]", id="history.next_day"
        ),
        Binding("comma", "queue(-1)", "Prev queue", key_display=",", id="history.prev_queue"),
        Binding("full_stop", "queue(1)", "Next queue", key_display=".", id="history.next_queue"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.day: str | None = None  # None: today
        self.queue: str | None = None  # None: all queues in scope

    def compose(self) -> ComposeResult:
        from wallboard.ui.abandoned import AbandonedTable

        yield DayChart(id="history-chart")
        yield AbandonedTable(id="history-abandoned")

    @property
    def chart(self) -> DayChart:
        return self.query_one(DayChart)

    def focus_default(self) -> None:
        self.chart.focus()

    def _today(self) -> str | None:
        return self.app.state.day  # type: ignore[no-any-return]

    def action_day(self, step: int) -> None:
        source = source_of(self.app)
        days = source.days()
        today = self._today()
        current = self.day or today
        if current not in days:
            days = sorted({*days, *([current] if current else [])})
        if not days or current is None:
            return
        i = days.index(current) + step
        if not 0 <= i < len(days):
            what = "earlier" if step < 0 else "later"
            no_store = isinstance(source, CombinedSource) and source.past is None
            more = " (no store attached: today only)" if no_store else ""
            self.app.notify(f"No {what} day in the history{more}", timeout=3)
            return
        day = days[i]
        self.day = None if day == today else day
        self._show()

    def action_queue(self, step: int) -> None:
        state = self.app.state
        day = self.day or state.day
        if day is None:
            return
        tenant = getattr(self.app, "tenant_filter", None)
        keys: list[str | None] = [
            None,
            *(r.key for r in scoped_queues(source_of(self.app).queues(day), tenant)),
        ]
        i = keys.index(self.queue) if self.queue in keys else 0
        self.queue = keys[(i + step) % len(keys)]
        self._show()

    def _show(self) -> None:
        from wallboard.ui.abandoned import AbandonedTable

        self.chart.show(day=self.day, queue=self.queue)
        self.query_one(AbandonedTable).show(day=self.day, queue=self.queue)


__all__ = ["HistoryPage"]
