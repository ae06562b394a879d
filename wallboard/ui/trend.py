"""Wall page "trend": callers waiting over the last hour, all queues and the busiest ones.

One row per queue (as many as fit, busiest first, after an "All queues"
row): its name, waiting now and the peak of the hour, and a bar per minute
of the most callers waiting in it (`q.trend`, aligned by
`model.dayview.minute_series`; a minute nothing sampled is a gap). Read
from across the room: is the queue building up or draining?
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, Static

from wallboard.model.dayview import minute_series, sum_series
from wallboard.model.state import QUEUES
from wallboard.ui.charts import Bars
from wallboard.ui.derived import Changes
from wallboard.ui.panels import Ctx, Panel
from wallboard.ui.text import safe_text

MINUTES = 60
NAME_WIDTH = 24
ALL = "\x00all"


class WallTrend(Panel, Vertical):
    """Waiting callers per minute over the last hour, one bar row per queue."""

    DEFAULT_CSS = """
    WallTrend {
        height: 1fr;
        padding: 0 1;
    }
    WallTrend .trend-row {
        height: 4;
    }
    WallTrend .trend-name {
        width: 24;
        height: 3;
    }
    WallTrend Bars {
        height: 3;
    }
    WallTrend Bars > .sparkline--max-color {
        color: $warning;
    }
    WallTrend Bars > .sparkline--min-color {
        color: $primary;
    }
    WallTrend #trend-axis {
        height: 1;
        color: $text-muted;
    }
    """

    ROW_HEIGHT: ClassVar[int] = 4

    def __init__(self) -> None:
        super().__init__(id="wall-trend")
        self._order: list[str] = []
        self._dirty = True

    def on_mount(self) -> None:
        self.app.register_panel(self)  # type: ignore[attr-defined]

    def on_unmount(self) -> None:
        self.app.unregister_panel(self)  # type: ignore[attr-defined]

    def note(self, ch: Changes) -> None:
        if ch.full or ch.flags & QUEUES:
            self._dirty = True

    def invalidate(self) -> None:
        self._dirty = True

    def tenant_changed(self, tenant: str | None) -> None:
        self._dirty = True

    def sync(self, ctx: Ctx, tick: bool) -> None:
        if not (self._dirty or tick):
            return
        self._dirty = False
        st = ctx.state
        tenant = getattr(self.app, "tenant_filter", None)
        qs = {qid: q for qid, q in st.queues.items() if tenant is None or q.tenant_id == tenant}
        fit = max(1, (self.size.height or 20) // self.ROW_HEIGHT - 1)
        busiest = sorted(qs, key=lambda qid: (-st.waiting_now(qs[qid]), qs[qid].number or qid))
        order = [ALL, *busiest[: fit - 1]] if len(qs) > 1 else busiest[:fit]
        if order != self._order:
            self._order = order
            self.remove_children()
            rows = [
                Horizontal(Label("", classes="trend-name"), Bars(), classes="trend-row")
                for _ in order
            ]
            self.mount_all([*rows, Static("", id="trend-axis")])
            self._dirty = True  # filled on the next pass, once the rows are mounted
            self.call_after_refresh(self.app.refresh_now)  # type: ignore[attr-defined]
            return
        now = st.now()
        width = max(1, self.content_region.width - NAME_WIDTH)
        minutes = min(MINUTES, width)
        cells = max(1, width // minutes)
        series = {qid: minute_series(q.trend, now, minutes) for qid, q in qs.items()}
        for row, qid in zip(self.query(".trend-row"), order, strict=False):
            if qid == ALL:
                values = sum_series(series.values()) if series else [None] * minutes
                waiting = sum(st.waiting_now(q) for q in qs.values())
                title = Text("All queues\n", style="bold")
            else:
                q = qs.get(qid)
                if q is None:
                    continue
                values = series[qid]
                waiting = st.waiting_now(q)
                title = Text(safe_text(q.number or qid, 10) + " ", style="bold")
                title.append(safe_text(q.name, NAME_WIDTH - 12) + "\n")
            peak = max((v for v in values if v is not None), default=0)
            title.append("now ", style="dim")
            title.append(str(waiting), style="bold")
            title.append(" · peak ", style="dim")
            title.append(str(peak), style="bold")
            title.append(f"\nwaiting, last {minutes} min", style="dim")
            row.query_one(Label).update(title)
            row.query_one(Bars).show(values, max(peak, 1), cells)
        axis = Text(" " * NAME_WIDTH, end="")
        span = minutes * cells
        left, right = f"−{minutes} min", "now"
        axis.append(left + " " * max(1, span - len(left) - len(right)) + right)
        self.query_one("#trend-axis", Static).update(axis)


__all__ = ["WallTrend"]
