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
from textual.app import ComposeResult
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
        self._rows: list[tuple[Horizontal, Label, Bars]] = []
        self._axis = Static("", id="trend-axis")
        self._dirty = True

    def compose(self) -> ComposeResult:
        yield self._axis

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

    def _ensure_rows(self, n: int) -> bool:
        """Exactly `n` row widgets (added before the axis, extra ones removed); True if
        rows were added (they are filled on the next pass, once mounted)."""
        added = False
        while len(self._rows) > n:
            row, _, _ = self._rows.pop()
            row.remove()
        while len(self._rows) < n:
            label, bars = Label("", classes="trend-name"), Bars()
            row = Horizontal(label, bars, classes="trend-row")
            self._rows.append((row, label, bars))
            self.mount(row, before=self._axis)
            added = True
        return added

    def sync(self, ctx: Ctx, tick: bool) -> None:
        if not (self._dirty or tick):
            return
        self._dirty = False
        st = ctx.state
        tenant = getattr(self.app, "tenant_filter", None)
        qs = {qid: q for qid, q in st.queues.items() if tenant is None or q.tenant_id == tenant}
        now = st.now()
        width = max(1, self.content_region.width - NAME_WIDTH)
        minutes = min(MINUTES, width)
        cells = max(1, width // minutes)
        series = {qid: minute_series(q.trend, now, minutes) for qid, q in qs.items()}
        peaks = {
            qid: max((v for v in vs if v is not None), default=0) for qid, vs in series.items()
        }
        # Busiest of the hour first: rows stay put while the waiting counts move.
        busiest = sorted(qs, key=lambda qid: (-peaks[qid], qs[qid].number or qid))
        fit = max(1, (self.size.height or 20) // self.ROW_HEIGHT)
        order = [ALL, *busiest[: fit - 1]] if len(qs) > 1 else busiest[:fit]
        if self._ensure_rows(len(order)):
            self._dirty = True
            self.call_after_refresh(self.app.refresh_now)  # type: ignore[attr-defined]
            return
        for (_, label, bars), qid in zip(self._rows, order, strict=True):
            if qid == ALL:
                values = sum_series(series.values())
                waiting = sum(st.waiting_now(q) for q in qs.values())
                title = Text("All queues\n", style="bold")
            else:
                q = qs[qid]
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
            label.update(title)
            bars.show(values, max(peak, 1), cells)
        axis = Text(" " * NAME_WIDTH, end="")
        span = minutes * cells
        left, right = f"−{minutes} min", "now"
        axis.append(left + " " * max(1, span - len(left) - len(right)) + right)
        self._axis.update(axis)


__all__ = ["WallTrend"]
