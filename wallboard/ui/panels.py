"""The live panels: tables that mirror the model by keyed diff, and their friends.

Every panel follows one small protocol, driven by the app's refresh timer:

- ``note(changes)`` is called on *every* refresh for every panel, visible or
  not, and only records which keys it will have to look at (set unions);
- ``sync(ctx, tick)`` is called only for panels on screen: it rebuilds the
  recorded rows, compares them with what is shown, and touches only the cells
  that differ (``update_cell(..., update_width=False)``), adds and removes only
  changed rows, and re-sorts only if a sort value changed. With ``tick`` (once
  a second) it also rebuilds the rows in view, so durations advance for
  visible rows only.

A panel that was hidden catches up with one pass over what it recorded (or a
full pass if it recorded too much to be worth tracking).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, ClassVar

from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.cache import LRUCache
from textual.coordinate import Coordinate
from textual.geometry import Size
from textual.widgets import DataTable, RichLog, Static
from textual.widgets.data_table import CellKey, ColumnKey, RowKey

from wallboard.config import Thresholds
from wallboard.model.entities import Queue
from wallboard.model.overview import queue_view
from wallboard.model.state import CALLS, COUNTS, LOG, TRUNKS, WallboardState
from wallboard.ui.derived import Changes, Derived
from wallboard.ui.eventtext import KIND_STYLE, describe
from wallboard.ui.fmt import (
    AGENT_STYLE,
    CALL_STATE_STYLE,
    CALL_STATUS_STYLE,
    LEVEL_STYLE,
    PRESENCE_STYLE,
    agent_label,
    agent_rank,
    dur,
    hms,
    pct,
)
from wallboard.ui.text import Cell, safe_text
from wallboard.ui.textual_private import TableRow, TwoWayDict

# A raw cell: (text, style, sort value). Rows are tuples of these, compared as-is.
Raw = tuple[str, str, Any]
Row = tuple[Raw, ...]
# More recorded keys than this and a hidden table just rebuilds when shown.
PENDING_LIMIT = 20_000
# Rows added per refresh while a big table fills for the first time.
FILL_SLICE = 1_000
# Tables bigger than this re-sort at most once a second (on the duration tick).
BIG_TABLE = 1000
_MISSING = (1, 0.0)  # sorts after every (0, value)


def num(v: float | None) -> tuple[int, float]:
    """A sort value for an optional number: known values first."""
    return _MISSING if v is None else (0, float(v))


_CHUNK = re.compile(r"([0-9]+)")


@lru_cache(maxsize=1 << 16)
def nat(s: str) -> tuple[tuple[int, Any], ...]:
    """Natural sort value: '9' < '10' < '101', 'Sales' vs 'support' case-insensitive.

    Cached: the same extension and queue numbers come back on every refresh
    (a regex split per cell was a tenth of filling a 5,000-row table).
    """
    return tuple(
        (0, int(part)) if part.isascii() and part.isdigit() else (1, part.lower())
        for part in _CHUNK.split(s)
        if part
    )


@dataclass(slots=True)
class Ctx:
    """What a refresh pass reads: the model, the derived indexes, the clocks, thresholds."""

    state: WallboardState
    derived: Derived
    now: float  # the model's clock: every duration is against this
    wall: float  # wall-clock time (status line)
    thresholds: Thresholds


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label: str
    width: int


def _level_style(level: str) -> str:
    return LEVEL_STYLE.get(level, "")


class Panel:
    """Mixin for everything the refresh timer drives."""

    page: str | None = None  # the ContentSwitcher page this panel lives on (None: always)

    def note(self, ch: Changes) -> None:  # pragma: no cover - interface
        """Record what changed (cheap; called for hidden panels too)."""

    def sync(self, ctx: Ctx, tick: bool) -> None:  # pragma: no cover - interface
        """Bring what is shown up to date (called for visible panels only)."""

    def invalidate(self) -> None:
        """Forget what is shown: the next sync rebuilds from the model."""


class KeyedTable(Panel, DataTable[Any]):
    """A DataTable whose rows mirror one keyed collection of the model."""

    COLUMNS: ClassVar[tuple[Column, ...]] = ()
    TITLE: ClassVar[str] = ""
    DEFAULT_SORT: ClassVar[int] = 0
    DEFAULT_REVERSE: ClassVar[bool] = False
    TICKS: ClassVar[bool] = False  # has durations that advance every second
    DETAIL: ClassVar[str | None] = (
        None  # what Enter opens: "queue" | "agent" | "extension" | "call"
    )

    BINDINGS: ClassVar[list[Binding]] = [
        Binding("j", "cursor_down", "Down", show=False, id="table.down"),
        Binding("k", "cursor_up", "Up", show=False, id="table.up"),
        Binding("g", "scroll_top", "Top", show=False, id="table.top"),
        Binding("G", "scroll_bottom", "Bottom", show=False, id="table.bottom"),
    ]

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, cursor_type="row", zebra_stripes=True)
        self._shown: dict[str, Row] = {}
        self._pending: set[str] = set()
        self._filling: list[str] = []  # keys of a first fill still to add
        self._full = True
        self._need_sort = False
        self.filter = ""
        self.sort_col = self.DEFAULT_SORT
        self.sort_reverse = self.DEFAULT_REVERSE
        self._col_keys = [ColumnKey(c.key) for c in self.COLUMNS]
        self._title_cache = ""
        # Rendered cells by position and look, valid while the cell object is the same.
        self._cells_rendered: LRUCache[tuple[Any, ...], tuple[Any, Any]] = LRUCache(4000)
        self._adding: list[tuple[str, Row]] = []  # new rows collected by `_apply`

    # ------------------------------------------------------------ subclass API
    def dirty_keys(self, ch: Changes) -> Iterable[str] | None:
        """Keys whose rows may have changed; None = all of them."""
        return None

    def wanted_keys(self, ctx: Ctx) -> Iterable[str]:
        """Every key that should have a row (before filtering)."""
        return ()

    def build(self, ctx: Ctx, key: str) -> Row | None:
        """The row for `key`, or None if it should not exist."""
        return None

    # ------------------------------------------------------------- lifecycle
    def on_mount(self) -> None:
        for c in self.COLUMNS:
            self.add_column(Text(c.label, style="bold"), width=c.width, key=c.key)
        self._update_title()
        app = self.app
        register = getattr(app, "register_panel", None)
        if register is not None:
            register(self)

    def on_unmount(self) -> None:
        unregister = getattr(self.app, "unregister_panel", None)
        if unregister is not None:
            unregister(self)

    # ------------------------------------------------------------- protocol
    def note(self, ch: Changes) -> None:
        if self._full:
            return
        if ch.full:
            self._full = True
            self._pending.clear()
            return
        keys = self.dirty_keys(ch)
        if keys is None:
            self._full = True
            self._pending.clear()
            return
        self._pending.update(keys)
        if len(self._pending) > PENDING_LIMIT:
            self._full = True
            self._pending.clear()

    def invalidate(self) -> None:
        self._full = True
        self._pending.clear()

    def sync(self, ctx: Ctx, tick: bool) -> None:
        if self._full:
            self._full = False
            self._pending.clear()
            self._filling = []
            if self._shown or type(self)._sync_all is not KeyedTable._sync_all:
                self._sync_all(ctx)
            else:
                # First fill: a 5,000-row table took ~140 ms in one pass (`wallboard
                # bench ui`); fill it a slice per refresh so no refresh (nor the key
                # press that showed the page) waits for all of it.
                keys = list(self.wanted_keys(ctx))
                if len(keys) <= FILL_SLICE:
                    self._sync_all(ctx)
                else:
                    self._filling = keys
        if self._filling:
            batch, self._filling = self._filling[:FILL_SLICE], self._filling[FILL_SLICE:]
            gone: list[str] = []
            for key in batch:
                self._apply(key, self.build(ctx, key), gone)
            self._commit(gone)
            if not self._filling:
                self._sort(keep_cursor=False)
        elif self._pending:
            # A storm can owe a shown table thousands of rows (every agent in the
            # pictures after a reconnect): catch up a slice per refresh.
            if len(self._pending) <= FILL_SLICE:
                keys, self._pending = self._pending, set()
            else:
                keys = set(itertools.islice(self._pending, FILL_SLICE))
                self._pending -= keys
            gone: list[str] = []
            for key in keys:
                self._apply(key, self.build(ctx, key), gone)
            self._commit(gone)
        if tick and self.TICKS:
            gone = []
            for key in self.keys_in_view():
                self._apply(key, self.build(ctx, key), gone)
            self._commit(gone)
        if self._need_sort and (tick or self.row_count <= BIG_TABLE):
            self._sort()
        self._update_title()

    # ------------------------------------------------------ DataTable fast paths
    # These lean on DataTable internals (textual pinned <9; the UI tests cover
    # them). Measured at 5,000 agents and 2,000 events/s, 200x60 (`wallboard
    # bench ui`): before them, half the CPU of a storm went to the two below.

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        """The virtual size, without measuring every cell of every new row.

        DataTable measures each new cell with Rich (tens of µs each) to widen
        auto-width columns and size auto-height rows. Every column here has a
        fixed width and every row one line, so only the size is needed: this
        took 3.0 of 11.5 CPU seconds of a 10 s storm before.
        """
        width = sum(column.get_render_width(self) for column in self.columns.values())
        header = self.header_height if self.show_header else 0
        self.virtual_size = Size(width + self._row_label_column_width, len(self.rows) + header)

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> Any:
        """DataTable's cell rendering, cached for as long as the cell object is the same.

        DataTable keys its render caches on a table-wide update counter, so one
        changed cell makes every visible cell render again (Rich, ~0.2 ms each)
        on the next paint. Cells here are immutable and replaced on change, so
        the cell object itself tells whether a render is still good.
        """
        if row_index < 0 or column_index < 0:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        row_key = self._row_locations.get_key(row_index)
        column_key = self._column_locations.get_key(column_index)
        row = self._data.get(row_key) if row_key is not None else None
        cell = row.get(column_key) if row is not None else None
        key = (
            row_key,
            column_key,
            row_index,  # in the cell's click metadata
            base_style,
            width,
            cursor,
            hover,
            self._show_hover_cursor,
            self._pseudo_class_state,
        )
        hit = self._cells_rendered.get(key)
        if hit is not None and hit[0] is cell:
            return hit[1]
        lines = super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        self._cells_rendered[key] = (cell, lines)
        return lines

    def _clear_caches(self) -> None:
        super()._clear_caches()
        cache = getattr(self, "_cells_rendered", None)  # None while DataTable.__init__ runs
        if cache is not None:
            cache.clear()

    # ------------------------------------------------------------- mechanics
    def _matches(self, row: Row) -> bool:
        f = self.filter
        return not f or any(f in cell[0].lower() for cell in row)

    def _apply(self, key: str, row: Row | None, gone: list[str]) -> None:
        """Make the shown row for `key` equal `row`; rows to drop are collected in `gone`."""
        old = self._shown.get(key)
        if row is not None and not self._matches(row):
            row = None
        if row is None:
            if old is not None:
                del self._shown[key]
                gone.append(key)
            return
        if old is None:
            self._adding.append((key, row))
            self._shown[key] = row
            self._need_sort = True
            return
        if old != row:
            sort_col = self.sort_col
            for i, (a, b) in enumerate(zip(old, row, strict=True)):
                if a != b:
                    self.update_cell(key, self._col_keys[i], Cell(*b), update_width=False)
                    if i == sort_col and a[2] != b[2]:
                        self._need_sort = True
            self._shown[key] = row

    def _commit(self, gone: list[str]) -> None:
        """Apply what `_apply` collected: removals, then additions."""
        self._remove_rows(gone)
        if self._adding:
            adding, self._adding = self._adding, []
            self._add_rows(adding)

    def _add_rows(self, items: list[tuple[str, Row]]) -> None:
        """Append many rows in one pass (DataTable internals, like `_remove_rows`).

        `DataTable.add_row` re-validates the cursor (a reactive with watchers)
        and bumps the render counter per row: filling a 5,000-agent table took
        ~0.35 s, most of the time a page with it is first shown.
        """
        if len(items) == 1:
            key, row = items[0]
            self.add_row(*(Cell(*c) for c in row), key=key)
            return
        was_empty = self.row_count == 0
        locations, data, rows, new = self._row_locations, self._data, self.rows, self._new_rows
        col_keys = self._col_keys
        index = len(rows)
        for key, row in items:
            rk = RowKey(key)
            locations[rk] = index
            index += 1
            data[rk] = {ck: Cell(*c) for ck, c in zip(col_keys, row, strict=True)}
            rows[rk] = TableRow(rk, 1, None, False)
            new.add(rk)
        self._require_update_dimensions = True
        self.cursor_coordinate = self.cursor_coordinate
        if was_empty and self.show_cursor and self.cursor_type != "none" and self.columns:
            self._highlight_cursor()
        self._update_count += 1
        self.check_idle()

    def _remove_rows(self, keys: list[str]) -> None:
        """Remove many rows in one O(rows) pass.

        `DataTable.remove_row` renumbers every row and re-runs the cursor and
        hover watchers (each O(rows)) per call, so removing the 50 calls that
        ended in a refresh from a 2,000-row table cost 50 full passes. This
        does what it does, once. It uses DataTable internals (pinned textual<9;
        tests cover it); one row goes through the public method.
        """
        if not keys:
            return
        if len(keys) == 1:
            self.remove_row(keys[0])
            return
        gone = set(keys)
        locations = self._row_locations
        order = [locations.get_key(i) for i in range(len(locations))]
        self._row_locations = TwoWayDict(
            {rk: i for i, rk in enumerate(rk for rk in order if rk.value not in gone)}
        )
        for key in gone:
            rk = RowKey(key)
            for column_key in self._data.get(rk, ()):
                self._updated_cells.discard(CellKey(rk, column_key))
            self.rows.pop(rk, None)
            self._data.pop(rk, None)
        self._require_update_dimensions = True
        self.check_idle()
        self._update_count += 1
        self.cursor_coordinate = self.cursor_coordinate
        self.hover_coordinate = self.hover_coordinate
        self.refresh(layout=True)

    def _sync_all(self, ctx: Ctx) -> None:
        """Compare every wanted row with what is shown (first fill, filter, catching up)."""
        cursor_key = self.cursor_key
        rows: dict[str, Row] = {}
        for key in self.wanted_keys(ctx):
            row = self.build(ctx, key)
            if row is not None and self._matches(row):
                rows[key] = row
        self._show_exactly(rows, cursor_key)

    def _show_exactly(self, rows: dict[str, Row], cursor_key: str | None) -> None:
        stale = [k for k in self._shown if k not in rows]
        if stale and len(stale) > len(self._shown) // 2:
            # Mostly new rows: one clear is cheaper than renumbering.
            self.clear()
            self._shown = {}
            stale = []
        for k in stale:
            del self._shown[k]
        self._remove_rows(stale)
        gone: list[str] = []
        for key, row in rows.items():
            self._apply(key, row, gone)
        self._commit(gone)
        if self._need_sort:
            # A table filled for the first time starts at its top row.
            self._sort(keep_cursor=cursor_key is not None)
        self._restore_cursor(cursor_key)

    def _sort(self, keep_cursor: bool = True) -> None:
        self._need_sort = False
        if not self._shown:
            return
        cursor_key = self.cursor_key if keep_cursor else None
        self.sort(
            self._col_keys[self.sort_col],
            key=lambda cell: cell.sort,
            reverse=self.sort_reverse,
        )
        self._restore_cursor(cursor_key)

    def _restore_cursor(self, key: str | None) -> None:
        """Keep the user's selection on the same entity while rows move around.

        Only for the table being driven: an unfocused table keeps its cursor
        on the same *row* (usually the top), so a glance shows the top rows.
        """
        if key is None or key not in self._shown or not self.has_focus:
            return
        row = self.get_row_index(key)
        if row != self.cursor_row:
            self.move_cursor(row=row, animate=False, scroll=True)

    @property
    def cursor_key(self) -> str | None:
        """The key of the highlighted row (None if the table is empty)."""
        if not self._shown or self.cursor_row < 0 or self.cursor_row >= self.row_count:
            return None
        try:
            rk: RowKey = self.coordinate_to_cell_key(Coordinate(self.cursor_row, 0)).row_key
        except Exception:
            return None
        return rk.value

    def keys_in_view(self) -> list[str]:
        """Row keys currently scrolled into view (the only rows whose durations tick)."""
        n = self.row_count
        if not n:
            return []
        start = max(0, int(self.scroll_y))
        end = min(n, start + max(1, self.size.height))
        out = []
        for i in range(start, end):
            try:
                out.append(self.coordinate_to_cell_key(Coordinate(i, 0)).row_key.value)
            except Exception:
                break
        return [k for k in out if k is not None]

    def _update_title(self) -> None:
        col = self.COLUMNS[self.sort_col].label if self.COLUMNS else ""
        arrow = "↓" if self.sort_reverse else "↑"
        parts = [f"{self.TITLE} ({len(self._shown)})", f"sort {col}{arrow}"]
        if self.filter:
            parts.append(f"filter “{safe_text(self.filter, 24)}”")
        title = " · ".join(parts)
        if title != self._title_cache:
            self._title_cache = title
            # border_title is markup: escape the one user-typed part (the filter).
            self.border_title = title.replace("[", r"\[")

    # ------------------------------------------------------------- user actions
    def set_filter(self, text: str) -> None:
        """Show only rows with a cell containing `text` (case-insensitive); '' = all."""
        text = text.strip().lower()
        if text != self.filter:
            self.filter = text
            self.invalidate()
            self._update_title()

    def cycle_sort(self, reverse: bool = False) -> None:
        """`s`: sort by the next column; `S`: flip the order."""
        if reverse:
            self.sort_reverse = not self.sort_reverse
        else:
            self.sort_col = (self.sort_col + 1) % len(self.COLUMNS)
            self.sort_reverse = False
        self._need_sort = True
        self._sort()
        self._update_title()

    def sort_by(self, column_key: str) -> None:
        """Header click: sort by that column, again to flip."""
        for i, c in enumerate(self.COLUMNS):
            if c.key == column_key:
                if i == self.sort_col:
                    self.sort_reverse = not self.sort_reverse
                else:
                    self.sort_col, self.sort_reverse = i, False
                self._need_sort = True
                self._sort()
                self._update_title()
                return

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        if event.column_key.value is not None:
            self.sort_by(event.column_key.value)

    def action_scroll_top(self) -> None:
        self.move_cursor(row=0)

    def action_scroll_bottom(self) -> None:
        self.move_cursor(row=max(0, self.row_count - 1))

    def shown_rows(self) -> dict[str, list[str]]:
        """Row key → plain text of its cells, for every shown row (tests, benchmark)."""
        return {k: [c[0] for c in row] for k, row in self._shown.items()}

    def shown_text(self) -> list[list[str]]:
        """The plain text of every shown row, in display order (tests, screenshots)."""
        out = []
        for i in range(self.row_count):
            rk = self.coordinate_to_cell_key(Coordinate(i, 0)).row_key
            out.append([c[0] for c in self._shown[rk.value]])  # type: ignore[index]
        return out


# ---------------------------------------------------------------- the tables
def _name_of(ctx: Ctx, number: str, tenant: str = "") -> str:
    return ctx.state.names.name(tenant, number) or ""


def _oldest_key(state: WallboardState, q: Queue) -> float:
    """Sort value of "longest wait" that does not move every second: −(oldest enqueue time)."""
    oldest = state.oldest_waiting(q)
    return float("-inf") if oldest is None else -oldest


def _who(number: str, name: str) -> str:
    number, name = safe_text(number, 24), safe_text(name, 28)
    if name and number:
        return f"{number} {name}"
    return number or name


class QueuesTable(KeyedTable):
    """One row per queue: waiting, longest wait, agents by state, counts, SL, ASA."""

    TITLE = "Queues"
    DETAIL = "queue"
    TICKS = True
    COLUMNS = (
        Column("number", "Queue", 5),
        Column("name", "Name", 10),
        Column("waiting", "Wait", 4),
        Column("longest", "Longest", 7),
        Column("sl", "SL", 5),
        Column("ready", "Rdy", 3),
        Column("busy", "Busy", 4),
        Column("wrap", "Wrap", 4),
        Column("away", "NRdy", 4),
        Column("offered", "Offer", 5),
        Column("answered", "Ans", 5),
        Column("abandoned", "Aband", 5),
        Column("asa", "ASA", 5),
    )

    def dirty_keys(self, ch: Changes) -> Iterable[str] | None:
        return ch.queues

    def wanted_keys(self, ctx: Ctx) -> Iterable[str]:
        return ctx.state.queues.keys()

    def build(self, ctx: Ctx, key: str) -> Row | None:
        q = ctx.state.queues.get(key)
        if q is None:
            return None
        v = queue_view(ctx.state, q, ctx.now)
        th = ctx.thresholds
        s = v.tally
        waiting, longest, agents, sl, asa = (
            v.waiting,
            v.longest_wait,
            v.agents,
            v.service_level,
            v.asa,
        )
        wl, ll, sll = (
            th.waiting_level(waiting),
            th.longest_wait_level(longest),
            th.service_level_level(sl),
        )
        cb = f"+{v.callbacks_waiting}cb" if v.callbacks_waiting else ""
        busy = agents.get("QUEUE_CALL", 0) + agents.get("OTHER_CALL", 0)
        return (
            (safe_text(q.number or q.queue_id, 12), "bold", nat(q.number or q.queue_id)),
            (safe_text(q.name, 32), "", q.name.lower()),
            (f"{waiting}{cb}" + ("!" if wl == "crit" else ""), _level_style(wl), waiting),
            (dur(longest) if waiting else "—", _level_style(ll), _oldest_key(ctx.state, q)),
            (pct(sl) + ("!" if sll == "crit" else ""), _level_style(sll), num(sl)),
            (str(agents.get("READY", 0)), "green", agents.get("READY", 0)),
            (str(busy), "cyan", busy),
            (str(agents.get("WRAP_UP", 0)), "yellow", agents.get("WRAP_UP", 0)),
            (str(agents.get("NOT_READY", 0)), "magenta", agents.get("NOT_READY", 0)),
            (str(s.offered), "", s.offered),
            (str(s.answered), "", s.answered),
            (str(s.abandoned), "", s.abandoned),
            (dur(asa), "", num(asa)),
        )


class AgentsTable(KeyedTable):
    """One row per agent (extension in at least one queue): state, time in state, caller."""

    TITLE = "Agents"
    DETAIL = "agent"
    TICKS = True
    DEFAULT_SORT = 2
    COLUMNS = (
        Column("ext", "Ext", 5),
        Column("name", "Name", 12),
        Column("state", "State", 10),
        Column("time", "Time", 6),
        Column("caller", "Caller", 22),
        Column("queues", "Queues", 10),
    )

    def dirty_keys(self, ch: Changes) -> Iterable[str] | None:
        return ch.numbers

    def wanted_keys(self, ctx: Ctx) -> Iterable[str]:
        return ctx.derived.members.keys()

    def build(self, ctx: Ctx, key: str) -> Row | None:
        a = ctx.derived.agent(key)
        if a is None:
            return None
        name = _name_of(ctx, key)
        return (
            (safe_text(key, 12), "bold", nat(key)),
            (safe_text(name, 32), "", name.lower()),
            (agent_label(a.state), AGENT_STYLE.get(a.state, ""), (agent_rank(a.state), nat(key))),
            (dur(ctx.now - a.since), "", -a.since),
            (_who(a.caller, a.caller_name), "", a.caller),
            (safe_text(",".join(a.queues), 40), "dim", ",".join(a.queues)),
        )


class CallsTable(KeyedTable):
    """Active calls: caller, callee, state, duration, direction, answered by."""

    TITLE = "Active calls"
    DETAIL = "call"
    TICKS = True
    DEFAULT_SORT = 3
    DEFAULT_REVERSE = True
    COLUMNS = (
        Column("caller", "Caller", 24),
        Column("callee", "Callee", 18),
        Column("state", "State", 11),
        Column("duration", "Duration", 8),
        Column("direction", "Direction", 9),
        Column("agent", "Answered by", 11),
    )

    def dirty_keys(self, ch: Changes) -> Iterable[str] | None:
        return ch.calls

    def wanted_keys(self, ctx: Ctx) -> Iterable[str]:
        return ctx.state.calls.keys()

    def build(self, ctx: Ctx, key: str) -> Row | None:
        c = ctx.state.calls.get(key)
        if c is None:
            return None
        state = c.state + (" (stale?)" if c.stale else "")
        style = "dim italic" if c.stale else CALL_STATE_STYLE.get(c.state, "")
        direction = c.direction.replace("inbound_outbound", "in+out")
        return (
            (_who(c.caller, c.caller_name), "", nat(c.caller)),
            (_who(c.callee, c.callee_name), "", nat(c.callee)),
            (state, style, c.state),
            (dur(ctx.now - c.started), "", -c.started),
            (safe_text(direction, 12), "dim", direction),
            (safe_text(c.answered_by, 16), "", nat(c.answered_by)),
        )


class RecentTable(KeyedTable):
    """The last finished calls (ended / not answered / failed), newest first.

    The model keeps them in a bounded deque (a few hundred), so this table is
    simply rebuilt from it whenever calls changed.
    """

    TITLE = "Recent calls"
    DEFAULT_SORT = 0
    DEFAULT_REVERSE = True
    COLUMNS = (
        Column("ended", "Ended", 8),
        Column("caller", "Caller", 22),
        Column("callee", "Callee", 16),
        Column("outcome", "Outcome", 9),
        Column("talk", "Talk", 7),
        Column("reason", "Reason", 16),
    )
    _OUT_STYLE: ClassVar[dict[str, str]] = {"ended": "", "noanswer": "yellow", "failed": "red"}

    def dirty_keys(self, ch: Changes) -> Iterable[str] | None:
        return None if ch.calls or ch.flags & CALLS else ()

    def _sync_all(self, ctx: Ctx) -> None:
        rows: dict[str, Row] = {}
        shown = self._shown
        for i, f in enumerate(ctx.state.recent):
            key = f"{id(f):x}"
            old = shown.get(key)
            if old is not None:
                rows[key] = old  # a finished call never changes
                continue
            talk = f.ended - f.answered if f.answered else None
            rows[key] = (
                (hms(f.ended), "", (f.ended, i)),
                (_who(f.caller, f.caller_name), "", nat(f.caller)),
                (safe_text(f.callee, 24), "", nat(f.callee)),
                (f.outcome, self._OUT_STYLE.get(f.outcome, ""), f.outcome),
                (dur(talk), "", num(talk)),
                (safe_text(f.reason, 32), "dim", f.reason),
            )
        self._show_exactly(rows, self.cursor_key)


class ExtensionsTable(KeyedTable):
    """Every extension: presence, call status, registered contacts, agent states."""

    TITLE = "Extensions"
    DETAIL = "extension"
    COLUMNS = (
        Column("ext", "Ext", 6),
        Column("name", "Name", 16),
        Column("online", "Online", 7),
        Column("presence", "Presence", 10),
        Column("call", "Call", 8),
        Column("contacts", "Contacts", 8),
        Column("agent", "Agent", 18),
    )

    @staticmethod
    def key_of(tenant: str, number: str) -> str:
        return f"{tenant}/{number}"

    def dirty_keys(self, ch: Changes) -> Iterable[str] | None:
        return [f"{t}/{n}" for t, n in ch.ext_keys]

    def wanted_keys(self, ctx: Ctx) -> Iterable[str]:
        return [f"{t}/{n}" for t, n in ctx.state.extensions]

    def build(self, ctx: Ctx, key: str) -> Row | None:
        tenant, _, number = key.partition("/")
        ext = ctx.state.extensions.get((tenant, number))
        if ext is None:
            return None
        online = ext.is_online(ctx.now)
        contacts = len(ext.live_contacts(ctx.now)) if ext.contacts_known else None
        status = ctx.derived.call_status(ext)
        presence = ext.presence or ""
        if ext.presence_note:
            presence = f"{presence} {ext.presence_note}".strip()
        agent = ", ".join(f"{q}:{agent_label(s)}" for q, s in sorted(ext.agent_states.items()))
        stale = " ?" if ext.stale else ""
        return (
            (safe_text(number, 12), "bold", nat(number)),
            (safe_text(name := _name_of(ctx, ext.number, ext.tenant_id), 32), "", name.lower()),
            ("online" + stale if online else "offline", "green" if online else "dim", online),
            (safe_text(presence, 24), PRESENCE_STYLE.get(ext.presence or "", ""), presence),
            (
                safe_text(status.replace("_", " ").lower(), 16),
                CALL_STATUS_STYLE.get(status, ""),
                status,
            ),
            ("—" if contacts is None else str(contacts), "", num(contacts)),
            (safe_text(agent, 40), "dim", agent),
        )


class TrunksTable(KeyedTable):
    """Trunks: a trunk that is down is shown in reverse red (and raises an alert)."""

    TITLE = "Trunks"
    COLUMNS = (
        Column("name", "Trunk", 16),
        Column("state", "State", 6),
        Column("since", "Since", 8),
        Column("flaps", "Flaps", 5),
        Column("reason", "Reason", 20),
    )

    def dirty_keys(self, ch: Changes) -> Iterable[str] | None:
        return None if ch.flags & TRUNKS else ()

    def wanted_keys(self, ctx: Ctx) -> Iterable[str]:
        return ctx.state.trunks.keys()

    def build(self, ctx: Ctx, key: str) -> Row | None:
        t = ctx.state.trunks.get(key)
        if t is None:
            return None
        return (
            (safe_text(t.name, 32), "bold", t.name.lower()),
            ("UP", "bold green", 1) if t.connected else ("DOWN", "bold reverse red", 0),
            (hms(t.since), "", t.since),
            (str(t.flaps), "", t.flaps),
            (safe_text(t.reason, 40), "dim", t.reason),
        )


class WaitingTable(KeyedTable):
    """Callers waiting in queues (all queues, or one for the queue detail)."""

    TITLE = "Waiting callers"
    TICKS = True
    DEFAULT_SORT = 3
    DEFAULT_REVERSE = True
    COLUMNS = (
        Column("queue", "Queue", 6),
        Column("caller", "Caller", 24),
        Column("pos", "Pos", 4),
        Column("wait", "Waiting", 8),
        Column("type", "Type", 8),
    )

    def __init__(self, *, queue_id: str | None = None, **kw: Any) -> None:
        super().__init__(**kw)
        self.queue_id = queue_id
        self._by_queue: dict[str, set[str]] = {}

    def dirty_keys(self, ch: Changes) -> Iterable[str] | None:
        qids = ch.queues if self.queue_id is None else ch.queues & {self.queue_id}
        out: set[str] = set()
        app_state = getattr(self.app, "state", None)
        for qid in qids:
            out |= self._by_queue.get(qid, set())
            q = app_state.queues.get(qid) if app_state is not None else None
            if q is not None:
                keys = {f"{qid}\x1f{sid}" for sid in q.waiting}
                self._by_queue[qid] = keys
                out |= keys
            else:
                self._by_queue.pop(qid, None)
        return out

    def wanted_keys(self, ctx: Ctx) -> Iterable[str]:
        qs = ctx.state.queues
        ids = [self.queue_id] if self.queue_id is not None else list(qs)
        self._by_queue = {}
        out = []
        for qid in ids:
            q = qs.get(qid)  # type: ignore[arg-type]
            if q is None:
                continue
            keys = [f"{qid}\x1f{sid}" for sid in q.waiting]
            self._by_queue[qid] = set(keys)  # type: ignore[index]
            out.extend(keys)
        return out

    def build(self, ctx: Ctx, key: str) -> Row | None:
        qid, _, sid = key.partition("\x1f")
        q = ctx.state.queues.get(qid)
        w = q.waiting.get(sid) if q is not None else None
        if w is None or q is None:
            return None
        wait = ctx.now - w.since
        level = ctx.thresholds.longest_wait_level(wait) if w.type == "normal" else "ok"
        return (
            (safe_text(q.number or q.queue_id, 12), "bold", nat(q.number or q.queue_id)),
            (_who(w.caller_number, w.caller_name), "", nat(w.caller_number)),
            ("" if w.position is None else str(w.position), "", num(w.position)),
            (dur(wait), _level_style(level), -w.since),
            (w.type, "dim" if w.type == "callback" else "", w.type),
        )


class QueueAgentsTable(KeyedTable):
    """The agents of one queue (queue detail): state in this queue, time, caller."""

    TITLE = "Agents in this queue"
    DETAIL = "agent"
    TICKS = True
    DEFAULT_SORT = 2
    COLUMNS = (
        Column("ext", "Ext", 6),
        Column("name", "Name", 16),
        Column("state", "State", 11),
        Column("time", "Time", 7),
        Column("caller", "Caller", 24),
    )

    def __init__(self, *, queue_id: str, **kw: Any) -> None:
        super().__init__(**kw)
        self.queue_id = queue_id

    def dirty_keys(self, ch: Changes) -> Iterable[str] | None:
        if self.queue_id in ch.queues:
            return None
        return ch.numbers & self._shown.keys()

    def wanted_keys(self, ctx: Ctx) -> Iterable[str]:
        q = ctx.state.queues.get(self.queue_id)
        return q.agents.keys() if q is not None else ()

    def build(self, ctx: Ctx, key: str) -> Row | None:
        q = ctx.state.queues.get(self.queue_id)
        a = q.agents.get(key) if q is not None else None
        if a is None:
            return None
        caller, caller_name = a.caller_number, a.caller_name
        if not caller:
            call = ctx.derived.current_call(key)
            if call is not None:
                caller, caller_name = ctx.derived.other_party(call, key)
        name = _name_of(ctx, key)
        return (
            (safe_text(key, 12), "bold", nat(key)),
            (safe_text(name, 32), "", name.lower()),
            (agent_label(a.state), AGENT_STYLE.get(a.state, ""), (agent_rank(a.state), nat(key))),
            (dur(ctx.now - a.since), "", -a.since),
            (_who(caller, caller_name), "", caller),
        )


class ContactsTable(KeyedTable):
    """Registered devices of one extension: address, user agent, expiry."""

    TITLE = "Registered contacts"
    TICKS = True
    COLUMNS = (
        Column("address", "Address", 22),
        Column("ua", "User agent", 24),
        Column("expires", "Expires in", 10),
        Column("uri", "Contact", 30),
    )

    def __init__(self, *, ext_key: tuple[str, str], **kw: Any) -> None:
        super().__init__(**kw)
        self.ext_key = ext_key

    def dirty_keys(self, ch: Changes) -> Iterable[str] | None:
        return None if self.ext_key in ch.ext_keys else ()

    def wanted_keys(self, ctx: Ctx) -> Iterable[str]:
        ext = ctx.state.extensions.get(self.ext_key)
        return ext.contacts.keys() if ext is not None else ()

    def build(self, ctx: Ctx, key: str) -> Row | None:
        ext = ctx.state.extensions.get(self.ext_key)
        c = ext.contacts.get(key) if ext is not None else None
        if c is None:
            return None
        left = None if c.expires is None else c.expires - ctx.now
        expired = left is not None and left <= 0
        return (
            (safe_text(c.address, 48), "bold", c.address),
            (safe_text(c.user_agent, 48), "", c.user_agent),
            ("expired" if expired else dur(left), "red" if expired else "", num(c.expires)),
            (safe_text(c.uri, 64), "dim", c.uri),
        )


class PartyCallsTable(CallsTable):
    """The active calls one extension takes part in (extension detail)."""

    TITLE = "Calls"

    def __init__(self, *, number: str, **kw: Any) -> None:
        super().__init__(**kw)
        self.number = number

    def dirty_keys(self, ch: Changes) -> Iterable[str] | None:
        return None if self.number in ch.numbers else ()

    def wanted_keys(self, ctx: Ctx) -> Iterable[str]:
        return list(ctx.derived.party_calls.get(self.number, ()))


# ------------------------------------------------------------------- others
class EventLog(Panel, RichLog):
    """The last events, one safe line each, appended as they arrive (bounded)."""

    def __init__(self, *, id: str | None = None, max_lines: int = 300) -> None:
        super().__init__(id=id, max_lines=max_lines, markup=False, wrap=False, auto_scroll=True)
        self._last: object | None = None
        self._dirty = True
        self.border_title = "Event log"

    def on_mount(self) -> None:
        register = getattr(self.app, "register_panel", None)
        if register is not None:
            register(self)

    def on_unmount(self) -> None:
        unregister = getattr(self.app, "unregister_panel", None)
        if unregister is not None:
            unregister(self)

    def note(self, ch: Changes) -> None:
        if ch.flags & LOG or ch.full:
            self._dirty = True

    def invalidate(self) -> None:
        self._dirty = True

    def sync(self, ctx: Ctx, tick: bool) -> None:
        if not self._dirty:
            return
        self._dirty = False
        log = ctx.state.log
        new = []
        last = self._last
        for entry in reversed(log):
            if entry is last:
                break
            new.append(entry)
        if not new:
            return
        self._last = log[-1]
        # In a storm, more lines arrive per refresh than fit on screen, and each
        # written line costs a render: write only what can be seen.
        keep = max(10, self.size.height)
        if len(new) > keep:
            new = new[:keep]
            self.clear()
        for t, ev in reversed(new):
            kind, details = describe(ev)
            line = Text(hms(t) + " ", style="dim", end="")
            line.append(f"{kind:<16} ", style=KIND_STYLE.get(kind, "bold"))
            line.append(details)
            self.write(line)


class InfoPanel(Panel, Static):
    """A Static that re-renders from the model when its flags change (counters, KPIs)."""

    FLAGS: ClassVar[int] = 0
    TICKS: ClassVar[bool] = False

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("", id=id, classes=classes)
        self._dirty = True

    def on_mount(self) -> None:
        register = getattr(self.app, "register_panel", None)
        if register is not None:
            register(self)

    def on_unmount(self) -> None:
        unregister = getattr(self.app, "unregister_panel", None)
        if unregister is not None:
            unregister(self)

    def note(self, ch: Changes) -> None:
        if ch.full or ch.flags & self.FLAGS:
            self._dirty = True

    def invalidate(self) -> None:
        self._dirty = True

    def sync(self, ctx: Ctx, tick: bool) -> None:
        if self._dirty or (tick and self.TICKS):
            self._dirty = False
            self.update(self.render_info(ctx))

    def render_info(self, ctx: Ctx) -> Text:  # pragma: no cover - interface
        return Text("")


class CountersPanel(InfoPanel):
    """Frames, events, unknown, invalid, finished calls: how much arrived, and what."""

    FLAGS = COUNTS | CALLS

    def render_info(self, ctx: Ctx) -> Text:
        st = ctx.state
        f = st.finished
        t = Text(end="")
        pairs = [
            ("frames", st.frames),
            ("events", st.events),
            ("replies", st.replies),
            ("unknown", st.unknown),
            ("invalid", st.invalid),
            ("ended", f["ended"]),
            ("not answered", f["noanswer"]),
            ("failed", f["failed"]),
            ("rerouted", st.reroutes),
        ]
        if st.limits_dropped:
            pairs.append(("dropped (limits)", st.limits_dropped))
        for i, (label, value) in enumerate(pairs):
            if i:
                t.append("  ")
            t.append(f"{label} ", style="dim")
            style = "bold red" if label in ("invalid", "dropped (limits)") and value else "bold"
            t.append(str(value), style=style)
        if st.errors:
            last = st.errors[-1]
            t.append("\nlast command error: ", style="bold red")
            t.append(safe_text(f"{last.command} {last.error}", 100))
        return t


__all__ = [
    "AgentsTable",
    "CallsTable",
    "Column",
    "ContactsTable",
    "CountersPanel",
    "Ctx",
    "EventLog",
    "ExtensionsTable",
    "InfoPanel",
    "KeyedTable",
    "Panel",
    "PartyCallsTable",
    "QueueAgentsTable",
    "QueuesTable",
    "RecentTable",
    "TrunksTable",
    "WaitingTable",
]
