"""The baseline of `wallboard bench ui`: the app's tables on Textual's DataTable.

Each `DataTablePanel` wraps one of the app's own table panels (its *spec*,
never mounted): the spec keeps its records exactly as on the board (same
keys, same `record()`, same `TableRows`), and the DataTable shows them the
way the app's tables did before `VirtualTable`, through DataTable's public
API: every row whose record changed is formatted and diffed, the cells that
differ are replaced (`update_cell(..., update_width=False)`), rows are added
and removed one by one, the table re-sorts when a sorted value changed (at
most once a second past 1,000 rows), and once a second the rows in view are
formatted again for their durations. Same storm, same app, same refresh
timer: only the table widget differs.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any, ClassVar

from rich.text import Text
from textual.coordinate import Coordinate
from textual.widgets import DataTable

from wallboard.ui.derived import Changes
from wallboard.ui.panel import Ctx, Panel
from wallboard.ui.rowspanel import RowsPanel
from wallboard.ui.text import Cell
from wallboard.ui.vpaint import normalise

BIG_TABLE = 1000  # bigger tables re-sort at most once a second (the old policy)


class DataTablePanel(Panel, DataTable[Any]):
    """One board table, shown by a DataTable (the old way)."""

    DEFAULT_CSS: ClassVar[str] = """
    DataTablePanel {
        border: round $primary 40%;
        height: 1fr;
        scrollbar-size-vertical: 1;
    }
    """

    def __init__(self, spec: RowsPanel, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.spec = spec
        self.border_title = spec.TITLE
        self._shown: dict[str, tuple[tuple[str, Any], ...]] = {}
        self._key_of: dict[str, Any] = {}  # row key text -> the spec's key
        self._changed: set[Any] = set()
        self._need_sort = False
        self._cols = [c.key for c in spec.COLUMNS]
        spec.rows.subscribe(self)

    # TableRows listener: the spec's records changed (keys), or its order did.
    def rows_changed(self, keys: Collection[Any], order: bool) -> None:
        self._changed.update(keys)

    def on_mount(self) -> None:
        for c in self.spec.COLUMNS:
            self.add_column(Text(c.label, style="bold"), width=c.width, key=c.key)
        self.app.register_panel(self)  # type: ignore[attr-defined]

    def on_unmount(self) -> None:
        self.app.unregister_panel(self)  # type: ignore[attr-defined]

    def note(self, ch: Changes) -> None:
        self.spec.note(ch)

    def invalidate(self) -> None:
        self.spec.invalidate()

    def catch_up(self, ctx: Ctx) -> None:
        self.spec.catch_up(ctx)

    def catch_up_offscreen(self, ctx: Ctx) -> None:
        self.spec.catch_up_offscreen(ctx)

    def has_pending(self) -> bool:
        """Rows not shown yet, or a sort put off to the next second: not current."""
        return self.spec.has_pending() or bool(self._changed) or self._need_sort

    def sync(self, ctx: Ctx, tick: bool) -> None:
        spec = self.spec
        spec.catch_up(ctx)
        keys, self._changed = self._changed, set()
        for key in keys:
            self._apply(key)
        if tick and spec.TICKS:
            for key in self._keys_in_view():
                self._apply(key)
        if self._need_sort and (tick or self.row_count <= BIG_TABLE):
            self._sort()

    def _cells(self, key: Any, rec: Any) -> tuple[tuple[str, Any], ...]:
        return normalise(self.spec.format_row(key, rec), len(self._cols))

    def _cell(self, text: str, style: Any, j: int, rec: Any) -> Cell:
        sort: Callable[[Any], Any] | None = self.spec.COLUMNS[j].sort
        style = "" if isinstance(style, str) and style.startswith("vtable--") else style
        return Cell(text, style, sort(rec) if sort is not None else None)

    def _apply(self, key: Any) -> None:
        rk = str(key)
        rec = self.spec.rows.get(key)
        old = self._shown.get(rk)
        if rec is None:
            if old is not None:
                del self._shown[rk]
                del self._key_of[rk]
                self.remove_row(rk)
            return
        cells = self._cells(key, rec)
        if old is None:
            self.add_row(*(self._cell(t, s, j, rec) for j, (t, s) in enumerate(cells)), key=rk)
            self._shown[rk] = cells
            self._key_of[rk] = key
            self._need_sort = True
            return
        if cells == old:
            return
        sort_col = self.spec.rows.sort_column
        for j, (a, b) in enumerate(zip(old, cells, strict=True)):
            if a != b:
                self.update_cell(rk, self._cols[j], self._cell(*b, j, rec), update_width=False)
                if j == sort_col:
                    self._need_sort = True
        self._shown[rk] = cells

    def _sort(self) -> None:
        self._need_sort = False
        rows = self.spec.rows
        self.sort(rows.sort_key, key=lambda cell: cell.sort, reverse=rows.reverse)

    def _keys_in_view(self) -> list[Any]:
        n = self.row_count
        start = max(0, int(self.scroll_y))
        keys = []
        for i in range(start, min(n, start + max(1, self.size.height))):
            rk = self.coordinate_to_cell_key(Coordinate(i, 0)).row_key.value
            if rk in self._key_of:
                keys.append(self._key_of[rk])
        return keys


def datatable_factory(cls: type[RowsPanel]) -> type[DataTablePanel]:
    """A drop-in for `cls` in the app's module: same constructor, the DataTable version."""

    def __init__(self: DataTablePanel, *, id: str | None = None, **kw: Any) -> None:
        DataTablePanel.__init__(self, cls(**kw), id=id)

    return type(f"DataTable{cls.__name__}", (DataTablePanel,), {"__init__": __init__})


__all__ = ["DataTablePanel", "datatable_factory"]
