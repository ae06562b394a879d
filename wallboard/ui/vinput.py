"""Keys and mouse for the virtual table: cursor moves, paging, header clicks, hover.

A mixin of `VirtualTable` (its bindings live on the widget: Textual only reads
BINDINGS from widget classes). Every move goes through the widget's `_move`,
which keeps the cursor's key, scrolls it into view and repaints only the two
lines whose look changed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import events
from textual.binding import Binding, BindingType

if TYPE_CHECKING:
    from textual.message import Message

    from wallboard.ui.tablerows import Column, TableRows
    from wallboard.ui.vpaint import RowPainter

PAGE_SIDEWAYS = 8  # cells per left / right key when columns are wider than the table

TABLE_BINDINGS: list[BindingType] = [
    Binding("enter", "select_cursor", "Open", show=False, id="table.select"),
    Binding("up,k", "cursor_up", "Up", show=False, id="table.up"),
    Binding("down,j", "cursor_down", "Down", show=False, id="table.down"),
    Binding("pageup", "page_up", "Page up", show=False, id="table.page_up"),
    Binding("pagedown", "page_down", "Page down", show=False, id="table.page_down"),
    Binding("home,ctrl+home,g", "cursor_top", "Top", show=False, id="table.top"),
    Binding("end,ctrl+end,G", "cursor_bottom", "Bottom", show=False, id="table.bottom"),
    Binding("left", "scroll_left", "Scroll left", show=False, id="table.left"),
    Binding("right", "scroll_right", "Scroll right", show=False, id="table.right"),
]


class TableInput:
    """Keyboard and mouse handling over the widget's cursor API."""

    if TYPE_CHECKING:  # what the widget provides
        rows: TableRows[Any, Any]
        columns: tuple[Column[Any], ...]
        header_height: int
        scroll_x: float
        scroll_y: float
        _cursor: int
        _cursor_key: Any
        _hover: int
        _stale: bool
        _painter: RowPainter
        RowSelected: Any
        HeaderSelected: Any

        @property
        def cursor_key(self) -> Any: ...
        def _move(self, index: int, *, scroll: bool = True, announce: bool = True) -> None: ...
        def _body_height(self) -> int: ...
        def is_row_line(self, y: int) -> bool: ...
        def reconcile(self) -> None: ...
        def sort_by(self, column: str) -> None: ...
        def scroll_to(self, x: float | None = None, y: float | None = None, **kw: Any) -> None: ...
        def post_message(self, message: Message) -> bool: ...

    def action_cursor_up(self) -> None:
        self._move(self._cursor - 1)

    def action_cursor_down(self) -> None:
        self._move(self._cursor + 1)

    def action_page_up(self) -> None:
        height = max(1, self._body_height())
        self.scroll_to(y=max(0, int(self.scroll_y) - height), animate=False)
        self._move(self._cursor - height)

    def action_page_down(self) -> None:
        height = max(1, self._body_height())
        self.scroll_to(y=int(self.scroll_y) + height, animate=False)
        self._move(self._cursor + height)

    def action_cursor_top(self) -> None:
        self._move(0)

    def action_cursor_bottom(self) -> None:
        self._move(len(self.rows) - 1)

    def action_scroll_left(self) -> None:
        self.scroll_to(x=max(0, int(self.scroll_x) - PAGE_SIDEWAYS), animate=False)

    def action_scroll_right(self) -> None:
        self.scroll_to(x=int(self.scroll_x) + PAGE_SIDEWAYS, animate=False)

    def action_select_cursor(self) -> None:
        key = self.cursor_key
        if key is not None:
            self.post_message(self.RowSelected(self, key))

    def _row_at(self, event: events.MouseEvent) -> tuple[int, int] | None:
        """(content line, x in the table) under the mouse, or None outside the content."""
        offset = event.get_content_offset(self)
        if offset is None:
            return None
        return offset.y, offset.x + int(self.scroll_x)

    def _on_click(self, event: events.Click) -> None:
        at = self._row_at(event)
        if at is None:
            return
        y, x = at
        if y < self.header_height:
            j = self._painter.column_at(x)
            column = self._painter.columns[j] if j is not None else None
            if column is not None and column.sort is not None:
                self.sort_by(column.key)
                self.post_message(self.HeaderSelected(self, column.key))
            event.stop()
            return
        index = int(self.scroll_y) + y - self.header_height
        if index >= len(self.rows) or not self.is_row_line(y):
            return
        event.stop()
        if index == self._cursor and self.cursor_key is not None:
            self.post_message(self.RowSelected(self, self._cursor_key))
        else:
            self._move(index)

    def _on_mouse_move(self, event: events.MouseMove) -> None:
        at = self._row_at(event)
        index = -1
        if at is not None and self.is_row_line(at[0]):
            index = int(self.scroll_y) + at[0] - self.header_height
            if index >= len(self.rows):
                index = -1
        if index != self._hover:
            self._hover = index
            self._stale = True
            self.reconcile()

    def _on_leave(self, _: events.Leave) -> None:
        if self._hover != -1:
            self._hover = -1
            self._stale = True
            self.reconcile()


__all__ = ["PAGE_SIDEWAYS", "TABLE_BINDINGS", "TableInput"]
