"""The table engine of every live table: a `VirtualTable` that mirrors one keyed
collection of the model.

A table says three things (its module under ``wallboard/ui/tables/``):

- which keys may have changed (``dirty_keys``) and which should exist
  (``wanted_keys``);
- ``record(ctx, key)``: the row as plain values, every sort value among them
  (None: no such row). Records are compared with ``==``; an equal record is
  no change at all;
- ``format_row(key, record)``: the cells, read off the record and the clock
  and thresholds the last sync stored on the panel (``self.now``, …),
  because formatting happens later, at paint time, and only for rows in view.

A sync hands the rows that changed to the table's `TableRows` (all of them
only when it must: first fill, a full rebuild, too much recorded), re-formats
the rows in view once a second if the table shows durations, and reconciles
what is painted with what should be: only cells whose text changed are sent
to the terminal. Off screen, a table keeps its rows current once a second
(``catch_up``), so showing it formats one screenful and nothing more.

Columns can be optional: ``column_wanted`` hides one while it would be
empty (Name while no name is known), and ``DROP_ORDER`` lists the columns
given up, first first, when the table is narrower than its columns.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

from textual import events

from wallboard.config import Thresholds
from wallboard.ui.derived import Changes
from wallboard.ui.panel import Ctx, Panel
from wallboard.ui.sortkeys import nat, num
from wallboard.ui.tablerows import Column, TableRows
from wallboard.ui.tenants import TenantScoped
from wallboard.ui.vpaint import CellT
from wallboard.ui.vtable import VirtualTable

# More recorded keys than this and a hidden table just rebuilds when shown.
PENDING_LIMIT = 20_000
# Off screen, a table catches up once a second only while it owes fewer rows than
# this (a storm's worth); past it (a replay at full speed) it waits to be shown.
OFFSCREEN_BUDGET = 3_000


def level_style(level: str) -> str:
    """A threshold level as a cell style that follows the theme (the widget's classes)."""
    return "vtable--crit" if level == "crit" else "vtable--warn" if level == "warn" else ""


class RowsPanel(Panel, TenantScoped, VirtualTable[Any, Any]):
    """A live table: records from the model, formatted and painted only in view."""

    COLUMNS: ClassVar[tuple[Column[Any], ...]] = ()
    TITLE: ClassVar[str] = ""
    DEFAULT_SORT: ClassVar[str | None] = None  # a column key (None: the first)
    DEFAULT_REVERSE: ClassVar[bool] = False
    TICKS: ClassVar[bool] = False  # shows durations that advance every second
    # Records hold figures the model computes against the clock (today's times):
    # once a second the rows in view are recorded again.
    LIVE_RECORDS: ClassVar[bool] = False
    DETAIL: ClassVar[str | None] = (
        None  # what Enter opens: "queue" | "agent" | "extension" | "call"
    )
    # Optional columns given up when the table is too narrow, first given up first.
    DROP_ORDER: ClassVar[tuple[str, ...]] = ()
    # Rows belong to a tenant (`tenant_of`): the tenant filter (`T`) applies.
    TENANT_SCOPED: ClassVar[bool] = True

    def __init__(
        self, *, id: str | None = None, classes: str | None = None, **options: Any
    ) -> None:
        rows: TableRows[Any, Any] = TableRows(
            self.COLUMNS, sort=self.DEFAULT_SORT, reverse=self.DEFAULT_REVERSE
        )
        super().__init__(
            rows, self.format_row, title=self.TITLE or None, id=id, classes=classes, **options
        )
        self._pending: set[Any] = set()
        self._full = True
        self._built = False  # filled once (a first fill is never put off)
        # What the last sync saw: formatting reads these at paint time.
        self.now = 0.0
        self.wall = 0.0
        self.thresholds = Thresholds()
        self.ctx: Ctx | None = None
        self._fit_for: tuple[int, frozenset[str]] | None = None

    # ------------------------------------------------------------ subclass API
    def dirty_keys(self, ch: Changes) -> Iterable[Any] | None:
        """Keys whose rows may have changed; None = all of them."""
        return None

    def wanted_keys(self, ctx: Ctx) -> Iterable[Any]:
        """Every key that should have a row (before filtering)."""
        return ()

    def record(self, ctx: Ctx, key: Any) -> Any:
        """The row for `key` as values (a tuple or frozen dataclass), or None: no row."""
        return None

    def format_row(self, key: Any, rec: Any) -> Sequence[CellT]:
        """The cells of one row: `(text, style)` or text, one per column."""
        return ()

    def column_wanted(self, key: str) -> bool:
        """False while a column would be empty on every row (it is hidden)."""
        return True

    def tenant_of(self, key: Any, record: Any) -> str:
        """The tenant a row belongs to (records carry `tenant_id`)."""
        return getattr(record, "tenant_id", "")

    def tenant_changed(self, tenant: str | None) -> None:
        if self.TENANT_SCOPED:
            super().tenant_changed(tenant)

    # ------------------------------------------------------------- lifecycle
    def on_mount(self) -> None:
        register = getattr(self.app, "register_panel", None)
        if register is not None:
            register(self)
        self._fit_columns()

    def on_unmount(self) -> None:
        unregister = getattr(self.app, "unregister_panel", None)
        if unregister is not None:
            unregister(self)

    def on_resize(self, _: events.Resize) -> None:
        self._fit_columns()

    # ------------------------------------------------------------- protocol
    def note(self, ch: Changes) -> None:
        if self._full:
            return
        if ch.full:
            self.invalidate()
            return
        keys = self.dirty_keys(ch)
        if keys is None:
            self.invalidate()
            return
        self._pending.update(keys)
        if len(self._pending) > PENDING_LIMIT:
            self.invalidate()

    def invalidate(self) -> None:
        self._full = True
        self._pending.clear()

    def has_pending(self) -> bool:
        """Changes noted and not yet in the rows (a hidden table between catch-ups)."""
        return self._full or bool(self._pending)

    def catch_up_offscreen(self, ctx: Ctx) -> None:
        """Once a second while hidden: catch up if it is a storm's worth, else wait.

        The first fill always happens (a page shown later must not build 5,000
        rows in the key's time); a rebuild after too many changes waits.
        """
        if self._full and self._built:
            return
        if len(self._pending) > OFFSCREEN_BUDGET:
            return
        self.catch_up(ctx)

    def catch_up(self, ctx: Ctx) -> None:
        """Bring the rows up to date with the model (no painting)."""
        self.ctx, self.now, self.wall = ctx, ctx.now, ctx.wall
        self.thresholds = ctx.thresholds
        if self._full:
            self._full = False
            self._built = True
            self._pending.clear()
            items = []
            for key in self.wanted_keys(ctx):
                rec = self.record(ctx, key)
                if rec is not None:
                    items.append((key, rec))
            self.rows.replace(items)
        elif self._pending:
            keys, self._pending = self._pending, set()
            self.rows.update([(key, self.record(ctx, key)) for key in keys])

    def sync(self, ctx: Ctx, tick: bool) -> None:
        self.catch_up(ctx)
        self._fit_columns()
        if tick and self.LIVE_RECORDS:
            self.rows.update([(k, self.record(ctx, k)) for k in self.keys_in_view()])
        if tick and self.TICKS:
            self.reformat()  # rows in view only; only cells whose text changed repaint
        self.reconcile()

    # ------------------------------------------------------------- columns
    def _fit_columns(self) -> None:
        """Show the wanted columns that fit the table's width (DROP_ORDER goes first)."""
        width = self.size.width
        wanted = frozenset(c.key for c in self.COLUMNS if self.column_wanted(c.key))
        if width <= 0 or self._fit_for == (width, wanted):
            return
        self._fit_for = (width, wanted)
        keys = [c.key for c in self.COLUMNS if c.key in wanted]
        widths = {c.key: c.width + 2 for c in self.COLUMNS}
        room = width - 1  # the vertical scrollbar
        for key in self.DROP_ORDER:
            if sum(widths[k] for k in keys) <= room:
                break
            if key in keys:
                keys.remove(key)
        self.show_columns(keys)

    # ------------------------------------------------------------- for tests
    def shown_rows(self) -> dict[Any, list[str]]:
        """Row key → text of its shown cells, for every row that passes the filter."""
        return {k: self.row_text(k) for k in self.rows}

    def shown_text(self) -> list[list[str]]:
        """The text of every row that passes the filter, in display order."""
        return [self.row_text(k) for k in self.rows]

    def column_text(self, column: str) -> list[str]:
        """One column's text down the table (shown or not), in display order."""
        index = next(i for i, c in enumerate(self.COLUMNS) if c.key == column)
        out = []
        for k in self.rows:
            cell = self.format_row(k, self.rows.get(k))[index]
            out.append(cell if isinstance(cell, str) else cell[0])
        return out


__all__ = ["OFFSCREEN_BUDGET", "PENDING_LIMIT", "RowsPanel", "level_style", "nat", "num"]
