"""The rows of one table, kept outside the widget: keyed records, filtered and sorted.

A table on the wall can hold every agent of a big call center (5,000 rows)
while a screen shows fifty. So the rows live here, as cheap *records* (the
values a row is made of, not its text), and the widget formats and paints
only the rows in view (`vtable.py`). Sorting and filtering need every row,
so they happen here, on records, never on formatted text.

Order is kept incrementally: every row that passes the filter has one sort
entry ``(sort value, key)`` in an ascending list. An update that moves a row
bisects its old entry out and its new one in (O(log n) comparisons and one
memmove), so a live update never re-sorts the table; a batch that moves a
large part of the table re-sorts once instead. Descending order is the same
list read backwards. Ties sort by key, so the order is always the same for
the same rows (keys must be mutually comparable: str, int, tuples of them).

Records are values: immutable (tuples, frozen dataclasses) and compared with
``==``, so handing over an equal record is no change at all, and a sort
entry, once stored, stays true to its record.

No Textual here: the benchmark and the tests drive it directly.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Callable, Collection, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Literal, Protocol, TypeVar

K = TypeVar("K", bound=Hashable)
R = TypeVar("R")

# A batch that moves more than this share of the rows re-sorts once instead of
# bisecting each move (a reconnect storm re-sends every row at once).
RESORT_SHARE = 0.25


@dataclass(frozen=True, slots=True)
class Column(Generic[R]):
    """One column: its key, header label, display width (cells) and how it sorts.

    `sort` maps a record to the value that column sorts by; values of one
    column must be mutually comparable (use a (0, x) / (1, 0) pair for
    optional numbers). A column without `sort` cannot be sorted by.
    """

    key: str
    label: str
    width: int
    sort: Callable[[Any], Any] | None = None
    align: Literal["left", "right"] = "left"


class RowsListener(Protocol):
    """Told after every change: which keys' records changed, and whether order did."""

    def rows_changed(self, keys: Collection[Any], order: bool) -> None: ...


Predicate = Callable[[Any, Any], bool]  # (key, record) -> shown?


