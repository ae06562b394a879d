"""The virtual table's cursor: a row *key*, not a line.

A mixin of `VirtualTable`. While the table has focus (or follows always)
the cursor follows its row through inserts, removals and re-sorts;
unfocused, it keeps its position, so a glance shows the top rows. Keys and
mouse (`vinput.py`) move it through `_move`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from textual.message import Message

    from wallboard.ui.tablerows import TableRows

Follow = Literal["focus", "always", "never"]


class TableCursor:
    """The cursor row's key and index, kept on its row and in view."""

    if TYPE_CHECKING:  # what the widget provides
        rows: TableRows[Any, Any]
        follow: Follow
        has_focus: bool
        scroll_y: float
        _cursor: int
        _cursor_key: Any
        _hover: int
        _stale: bool
        _on_screen: bool
        RowHighlighted: Any

        def _body_height(self) -> int: ...
        def reconcile(self) -> None: ...
        def scroll_to(self, x: float | None = None, y: float | None = None, **kw: Any) -> None: ...
        def post_message(self, message: Message) -> bool: ...

    @property
    def cursor_key(self) -> Any:
        """The key of the cursor row (None when the table is empty)."""
        if self._stale and self._on_screen:
            self._sync_cursor()
        return self._cursor_key

    @property
    def cursor_row(self) -> int:
        return self._cursor

    def move_cursor(self, key: Any, *, scroll: bool = True) -> bool:
        """Put the cursor on `key`'s row; False if that row is not shown."""
        index = self.rows.index_of(key)
        if index is None:
            return False
        self._move(index, scroll=scroll, announce=False)
        return True

    def _sync_cursor(self) -> None:
        rows = self.rows
        n = len(rows)
        if n == 0:
            self._cursor, self._cursor_key = 0, None
            return
        key = self._cursor_key
        follow = self.follow == "always" or (self.follow == "focus" and self.has_focus)
        if follow and key is not None:
            index = rows.index_of(key)
            if index is not None:
                if index != self._cursor:
                    top, height = int(self.scroll_y), self._body_height()
                    was_in_view = top <= self._cursor < top + height
                    self._cursor = index
                    if was_in_view:
                        self._scroll_to_cursor()
                return
        self._cursor = min(self._cursor, n - 1)
        self._cursor_key = rows.key_at(self._cursor)

    def _move(self, index: int, *, scroll: bool = True, announce: bool = True) -> None:
        n = len(self.rows)
        if n == 0:
            return
        if self._stale:
            self._sync_cursor()
        index = max(0, min(n - 1, index))
        old = self._cursor_key
        self._cursor = index
        self._cursor_key = self.rows.key_at(index)
        self._hover = -1
        if scroll:
            self._scroll_to_cursor()
        self._stale = True
        self.reconcile()
        if announce and self._cursor_key != old:
            self.post_message(self.RowHighlighted(self, self._cursor_key))

    def _scroll_to_cursor(self) -> None:
        height = self._body_height()
        if height <= 0:
            return
        top = int(self.scroll_y)
        if self._cursor < top:
            self.scroll_to(y=self._cursor, animate=False)
        elif self._cursor >= top + height:
            self.scroll_to(y=self._cursor - height + 1, animate=False)


__all__ = ["Follow", "TableCursor"]
