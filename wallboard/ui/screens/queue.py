"""Queue detail: the queue's KPIs, its waiting callers, its agents and its day by interval."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical

from wallboard.model import kpi
from wallboard.model.overview import queue_view
from wallboard.model.state import QUEUES
from wallboard.ui.daychart import DayChart
from wallboard.ui.derived import Changes
from wallboard.ui.fmt import LEVEL_STYLE, dur, pct
from wallboard.ui.panels import Ctx, InfoPanel, QueueAgentsTable, WaitingTable
from wallboard.ui.screens.base import DetailScreen
from wallboard.ui.text import safe_text


class QueueInfo(InfoPanel):
    """The KPIs of one queue."""

    FLAGS = QUEUES
    TICKS = True

    def __init__(self, queue_id: str) -> None:
        super().__init__(classes="info")
        self.queue_id = queue_id

    def note(self, ch: Changes) -> None:
        if ch.full or self.queue_id in ch.queues:
            self._dirty = True

    def render_info(self, ctx: Ctx) -> Text:
        q = ctx.state.queues.get(self.queue_id)
        t = Text(end="")
        if q is None:
            t.append("This queue is gone (deleted on the PBX).", style="bold red")
            return t
        v = queue_view(ctx.state, q, ctx.now)
        th = ctx.thresholds
        s = v.tally
        waiting, longest, sl = v.waiting, v.longest_wait, v.service_level
        t.append(f"Queue {safe_text(q.number or q.queue_id)}  ", style="bold")
        t.append(safe_text(q.name, 60) + "\n", style="bold")
        row = [
            ("waiting", str(waiting), LEVEL_STYLE[th.waiting_level(waiting)]),
            (
                "longest",
                dur(longest) if waiting else "—",
                LEVEL_STYLE[th.longest_wait_level(longest)],
            ),
            ("callbacks", str(v.callbacks_waiting), ""),
            ("offered", str(s.offered), ""),
            ("answered", str(s.answered), ""),
            ("abandoned", str(s.abandoned), ""),
            ("overflowed", str(s.overflowed), ""),
            ("SLA breaches", str(s.sla_breaches), "bold red" if s.sla_breaches else ""),
            ("service level", pct(sl), LEVEL_STYLE[th.service_level_level(sl)]),
            ("SLA", f"{v.target:g}s", ""),
            ("avg answer", dur(v.asa), ""),
            ("avg abandon", dur(kpi.average_abandon_wait(s)), ""),
        ]
        for i, (label, value, style) in enumerate(row):
            t.append(f"{label} ", style="dim")
            t.append(value, style=style or "bold")
            t.append("\n" if i % 4 == 3 else "   ")  # 3 lines of 4: fits 80 columns
        return t


class QueueScreen(DetailScreen):
    """Queue detail: KPIs, waiting callers with their waits, the queue's agents."""

    def __init__(self, queue_id: str) -> None:
        super().__init__()
        self.queue_id = queue_id

    def compose(self) -> ComposeResult:
        yield from self.compose_top()
        yield QueueInfo(self.queue_id)
        with Horizontal(classes="detail-row", id="queue-tables"):
            yield WaitingTable(queue_id=self.queue_id, id="queue-waiting")
            yield QueueAgentsTable(queue_id=self.queue_id, id="queue-agents")
        # The queue's day of record: today by interval, as on the History page.
        with Vertical(id="queue-day-charts", classes="day-charts"):
            yield DayChart(queue=self.queue_id, id="queue-day-chart")
        yield from self.compose_bottom()


__all__ = ["QueueInfo", "QueueScreen"]
