"""Bars from zero on a chosen scale, drawn by Textual's own `Sparkline`.

Why Sparkline: it ships with Textual (no plotting dependency; textual-plot
needs numpy, textual-plotext pins an old plotext) and its eighth-block bars
read well on a TV and at 80×24. Two of its habits do not suit counts:
it scales each bar between the data's *minimum* and maximum (an interval
with 10 callers looks empty next to one with 12), and it cannot leave a bar
out (no data is not zero). Its API fixes both without touching its
drawing: every cell's bucket of data is ``(0, value, scale)``, so the
minimum is always 0 and the maximum the scale we choose (rows of one chart
share it), and the summary function picks the value back out of the
bucket. A cell with no data is ``(0, 0, 0)``, for which the summary returns
a negative number: Sparkline draws nothing there.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.widgets import Sparkline

# Far below every bucket's minimum (0): Sparkline truncates the bar's height toward
# zero, so it takes a whole step below it to leave the cell blank.
NO_DATA = -1e12


GAP_FROM = 3  # bars this wide or wider keep their last column free, so they read apart
_GAP = (0.0, 0.0, 0.0)


def bar_data(values: Sequence[float | None], scale: float, cells: int = 1) -> list[float]:
    """The Sparkline data for `values`, each `cells` wide, from 0 to `scale`."""
    out: list[float] = []
    for v in values:
        bucket = _GAP if v is None else (0.0, float(max(0.0, v)), scale)
        for i in range(cells):
            out.extend(_GAP if cells >= GAP_FROM and i == cells - 1 else bucket)
    return out


def bar_summary(height: int):  # type: ignore[no-untyped-def]
    """The value of one bucket: at least the lowest visible step when it is not zero.

    A bar below 1/(8·height) of the scale would be drawn as the baseline, the
    same as zero; one caller in an interval must not look like none.
    """
    steps = max(1, 8 * max(1, height) - 1)

    def summary(bucket: Sequence[float]) -> float:
        if len(bucket) < 3 or bucket[2] <= 0:
            return NO_DATA
        value, scale = bucket[1], bucket[2]
        if value <= 0:
            return 0.0
        return min(scale, max(value, scale * 1.01 / steps))

    return summary


class Bars(Sparkline):
    """A row of bars, one per value, `cells` wide each; None leaves a gap."""

    DEFAULT_CSS = """
    Bars {
        width: auto;
        height: 1;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__([], id=id, classes=classes)
        self.values: tuple[float | None, ...] = ()
        self.scale = 1.0
        self.cells = 1

    def show(self, values: Sequence[float | None], scale: float | None, cells: int = 1) -> None:
        """Draw `values` on 0..`scale` (None: their own maximum), `cells` columns each."""
        known = [v for v in values if v is not None]
        top = scale if scale is not None else max(known, default=0.0)
        scale = float(top) if top and top > 0 else 1.0
        values = tuple(values)
        if (values, scale, cells) == (self.values, self.scale, self.cells):
            return
        self.values, self.scale, self.cells = values, scale, cells
        self.styles.width = max(1, len(values) * cells)
        self.summary_function = bar_summary(self.size.height or 1)
        self.data = bar_data(values, scale, cells)

    def on_resize(self) -> None:
        self.summary_function = bar_summary(self.size.height or 1)


__all__ = ["GAP_FROM", "NO_DATA", "Bars", "bar_data", "bar_summary"]