class TableRows(Generic[K, R]):
    """Key → record for one table, plus the display order of the rows that pass the filter."""

    def __init__(
        self,
        columns: Sequence[Column[R]],
        *,
        sort: str | None = None,
        reverse: bool = False,
        filter: Predicate | None = None,
    ) -> None:
        if not columns:
            raise ValueError("a table needs at least one column")
        self.columns: tuple[Column[R], ...] = tuple(columns)
        self._records: dict[K, R] = {}
        self._entries: dict[K, tuple[Any, K]] = {}  # rows that pass the filter
        self._order: list[tuple[Any, K]] = []  # their entries, ascending
        self._filter = filter
        self._listeners: list[RowsListener] = []
        self.version = 0  # bumped on every change (records, order, sort or filter)
        index = self._column_index(sort) if sort is not None else 0
        self.sort_column = index
        self.reverse = reverse
        self._sort_fn = self.columns[index].sort

    # ------------------------------------------------------------- reading
    def __len__(self) -> int:
        """Rows shown (after the filter)."""
        return len(self._order)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __iter__(self) -> Iterator[K]:
        """Shown keys in display order."""
        order = reversed(self._order) if self.reverse else iter(self._order)
        return (entry[1] for entry in order)

    @property
    def total(self) -> int:
        """Every row, shown or filtered out."""
        return len(self._records)

    @property
    def filtered(self) -> bool:
        return self._filter is not None

    @property
    def sort_key(self) -> str:
        return self.columns[self.sort_column].key

    def get(self, key: K) -> R | None:
        return self._records.get(key)

    def records(self) -> dict[K, R]:
        """Every record by key (a copy; shown or not)."""
        return dict(self._records)

    def key_at(self, index: int) -> K:
        """The key shown at display position `index` (IndexError past the end)."""
        n = len(self._order)
        if not 0 <= index < n:
            raise IndexError(index)
        return self._order[n - 1 - index if self.reverse else index][1]

    def index_of(self, key: K) -> int | None:
        """The display position of `key`, or None if it is not shown."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        i = _find(self._order, entry)
        return len(self._order) - 1 - i if self.reverse else i

    def keys(self, start: int = 0, stop: int | None = None) -> list[K]:
        """Shown keys at display positions [start, stop): O(stop - start)."""
        n = len(self._order)
        stop = n if stop is None else min(stop, n)
        start = max(0, start)
        if start >= stop:
            return []
        if self.reverse:
            part = self._order[n - stop : n - start]
            return [entry[1] for entry in reversed(part)]
        return [entry[1] for entry in self._order[start:stop]]

    # ------------------------------------------------------------- writing
    def set(self, key: K, record: R) -> None:
        """Add or replace one row."""
        self.update(((key, record),))

    def discard(self, key: K) -> None:
        """Remove one row (nothing if it is not there)."""
        self.update(((key, None),))

    def update(self, items: Iterable[tuple[K, R | None]]) -> None:
        """Apply many (key, record) changes at once; a record of None removes the row.

        Records equal to the stored ones are no change at all (no listener
        call, nothing to repaint), so callers can hand over every row they
        rebuilt without comparing first.
        """
        records, entries, order = self._records, self._entries, self._order
        sort_fn, matches = self._sort_fn, self._filter
        changed: list[K] = []
        moves: list[tuple[tuple[Any, K] | None, tuple[Any, K] | None]] = []
        for key, record in items:
            old = records.get(key, _ABSENT)
            if record is None:
                if old is _ABSENT:
                    continue
                del records[key]
                changed.append(key)
                entry = entries.pop(key, None)
                if entry is not None:
                    moves.append((entry, None))
                continue
            if old is not _ABSENT and old == record:
                continue
            records[key] = record
            changed.append(key)
            was = entries.get(key)
            if matches is not None and not matches(key, record):
                if was is not None:
                    del entries[key]
                    moves.append((was, None))
                continue
            entry = (None if sort_fn is None else sort_fn(record), key)
            if entry != was:
                entries[key] = entry
                moves.append((was, entry))
        if not changed:
            return
        if moves:
            if len(moves) > RESORT_SHARE * max(len(order), 1) + 8:
                self._order = sorted(entries.values())
            else:
                for was, entry in moves:
                    if was is not None:
                        del order[_find(order, was)]
                    if entry is not None:
                        insort(order, entry)
        self._notify(changed, bool(moves))

    def replace(self, items: Iterable[tuple[K, R]]) -> None:
        """Make the rows exactly `items`: others are removed, equal records are no change."""
        new = dict(items)
        gone = [(k, None) for k in self._records if k not in new]
        self.update([*gone, *new.items()])  # type: ignore[list-item]

    def clear(self) -> None:
        self.update([(k, None) for k in list(self._records)])

    # --------------------------------------------------------- sort, filter
    def sort_by(self, column: str | int, reverse: bool = False) -> None:
        """Sort by `column` (key or index); O(n log n) once, then incremental again."""
        index = column if isinstance(column, int) else self._column_index(column)
        if not 0 <= index < len(self.columns):
            raise IndexError(column)
        if index == self.sort_column and reverse == self.reverse:
            return
        if index != self.sort_column:
            self.sort_column = index
            self._sort_fn = self.columns[index].sort
            self._rebuild_order()
        self.reverse = reverse
        self._notify((), True)

    def set_filter(self, predicate: Predicate | None) -> None:
        """Show only rows for which `predicate(key, record)` is true (None: every row).

        Filters are evaluated when they are set and when a row's record
        changes, never per paint.
        """
        self._filter = predicate
        self._rebuild_order()
        self._notify((), True)

    def _rebuild_order(self) -> None:
        sort_fn, matches = self._sort_fn, self._filter
        self._entries = {
            k: (None if sort_fn is None else sort_fn(r), k)
            for k, r in self._records.items()
            if matches is None or matches(k, r)
        }
        self._order = sorted(self._entries.values())

    def _column_index(self, key: str) -> int:
        for i, c in enumerate(self.columns):
            if c.key == key:
                return i
        raise KeyError(key)

    # ------------------------------------------------------------ listeners
    def subscribe(self, listener: RowsListener) -> None:
        if listener not in self._listeners:
            self._listeners.append(listener)

    def unsubscribe(self, listener: RowsListener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def _notify(self, keys: Collection[K], order: bool) -> None:
        self.version += 1
        for listener in self._listeners:
            listener.rows_changed(keys, order)


def _find(order: list[tuple[Any, Any]], entry: tuple[Any, Any]) -> int:
    """Where `entry` (the very object stored) is in `order`.

    Bisect finds it in O(log n) while sort values are totally ordered; a
    value that is not (NaN) cannot make it remove or report the wrong row,
    only fall back to a scan.
    """
    i = bisect_left(order, entry)
    if i < len(order) and order[i] is entry:
        return i
    for j, e in enumerate(order):
        if e is entry:
            return j
    raise KeyError(entry[1])


class _Absent:
    __slots__ = ()


_ABSENT: Any = _Absent()


__all__ = ["RESORT_SHARE", "Column", "Predicate", "RowsListener", "TableRows"]
