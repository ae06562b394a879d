"""A virtualised table: formats and paints only the rows in view.

Textual's DataTable keeps every cell of every row as a renderable and
repaints whole rows; on a 5,000-agent board that is most of a storm's CPU.
`VirtualTable` is a Line API widget (a `ScrollView` with `render_line`) over
a :class:`~wallboard.ui.tablerows.TableRows` kept outside it:

- Rows are records (values, not text). A `format(key, record)` callback turns
  one into cells, ``(text, style)`` pairs, lazily: only when the row is in
  view, and again only after its record changed. A hidden table (another
  page) only forgets the formatted rows whose records changed; showing it
  formats one screenful.
- What is on screen is remembered per line (the cells and the look each line
  was painted with). After a change the widget *reconciles*: it formats the
  rows now in view, compares them cell by cell with what each line shows,
  and asks Textual to repaint only the cells that differ. A duration going
  from 1:05 to 1:06 repaints that one cell; nothing else is sent to the
  terminal.
- Row strips are cached per key and built from per-cell segments, so a
  changed cell re-renders that cell only.
- Cell text is untrusted (PBX names, caller ids): it becomes a `Segment`
  as-is after `safe_text` (controls, bidi overrides replaced); nothing is
  ever parsed as markup. Cell styles are Rich style strings ("bold green"),
  `Style` objects, or one of this widget's component classes
  (``vtable--warn`` / ``vtable--crit``) so thresholds can follow the theme.
- The header is a fixed first line; clicking a label sorts by that column
  (again to reverse), with an arrow in the sorted column. Column widths are
  declared, never measured; a horizontal scrollbar appears only when the
  columns are wider than the table.
- The cursor is a row *key*: while the table has focus it follows its row
  through inserts, removals and re-sorts. Unfocused, it keeps its position,
  so a glance shows the top rows. Enter (or a click on the cursor row)
  posts :class:`VirtualTable.RowSelected` with the key.

The pieces: the rows in `tablerows.py`, cells to segments in `vpaint.py`,
the lines and their reconcile in `vlines.py`, the cursor in `vcursor.py`,
keys and mouse in `vinput.py`. This module is the widget that holds them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Any, ClassVar, Generic

from textual import events
from textual.binding import BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from wallboard.ui.tablerows import Column, K, R, TableRows
from wallboard.ui.text import safe_text
from wallboard.ui.textual_private import set_virtual_size_without_layout
from wallboard.ui.vcursor import Follow, TableCursor
from wallboard.ui.vinput import TABLE_BINDINGS, TableInput
from wallboard.ui.vlines import TableLines
from wallboard.ui.vpaint import (
    TABLE_CSS,
    Cell,
    CellT,
    Looks,
    PaintCounters,
    RowPainter,
    normalise,
)

Formatter = Callable[[Any, Any], Sequence[CellT]]  # (key, record) -> one cell per column


class VirtualTable(TableInput, TableCursor, TableLines, ScrollView, Generic[K, R], can_focus=True):
    """A table over a `TableRows` that formats and paints only what is in view."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "vtable--header",
        "vtable--cursor",
        "vtable--hover",
        "vtable--even-row",
        "vtable--odd-row",
        "vtable--warn",
        "vtable--crit",
    }

    DEFAULT_CSS = TABLE_CSS

    BINDINGS: ClassVar[list[BindingType]] = TABLE_BINDINGS

    # ------------------------------------------------------------- messages
    class RowSelected(Message):
        """Enter on a row, or a click on the cursor row."""

        def __init__(self, table: VirtualTable[Any, Any], key: Any) -> None:
            super().__init__()
            self.table = table
            self.key = key

        @property
        def control(self) -> VirtualTable[Any, Any]:
            return self.table

    class RowHighlighted(Message):
        """The user moved the cursor onto another row (keys, click)."""

        def __init__(self, table: VirtualTable[Any, Any], key: Any) -> None:
            super().__init__()
            self.table = table
            self.key = key

        @property
        def control(self) -> VirtualTable[Any, Any]:
            return self.table

    class HeaderSelected(Message):
        """A header label was clicked (the table has already re-sorted)."""

        def __init__(self, table: VirtualTable[Any, Any], column: str) -> None:
            super().__init__()
            self.table = table
            self.column = column

        @property
        def control(self) -> VirtualTable[Any, Any]:
            return self.table

    # ---------------------------------------------------------- construction
    def __init__(
        self,
        rows: TableRows[K, R],
        format: Formatter,
        *,
        title: str | None = None,
        search: Callable[[Any, Any], str] | None = None,
        zebra: bool = True,
        follow: Follow = "focus",
        show_cursor: bool = True,
        show_header: bool = True,
        tail: bool = False,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.rows = rows
        self.columns = rows.columns
        self._format = format
        self._search = search
        self.title = title
        self.zebra = zebra
        self.follow: Follow = follow
        self.show_cursor = show_cursor
        self.header_height = 1 if show_header else 0
        self._footer: tuple[Cell, ...] | None = None  # a pinned last line (totals)
        self.tail = tail  # stay at the end when rows arrive there (a log)
        self.filter_text = ""
        self.counters = PaintCounters()
        self._shown_cols: tuple[int, ...] | None = None  # None: every column
        self._painter = RowPainter(self.columns, self.counters)
        self._fmt: dict[Any, tuple[Cell, ...]] = {}  # formatted rows, valid until they change
        self._painted: dict[int, Any] = {}  # content line -> (cells, look) painted there
        self._looks: Looks | None = None
        self._width = 0  # the visible width, while a paint runs
        self._cursor = 0
        self._cursor_key: Any = None
        self._hover = -1
        self._stale = True
        self._on_screen = False
        self._title_cache: str | None = None
        rows.subscribe(self)

    # ------------------------------------------------------------ the rows
    def rows_changed(self, keys: Collection[Any], order: bool) -> None:
        """TableRows listener: forget changed rows' text (O(changed)); reconcile when
        idle if the table is on screen. A hidden table does nothing else."""
        fmt = self._fmt
        for k in keys:
            fmt.pop(k, None)
        self._stale = True
        if self._on_screen:
            self.check_idle()

    def reformat(self, keys: Iterable[Any] | None = None) -> None:
        """Format these rows again if they are in view (None: every row), e.g. once a
        second for durations. Only cells whose text changed are repainted."""
        if keys is None:
            self._fmt.clear()
        else:
            for k in keys:
                self._fmt.pop(k, None)
        self._stale = True
        if self._on_screen:
            self.reconcile()

    def keys_in_view(self) -> list[Any]:
        top = int(self.scroll_y)
        return self.rows.keys(top, top + self._body_height())

    @property
    def visible_columns(self) -> tuple[Column[Any], ...]:
        """The columns painted, in order (all of them unless `show_columns` narrowed it)."""
        return self._painter.columns

    def show_columns(self, keys: Collection[str] | None) -> None:
        """Paint only these columns (None: all), e.g. to fit a narrow terminal.

        Rows keep every value and still sort by any column; only painting
        changes. At least one column is always shown.
        """
        shown: tuple[int, ...] | None = None
        if keys is not None:
            shown = tuple(i for i, c in enumerate(self.columns) if c.key in keys) or (0,)
            if len(shown) == len(self.columns):
                shown = None
        if shown == self._shown_cols:
            return
        self._shown_cols = shown
        cols = self.columns if shown is None else tuple(self.columns[i] for i in shown)
        self._painter = RowPainter(cols, self.counters)
        self._fmt.clear()
        self._painted.clear()
        self._stale = True
        if self.is_mounted:
            self._sync_size()
            self.refresh()
            if self._on_screen:
                self.check_idle()

    @property
    def footer_height(self) -> int:
        return 0 if self._footer is None else 1

    def set_footer(self, cells: Sequence[CellT] | None) -> None:
        """Pin a line under the rows (a totals row): right after the last row, or at
        the bottom when the rows scroll. Not sorted, filtered or selectable."""
        new = None if cells is None else normalise(cells, len(self.columns))
        if new == self._footer:
            return
        self._footer = new
        self._stale = True
        if self._on_screen:
            self.check_idle()

    def footer_text(self) -> list[str] | None:
        """The footer's shown cells (tests); None without one."""
        return None if self._footer is None else [c[0] for c in self._visible(self._footer)]

    def _footer_y(self) -> int:
        """The content line the footer is painted on (-1: no footer)."""
        if self._footer is None:
            return -1
        last = self.scrollable_content_region.height - 1
        return min(self.header_height + len(self.rows) - int(self.scroll_y), last)

    # ------------------------------------------------------ sort and filter
    def sort_by(self, column: str) -> None:
        """Sort by `column`; the same column again reverses (a header click)."""
        rows = self.rows
        index = next((i for i, c in enumerate(self.columns) if c.key == column), None)
        if index is None or self.columns[index].sort is None:
            return
        if index == rows.sort_column:
            rows.sort_by(index, not rows.reverse)
        else:
            rows.sort_by(index, False)
        self._header_changed()

    def cycle_sort(self, reverse: bool = False) -> None:
        """`s`: sort by the next sortable column; `S`: flip the order."""
        rows = self.rows
        if reverse:
            rows.sort_by(rows.sort_column, not rows.reverse)
        else:
            n = len(self.columns)
            for step in range(1, n + 1):
                i = (rows.sort_column + step) % n
                if self.columns[i].sort is not None:
                    rows.sort_by(i, False)
                    break
        self._header_changed()

    def set_filter_text(self, text: str) -> None:
        """Show only rows with a cell containing `text` (case-insensitive); '' = all.

        Matches the formatted text (what the user reads), or `search(key,
        record)` if the table was given one. Rows are tested when the filter
        is set and when their record changes.
        """
        query = text.strip().lower()
        if query == self.filter_text:
            return
        self.filter_text = query
        if not query:
            self.rows.set_filter(None)
            return
        search = self._search or self._cell_text
        self.rows.set_filter(lambda k, r: query in search(k, r).lower())

    def _cell_text(self, key: Any, record: Any) -> str:
        # Newlines keep a query from matching across two cells.
        return "\n".join(c[0] for c in self._visible(self._format(key, record)))

    def _visible(self, cells: Sequence[CellT]) -> tuple[Cell, ...]:
        out = normalise(cells, len(self.columns))
        shown = self._shown_cols
        return out if shown is None else tuple(out[i] for i in shown)

    # ------------------------------------------------------ size and title
    def _sync_size(self) -> None:
        size = Size(self._painter.width, len(self.rows) + self.header_height + self.footer_height)
        if size == self.virtual_size:
            return
        height = self.styles.height
        if height is not None and height.is_auto:
            self.virtual_size = size  # the table's own height follows: a layout
            return
        # A fixed-height table: only the scrollbars change, so skip the layout
        # (a layout repaints the whole table; row counts change every refresh
        # in a storm).
        if not set_virtual_size_without_layout(self, size):
            self.virtual_size = size

    def _update_title(self) -> None:
        if self.title is None:
            return
        rows = self.rows
        col = self.columns[rows.sort_column].label
        parts = [f"{self.title} ({len(rows)})", f"sort {col}{'↓' if rows.reverse else '↑'}"]
        if self.filter_text:
            parts.append(f"filter “{safe_text(self.filter_text, 24)}”")
        title = " · ".join(parts)
        if title != self._title_cache:
            self._title_cache = title
            # border_title is markup: escape the one user-typed part (the filter).
            self.border_title = title.replace("[", r"\[")

    def _header_changed(self) -> None:
        if self._on_screen:
            if self.header_height:
                self.refresh(Region(0, 0, self.size.width, self.header_height))
            self.reconcile()

    # ------------------------------------------------------------ painting
    def _body_height(self) -> int:
        chrome = self.header_height + self.footer_height
        return max(0, self.scrollable_content_region.height - chrome)

    def is_row_line(self, y: int) -> bool:
        """Whether content line `y` shows a row (not the header nor the footer)."""
        return y >= self.header_height and y != self._footer_y()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._looks = None
        self._painter.clear()
        self.refresh()

    def render_lines(self, crop: Region) -> list[Strip]:
        self._on_screen = True
        self._looks = Looks.resolve(self)
        self._width = self.scrollable_content_region.width
        try:
            return super().render_lines(crop)
        finally:
            self._width = 0

    # ------------------------------------------------------- events, input
    def _on_idle(self, _: events.Idle) -> None:
        self.reconcile()

    def _on_show(self, _: events.Show) -> None:
        self._on_screen = True
        self._stale = True
        self.refresh()  # whatever was cached from before it was hidden may be stale
        self.check_idle()

    def _on_hide(self, _: events.Hide) -> None:
        self._on_screen = False

    def _on_resize(self, _: events.Resize) -> None:
        self._painted.clear()  # a resize repaints every line anyway
        self._stale = True
        self.check_idle()

    def _on_focus(self, _: events.Focus) -> None:
        self._stale = True  # the cursor follows its key from now on
        self.check_idle()

    def _on_mount(self, _: events.Mount) -> None:
        self._sync_size()
        self._update_title()

    def _on_unmount(self) -> None:
        self.rows.unsubscribe(self)


__all__ = ["Formatter", "PaintCounters", "VirtualTable"]
