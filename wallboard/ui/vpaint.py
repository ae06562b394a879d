"""Painting pieces of the virtual table: cells to segments, the header, the looks.

Kept apart from the widget so the hot path is easy to read: a cell is
``(text, style)``, its text already made safe (`safe_text`), and it becomes
at most three `Segment`s (padding, text, padding) without Rich's renderable
machinery: no markup, no measuring beyond one `cell_len`, no wrapping.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len, set_cell_size
from rich.errors import StyleSyntaxError
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from wallboard.ui.tablerows import Column
from wallboard.ui.text import safe_text

if TYPE_CHECKING:
    from textual.widget import Widget

ELLIPSIS = "…"
ARROW_UP, ARROW_DOWN = "↑", "↓"
# Cell styles that name a component class resolve through the theme.
NAMED_STYLES = ("vtable--warn", "vtable--crit")

Cell = tuple[str, Any]  # (safe text, style: str | Style)
CellT = Any  # what a format callback may return per cell: str, (text, style), (text, style, …)
_EMPTY: Cell = ("", "")


def normalise(cells: Sequence[CellT], n: int) -> tuple[Cell, ...]:
    """A format callback's cells as exactly `n` (safe text, style) pairs.

    Text is made safe here, once per format: controls and bidi overrides
    replaced, never parsed as markup (it only ever becomes a Segment).
    """
    out: list[Cell] = []
    for c in cells[:n]:
        if isinstance(c, str):
            out.append((safe_text(c, None), ""))
        else:
            out.append((safe_text(c[0], None), c[1] if len(c) > 1 else ""))
    while len(out) < n:
        out.append(_EMPTY)
    return tuple(out)


def fit(text: str, width: int) -> tuple[str, int]:
    """`text` cut to `width` cells (ending in an ellipsis if cut), and the fill it needs."""
    n = cell_len(text)
    if n <= width:
        return text, width - n
    if width <= 1:
        return set_cell_size(text, max(0, width)), 0
    return set_cell_size(text, width - 1) + ELLIPSIS, 0


@lru_cache(maxsize=1024)
def _parse(style: str) -> Style:
    try:
        return Style.parse(style)
    except StyleSyntaxError:
        return Style.null()  # a bad style string in a panel is a look, not a crash


def style_of(style: Any, looks: Looks) -> Style:
    """A cell's style: a Style, a Rich style string, or a component class name."""
    if isinstance(style, Style):
        return style
    if not style:
        return Style.null()
    named = looks.named.get(style)
    return named if named is not None else _parse(style)


def render_cell(
    text: str, style: Style, width: int, align: str, row: Style, over: Style | None
) -> tuple[Segment, ...]:
    """One cell as segments: a space of padding either side, text in the cell's style.

    The padding and fill take the row's look (zebra, cursor); the text takes
    the row's look plus the cell's style, plus `over` (the cursor's colours,
    which win like DataTable's) when given.
    """
    fitted, fill = fit(text, width)
    if not fitted:
        return (Segment(" " * (width + 2), row),)
    text_style = row + style
    if over is not None:
        text_style += over
    if align == "right":
        return (Segment(" " * (fill + 1), row), Segment(fitted, text_style), Segment(" ", row))
    return (Segment(" ", row), Segment(fitted, text_style), Segment(" " * (fill + 1), row))


def header_strip(
    columns: Sequence[Column[Any]], sort_column: int, reverse: bool, style: Style
) -> Strip:
    """The header line: labels, and the sort arrow in the sorted column's right padding."""
    segments = []
    for j, c in enumerate(columns):
        label, fill = fit(c.label, c.width)
        arrow = (ARROW_DOWN if reverse else ARROW_UP) if j == sort_column else " "
        if c.align == "right":
            segments.append(Segment(" " * (fill + 1) + label + arrow, style))
        else:
            segments.append(Segment(" " + label + " " * fill + arrow, style))
    return Strip(segments)


@dataclass(slots=True)
class Looks:
    """The styles of one paint, resolved once from the widget's CSS and theme."""

    base: Style
    header: Style
    even: Style
    odd: Style
    hover_even: Style
    hover_odd: Style
    cursor: Style
    cursor_over: Style
    named: dict[str, Style]

    @classmethod
    def resolve(cls, widget: Widget) -> Looks:
        get = widget.get_component_rich_style
        base = widget.rich_style
        zebra = getattr(widget, "zebra", True)
        even = get("vtable--even-row") if zebra else base
        odd = get("vtable--odd-row") if zebra else base
        hover = get("vtable--hover", partial=True)
        cursor = get("vtable--cursor")
        return cls(
            base=base,
            header=get("vtable--header"),
            even=even,
            odd=odd,
            hover_even=even + hover,
            hover_odd=odd + hover,
            cursor=cursor,
            cursor_over=Style.from_color(cursor.color, cursor.bgcolor),
            named={name: get(name, partial=True) for name in NAMED_STYLES},
        )

    def line(self, look: int) -> tuple[Style, Style | None]:
        """(row style, override for cell text) for a look code (see VirtualTable._look)."""
        if look == 4:
            return self.cursor, self.cursor_over
        if look == 0:
            return self.even, None
        if look == 1:
            return self.odd, None
        return (self.hover_odd if look & 1 else self.hover_even), None


@dataclass(slots=True)
class PaintCounters:
    """How much work a table did (tests and benchmarks read these)."""

    formats: int = 0  # calls of the format callback
    strips: int = 0  # row strips (re)built
    cells: int = 0  # cell segments rendered
    reconciles: int = 0  # passes that compared the view with what is painted


