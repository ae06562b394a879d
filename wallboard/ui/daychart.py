"""`DayChart`: one widget that draws one day of one queue (or of all queues
of the selected tenant).

Offered / answered / abandoned as bars on one scale, service level and ASA
per interval, the interval under the cursor (←/→) and the current one
marked. It is a `Panel`, so it fits the History page and the queue detail
screen alike. Every figure is the model's (`model/dayview.py`, `kpi.py`,
through `daypicture.py`); this module only lays them out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, Static

from wallboard.model import kpi
from wallboard.model.dayview import ClosedSums, IntervalRow
from wallboard.model.state import QUEUES, WallboardState
from wallboard.ui.charts import Bars
from wallboard.ui.daypicture import DayPicture, picture
from wallboard.ui.derived import Changes
from wallboard.ui.fmt import dur, hm, pct
from wallboard.ui.historysource import HistorySource, source_of
from wallboard.ui.panels import Ctx, Panel

LABEL_WIDTH = 16  # "Abandoned  123 " and a space
MAX_CELLS = 8  # columns per interval when there is room (a TV)

METRICS: tuple[tuple[str, str], ...] = (
    ("offered", "Offered"),
    ("answered", "Answered"),
    ("abandoned", "Abandoned"),
    ("sl", "SL"),
    ("asa", "ASA"),
)


def metric_value(key: str, row: IntervalRow) -> str:
    if key == "sl":
        return pct(row.service_level)
    if key == "asa":
        return dur(row.asa)
    return str(getattr(row, key))


@dataclass(frozen=True, slots=True)
class Window:
    """Which intervals fit: `first` .. `first + count`, `cells` columns each."""

    first: int
    count: int
    cells: int


def fit_window(n: int, width: int, cursor: int, first: int) -> Window:
    """As many intervals as fit in `width` columns, the cursor's always among them.

    Up to MAX_CELLS columns per interval when there is room; past one column
    per interval the window scrolls (it keeps `first` while the cursor stays
    inside it, so the bars do not jump as the cursor moves).
    """
    if n <= 0 or width <= 0:
        return Window(0, 0, 1)
    cells = max(1, min(MAX_CELLS, width // n))
    count = min(n, max(1, width // cells))
    first = max(0, min(first, n - count))
    if cursor < first:
        first = cursor
    elif cursor >= first + count:
        first = cursor - count + 1
    return Window(first, count, cells)


class DayChart(Panel, Vertical, can_focus=True):
    """One day by interval: bars per interval, ←/→ picks one, the current one marked."""

    # Rules below start from the screen's size class (-roomy): Textual would scope them
    # under DayChart, where no such class is.
    SCOPED_CSS = False
    DEFAULT_CSS = """
    DayChart {
        height: auto;
        padding: 0 1;
        border: round $primary 40%;
        border-title-color: $text-muted;
    }
    DayChart:focus {
        border: round $accent;
        border-title-color: $text;
    }
    DayChart .chart-row {
        height: auto;
    }
    DayChart .chart-label {
        width: 16;
        color: $text-muted;
    }
    DayChart .chart-line {
        height: 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    DayChart Bars.-offered > .sparkline--max-color,
    DayChart Bars.-offered > .sparkline--min-color {
        color: $primary;
    }
    DayChart Bars.-answered > .sparkline--max-color,
    DayChart Bars.-answered > .sparkline--min-color {
        color: $success;
    }
    DayChart Bars.-abandoned > .sparkline--max-color,
    DayChart Bars.-abandoned > .sparkline--min-color {
        color: $error;
    }
    DayChart Bars.-sl > .sparkline--max-color,
    DayChart Bars.-sl > .sparkline--min-color {
        color: $warning;
    }
    DayChart Bars.-asa > .sparkline--max-color,
    DayChart Bars.-asa > .sparkline--min-color {
        color: $secondary;
    }
    .-roomy DayChart Bars.-offered,
    .-roomy DayChart Bars.-answered,
    .-roomy DayChart Bars.-abandoned {
        height: 3;
    }
    .-roomy DayChart Bars.-sl,
    .-roomy DayChart Bars.-asa {
        height: 2;
    }
    """

    BINDINGS: ClassVar[list[Binding]] = [
        Binding("left,h", "move(-1)", "Earlier interval", show=False, id="chart.left"),
        Binding("right,l", "move(1)", "Later interval", show=False, id="chart.right"),
        Binding("home", "first", "First interval", show=False, id="chart.first"),
        Binding("end", "last", "Current interval", show=False, id="chart.last"),
    ]

    def __init__(
        self,
        *,
        queue: str | None = None,
        day: str | None = None,
        source: HistorySource | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.queue = queue  # a queue key of the source; None: every queue in scope
        self.day = day  # None: today
        self.source = source
        self.cursor: int | None = None  # None: follow the current (or last) interval
        self.pic: DayPicture | None = None
        self._first = 0
        self._dirty = True
        self._drawn: tuple[Any, ...] | None = None
        self._sums = ClosedSums()

    def compose(self) -> ComposeResult:
        for key, _ in METRICS:
            with Horizontal(classes="chart-row"):
                yield Label("", classes="chart-label", id=f"label-{key}")
                yield Bars(classes=f"-{key}", id=f"bars-{key}")
        yield Static("", classes="chart-line", id="chart-marks")
        yield Static("", classes="chart-line", id="chart-axis")
        yield Static("", classes="chart-line", id="chart-total")

    def on_mount(self) -> None:
        register = getattr(self.app, "register_panel", None)
        if register is not None:
            register(self)

    def on_unmount(self) -> None:
        unregister = getattr(self.app, "unregister_panel", None)
        if unregister is not None:
            unregister(self)

    def on_resize(self) -> None:
        self._drawn = None
        self._dirty = True
        self.call_after_refresh(self._redraw)

    # --------------------------------------------------------------- protocol
    def note(self, ch: Changes) -> None:
        if ch.full or ch.flags & QUEUES or ch.queues:
            self._dirty = True

    def invalidate(self) -> None:
        self._dirty = True

    def sync(self, ctx: Ctx, tick: bool) -> None:
        # Once a second at most: bars per quarter hour need no 5 Hz (a storm sets
        # QUEUES on every refresh), and a user's key redraws at once (`show`).
        if self.pic is not None and not tick:
            return
        if not self._dirty and not (self.pic is None or self.pic.today):
            return
        self._dirty = False
        self.pic = self._picture(ctx.state)
        self._draw()

    def show(self, *, day: str | None, queue: str | None) -> None:
        """Another day or queue: the cursor goes back to following the current interval."""
        if (day, queue) != (self.day, self.queue):
            self.day, self.queue = day, queue
            self.cursor = None
            self._first = 1 << 30  # start at the end of the day
        self._redraw()

    def _redraw(self) -> None:
        state = getattr(self.app, "state", None)
        if state is None:
            return
        self.pic = self._picture(state)
        self._draw()

    def _picture(self, state: WallboardState) -> DayPicture:
        source = self.source or source_of(self.app)
        day = self.day or state.day or ""
        tenant = getattr(self.app, "tenant_filter", None)
        return picture(state, source, day, self.queue, tenant, self._sums)

    # ----------------------------------------------------------------- cursor
    @property
    def cursor_index(self) -> int | None:
        """The interval under the cursor (None while the day has none)."""
        pic = self.pic
        if pic is None or not pic.rows:
            return None
        if self.cursor is None:
            return pic.current if pic.current is not None else len(pic.rows) - 1
        return max(0, min(self.cursor, len(pic.rows) - 1))

    @property
    def cursor_row(self) -> IntervalRow | None:
        i = self.cursor_index
        return None if i is None or self.pic is None else self.pic.rows[i]

    def action_move(self, step: int) -> None:
        i = self.cursor_index
        if i is None or self.pic is None:
            return
        j = max(0, min(len(self.pic.rows) - 1, i + step))
        self.cursor = None if self.pic.today and j == self.pic.current else j
        self._draw()

    def action_first(self) -> None:
        if self.pic is not None and self.pic.rows:
            self.cursor = 0
            self._draw()

    def action_last(self) -> None:
        self.cursor = None
        self._draw()

    # ------------------------------------------------------------------- draw
    def _draw(self) -> None:
        pic = self.pic
        if pic is None or not self.is_mounted:
            return
        width = max(1, self.content_region.width - LABEL_WIDTH)
        rows = pic.rows
        cursor = self.cursor_index
        win = fit_window(len(rows), width, cursor or 0, self._first)
        self._first = win.first
        key = (pic, cursor, win, self.content_region.width)
        if key == self._drawn:
            return
        self._drawn = key
        shown = rows[win.first : win.first + win.count]
        scale = float(max((r.offered for r in rows), default=0)) or 1.0
        asa_scale = max((r.asa for r in rows if r.asa is not None), default=0.0) or 1.0
        series: dict[str, tuple[list[float | None], float]] = {
            "offered": ([r.offered if r.watched else None for r in shown], scale),
            "answered": ([r.answered if r.watched else None for r in shown], scale),
            "abandoned": ([r.abandoned if r.watched else None for r in shown], scale),
            "sl": ([r.service_level for r in shown], 100.0),
            "asa": ([r.asa for r in shown], asa_scale),
        }
        row = rows[cursor] if cursor is not None else None
        for key_, label in METRICS:
            values, top = series[key_]
            self.query_one(f"#bars-{key_}", Bars).show(values, top, win.cells)
            value = metric_value(key_, row) if row is not None else "—"
            text = Text(f"{label:<10}", style="dim", end="")
            text.append(f"{value:>5}", style="bold")
            self.query_one(f"#label-{key_}", Label).update(text)
        self.query_one("#chart-marks", Static).update(self._marks(pic, win, cursor))
        self.query_one("#chart-axis", Static).update(self._axis(shown, win))
        self.query_one("#chart-total", Static).update(self._total(pic))
        self.border_title = self._title(pic, row)

    def _title(self, pic: DayPicture, row: IntervalRow | None) -> str:
        parts = [f"History · {pic.title} · {pic.day}" + (" (today)" if pic.today else "")]
        if row is not None:
            span = f"{hm(row.start)}–{hm(row.end)}"
            if pic.current is not None and row is pic.rows[pic.current]:
                span += " now"
            if not row.watched:
                span += " (not watched)"
            parts.append(span)
        # border_title is markup: the queue's name is PBX text.
        return " · ".join(parts).replace("[", r"\[")

    @staticmethod
    def _marks(pic: DayPicture, win: Window, cursor: int | None) -> Text:
        """▲ under the interval at the cursor, ● under the current one."""
        line = [" "] * (LABEL_WIDTH + win.count * win.cells)
        styles: dict[int, str] = {}
        for index, mark, style in (
            (pic.current, "●", "bold yellow"),
            (cursor, "▲", "bold"),
        ):
            if index is None or not win.first <= index < win.first + win.count:
                continue
            x = LABEL_WIDTH + (index - win.first) * win.cells + (win.cells - 1) // 2
            line[x] = mark
            styles[x] = style
        legend = "▲ cursor" + (" ● now" if pic.current is not None else "")
        t = Text(legend.ljust(LABEL_WIDTH)[:LABEL_WIDTH], style="dim", end="")
        for x in range(LABEL_WIDTH, len(line)):
            t.append(line[x], style=styles.get(x, ""))
        return t

    def _axis(self, shown: tuple[IntervalRow, ...], win: Window) -> Text:
        """Hour labels under the interval each hour starts with (where they fit)."""
        cal = self.app.state.calendar
        line = [" "] * (win.count * win.cells)
        free = 0
        for i, r in enumerate(shown):
            local = cal.local(r.start)
            x = i * win.cells
            if (local.minute == 0 or i == 0) and x >= free:
                label = f"{local.hour:02d}" if local.minute == 0 else f"{local:%H:%M}"
                if x + len(label) > len(line):
                    continue
                line[x : x + len(label)] = label
                free = x + len(label) + 1
        t = Text(" " * LABEL_WIDTH, end="")
        t.append("".join(line), style="dim")
        return t

    @staticmethod
    def _total(pic: DayPicture) -> Text:
        t = pic.total
        sl = kpi.service_level(t, pic.definition)
        t_ = Text("Day  ", style="dim", end="")
        for label, value in (
            ("offered", str(t.offered)),
            ("answered", str(t.answered)),
            ("abandoned", str(t.abandoned)),
            ("SL", pct(sl)),
            ("ASA", dur(kpi.asa(t))),
        ):
            t_.append(f"{label} ", style="dim")
            t_.append(value, style="bold")
            t_.append("  ")
        return t_

    # ---------------------------------------------------------------- explain
    def explain_subject(self) -> Any:
        """For `i`: the numbers of the interval under the cursor."""
        from wallboard.ui.explainscreen import interval_subject

        row, pic = self.cursor_row, self.pic
        if row is None or pic is None:
            return None
        return interval_subject(pic, row)


__all__ = [
    "LABEL_WIDTH",
    "MAX_CELLS",
    "METRICS",
    "DayChart",
    "Window",
    "fit_window",
    "metric_value",
]
