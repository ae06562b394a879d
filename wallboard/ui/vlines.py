"""What each line of the virtual table shows, and repainting only what differs.

A mixin of `VirtualTable`. Every line painted is remembered with the cells
and the look (zebra, hover, cursor) it was painted with; after a change
`reconcile` formats the rows now in view, compares them cell by cell with
what each line shows, and asks Textual to repaint only the cells that
differ: a duration going from 1:05 to 1:06 repaints that one cell.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from textual.geometry import Region
from textual.strip import Strip

from wallboard.ui.vpaint import Cell, CellT, Looks

if TYPE_CHECKING:
    from wallboard.ui.tablerows import Column, TableRows
    from wallboard.ui.vpaint import PaintCounters, RowPainter

_NO_LINE: Any = object()  # a body line not painted yet


class TableLines:
    """The lines in view: what each should show, what each was painted with."""

    if TYPE_CHECKING:  # what the widget provides
        rows: TableRows[Any, Any]
        columns: tuple[Column[Any], ...]
        header_height: int
        show_cursor: bool
        zebra: bool
        tail: bool
        counters: PaintCounters
        scroll_x: float
        scroll_y: float
        max_scroll_y: float
        scrollable_content_region: Region
        _format: Callable[[Any, Any], Sequence[CellT]]
        _painter: RowPainter
        _fmt: dict[Any, tuple[Cell, ...]]
        _painted: dict[int, Any]
        _looks: Looks | None
        _width: int
        _cursor: int
        _hover: int
        _stale: bool
        _on_screen: bool
        _footer: tuple[Cell, ...] | None
        _shown_cols: tuple[int, ...] | None

        def _sync_size(self) -> None: ...
        def _sync_cursor(self) -> None: ...
        def _update_title(self) -> None: ...
        def _body_height(self) -> int: ...
        def _footer_y(self) -> int: ...
        def _visible(self, cells: Sequence[CellT]) -> tuple[Cell, ...]: ...
        def refresh(self, *regions: Region, **kw: Any) -> Any: ...
        def scroll_to(self, x: float | None = None, y: float | None = None, **kw: Any) -> None: ...

    # ----------------------------------------------------------- reconcile
    def reconcile(self) -> None:
        """Repaint exactly what differs between the rows in view and what is painted."""
        if not self._stale or not self._on_screen:
            return
        self._stale = False
        self.counters.reconciles += 1
        at_end = self.tail and self.scroll_y >= self.max_scroll_y
        self._sync_size()
        if at_end and self.scroll_y < self.max_scroll_y:
            self.scroll_to(y=self.max_scroll_y, animate=False)
        self._sync_cursor()
        self._update_title()
        top = int(self.scroll_y)
        height = self._body_height()
        keys = self.rows.keys(top, top + height)
        painted = self._painted
        sx, width = int(self.scroll_x), self.scrollable_content_region.width
        regions: list[Region] = []
        fy = self._footer_y()
        lines = height
        if fy >= 0:  # every line to the bottom: the footer moves as rows come and go
            lines = self.scrollable_content_region.height - self.header_height
        for i in range(lines):
            y = i + self.header_height
            if y == fy:
                want: Any = (self._visible(self._footer or ()), -1)
            else:
                want = (self._cells(keys[i]), self._look(top + i)) if i < len(keys) else None
            have = painted.get(y, _NO_LINE)
            if have == want:
                continue
            if have is _NO_LINE or have is None or want is None or have[1] != want[1]:
                regions.append(Region(0, y, width, 1))
                continue
            for j, (a, b) in enumerate(zip(have[0], want[0], strict=False)):
                if a != b:
                    x = self._painter.x[j] - sx
                    w = self._painter.columns[j].width + 2
                    if x + w > 0 and x < width:
                        regions.append(Region(max(0, x), y, w + min(0, x), 1))
        if regions:
            self.refresh(*regions)
        self._prune(keys)

    def _prune(self, keys: list[Any]) -> None:
        cap = max(256, 4 * len(keys))
        if len(self._fmt) > cap:
            self._fmt = {k: self._fmt[k] for k in keys if k in self._fmt}
        if len(self._painter) > cap:
            self._painter.prune(keys)

    # ------------------------------------------------------------ painting
    def _look(self, index: int) -> int:
        """What a row's line looks like apart from its cells: zebra, hover, cursor."""
        if self.show_cursor and index == self._cursor:
            return 4
        return (index & 1 if self.zebra else 0) | (2 if index == self._hover else 0)

    def _cells(self, key: Any) -> tuple[Cell, ...]:
        cells = self._fmt.get(key)
        if cells is None:
            self.counters.formats += 1
            cells = self._visible(self._format(key, self.rows.get(key)))
            self._fmt[key] = cells
        return cells

    def render_line(self, y: int) -> Strip:
        return self._line(y, record=True)

    def _line(self, y: int, record: bool) -> Strip:
        """Content line `y`; `record` notes what it shows, for the next reconcile."""
        looks = self._looks or Looks.resolve(self)
        # The visible width: past it the scrollbar covers the line.
        width = self._width or self.scrollable_content_region.width
        sx = int(self.scroll_x)
        rows = self.rows
        if y < self.header_height:
            shown = self._shown_cols
            sort = rows.sort_column
            if self.columns[sort].sort is None:
                sort = -1  # a table in its given order: no arrow
            elif shown is not None:
                sort = shown.index(sort) if sort in shown else -1
            return self._painter.header(sort, rows.reverse, looks, sx, width)
        if self._footer is not None and y == self._footer_y():
            cells = self._visible(self._footer)
            if record:
                self._painted[y] = (cells, -1)
            return self._painter.footer(cells, looks, sx, width)
        index = int(self.scroll_y) + y - self.header_height
        if index >= len(rows):
            if record:
                self._painted[y] = None
            return Strip.blank(width, looks.base)
        key = rows.key_at(index)
        cells = self._cells(key)
        look = self._look(index)
        if record:
            self._painted[y] = (cells, look)
        return self._painter.row(key, cells, look, looks, sx, width)

    def painted_current(self) -> bool:
        """Whether every line in view shows what the rows hold now (benchmarks, tests):
        each line painted with the current cells of the row now at that place."""
        top = int(self.scroll_y)
        for i, key in enumerate(self.rows.keys(top, top + self._body_height())):
            have = self._painted.get(i + self.header_height)
            if have is None or have[0] != self._cells(key):
                return False
        return True

    def screen_text(self) -> list[str]:
        """The table's lines as they would be painted now (header first; tests).

        Nothing is noted as painted: the terminal still shows what it shows.
        """
        self._looks = Looks.resolve(self)
        height = self.scrollable_content_region.height
        return [self._line(y, record=False).text for y in range(height)]

    def row_text(self, key: Any) -> list[str]:
        """One row's cells as shown (formatted now, not cached; tests, snapshots)."""
        record = self.rows.get(key)
        return [c[0] for c in self._visible(self._format(key, record))]


__all__ = ["TableLines"]