class _Paint:
    """A row's cached strip: the cells and look it was built from, per-cell segments."""

    __slots__ = ("cells", "crop", "line", "over", "segs", "strip", "style")

    def __init__(
        self,
        cells: tuple[Cell, ...],
        style: Style,
        over: Style | None,
        segs: list[tuple[Segment, ...]],
        width: int,
    ) -> None:
        self.cells = cells
        self.style = style
        self.over = over
        self.segs = segs
        self.strip = Strip([s for part in segs for s in part], width)
        self.crop: tuple[int, int] | None = None
        self.line: Strip | None = None


class RowPainter:
    """Row strips cached per key and built from per-cell segments.

    A row whose cells changed rebuilds only the cells that differ (a ticking
    duration re-renders one segment); a row whose look changed (cursor,
    hover, theme) rebuilds them all. The strip cropped to the view is cached
    too, so painting an unchanged line is a dict lookup.
    """

    def __init__(self, columns: Sequence[Column[Any]], counters: PaintCounters) -> None:
        self.columns = tuple(columns)
        self.counters = counters
        self.x: list[int] = []  # each column's first cell (padding included)
        x = 0
        for c in self.columns:
            self.x.append(x)
            x += c.width + 2
        self.width = x
        self._strips: dict[Any, _Paint] = {}
        self._header: tuple[Any, Strip] | None = None
        self._footer: tuple[Any, Strip] | None = None

    def __len__(self) -> int:
        return len(self._strips)

    def clear(self) -> None:
        self._strips.clear()
        self._header = None
        self._footer = None

    def prune(self, keep: Iterable[Any]) -> None:
        strips = self._strips
        self._strips = {k: strips[k] for k in keep if k in strips}

    def column_at(self, x: int) -> int | None:
        for j, cx in enumerate(self.x):
            if cx <= x < cx + self.columns[j].width + 2:
                return j
        return None

    def row(
        self, key: Any, cells: tuple[Cell, ...], look: int, looks: Looks, sx: int, width: int
    ) -> Strip:
        style, over = looks.line(look)
        paint = self._strips.get(key)
        if paint is None or paint.cells is not cells or paint.style != style or paint.over != over:
            same_look = paint is not None and paint.style == style and paint.over == over
            old = paint if same_look else None
            counters = self.counters
            segs = []
            for j, cell in enumerate(cells):
                if old is not None and old.cells[j] == cell:
                    segs.append(old.segs[j])
                    continue
                counters.cells += 1
                col = self.columns[j]
                segs.append(
                    render_cell(
                        cell[0], style_of(cell[1], looks), col.width, col.align, style, over
                    )
                )
            counters.strips += 1
            paint = self._strips[key] = _Paint(cells, style, over, segs, self.width)
        if paint.crop != (sx, width) or paint.line is None:
            paint.crop = (sx, width)
            paint.line = paint.strip.crop_extend(sx, sx + width, looks.base)
        return paint.line

    def header(self, sort_column: int, reverse: bool, looks: Looks, sx: int, width: int) -> Strip:
        sig = (looks.header, looks.base, sort_column, reverse, sx, width)
        if self._header is None or self._header[0] != sig:
            strip = header_strip(self.columns, sort_column, reverse, looks.header)
            self._header = (sig, strip.crop_extend(sx, sx + width, looks.base))
        return self._header[1]

    def footer(self, cells: tuple[Cell, ...], looks: Looks, sx: int, width: int) -> Strip:
        """A pinned line (totals) in the header's look, cells in their own styles."""
        sig = (cells, looks.header, looks.base, sx, width)
        if self._footer is None or self._footer[0] != sig:
            row = looks.header
            segs = [
                s
                for cell, col in zip(cells, self.columns, strict=False)
                for s in render_cell(
                    cell[0], style_of(cell[1], looks), col.width, col.align, row, None
                )
            ]
            strip = Strip(segs, self.width).crop_extend(sx, sx + width, looks.base)
            self._footer = (sig, strip)
        return self._footer[1]


# The widget's DEFAULT_CSS: DataTable's look, on theme variables.
TABLE_CSS = """
VirtualTable {
    background: $surface;
    color: $foreground;
    height: auto;
    max-height: 100%;
    &:focus {
        background-tint: $foreground 5%;
        & > .vtable--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        & > .vtable--header {
            background-tint: $foreground 5%;
        }
    }
    &:dark > .vtable--even-row {
        background: $surface-darken-1 40%;
    }
    & > .vtable--header {
        text-style: bold;
        background: $panel;
        color: $foreground;
    }
    &:ansi > .vtable--header {
        background: ansi_bright_blue;
        color: ansi_default;
    }
    & > .vtable--even-row {
        background: $surface-lighten-1 50%;
    }
    & > .vtable--cursor {
        background: $block-cursor-blurred-background;
        color: $block-cursor-blurred-foreground;
        text-style: $block-cursor-blurred-text-style;
    }
    & > .vtable--hover {
        background: $block-hover-background;
    }
    & > .vtable--warn {
        color: $warning;
        text-style: bold;
    }
    & > .vtable--crit {
        color: $error;
        text-style: bold reverse;
    }
    /* NO_COLOR: the cursor must still show without colours. */
    &:nocolor > .vtable--cursor {
        text-style: reverse;
    }
    &:nocolor:focus > .vtable--cursor {
        text-style: bold reverse;
    }
}
"""


__all__ = [
    "ELLIPSIS",
    "NAMED_STYLES",
    "TABLE_CSS",
    "Cell",
    "CellT",
    "Looks",
    "PaintCounters",
    "RowPainter",
    "fit",
    "header_strip",
    "normalise",
    "render_cell",
    "style_of",
]
