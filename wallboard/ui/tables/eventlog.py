"""The event log: the last events, one safe line each, newest at the bottom."""

from __future__ import annotations

from typing import Any

from wallboard.model.state import LOG
from wallboard.ui.derived import Changes
from wallboard.ui.eventtext import KIND_STYLE, describe
from wallboard.ui.fmt import hms
from wallboard.ui.panel import Ctx, Panel
from wallboard.ui.tablerows import Column, TableRows
from wallboard.ui.vpaint import CellT
from wallboard.ui.vtable import VirtualTable

LOG_COLUMNS: tuple[Column[Any], ...] = (
    Column("time", "Time", 8),
    Column("kind", "Event", 16),
    Column("details", "Details", 160),
)


class EventLog(Panel, VirtualTable[int, tuple[float, Any]]):
    """The last `max_lines` events as rows keyed by arrival number (a record is the raw
    (time, event); its text is made only for the lines in view)."""

    def __init__(self, *, id: str | None = None, max_lines: int = 300) -> None:
        super().__init__(
            TableRows(LOG_COLUMNS),
            self.format_row,
            show_header=False,
            tail=True,
            zebra=False,
            show_cursor=False,
            id=id,
        )
        self.max_lines = max_lines
        self._last: object | None = None
        self._seq = 0
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

    def has_pending(self) -> bool:
        return self._dirty

    def catch_up(self, ctx: Ctx) -> None:
        if not self._dirty:
            return
        self._dirty = False
        log = ctx.state.log
        new = []
        last = self._last
        for entry in reversed(log):
            if entry is last or len(new) >= self.max_lines:
                break
            new.append(entry)
        if not new:
            return
        self._last = log[-1]
        first = self._seq
        self._seq += len(new)
        items: list[tuple[int, Any]] = [(first + i, e) for i, e in enumerate(reversed(new))]
        oldest_kept = self._seq - self.max_lines
        items += [(k, None) for k in range(max(0, first - self.max_lines), oldest_kept)]
        self.rows.update(items)

    def sync(self, ctx: Ctx, tick: bool) -> None:
        self.catch_up(ctx)
        self.reconcile()

    def format_row(self, key: int, rec: tuple[float, Any]) -> list[CellT]:
        t, ev = rec
        kind, details = describe(ev)
        return [(hms(t), "dim"), (kind, KIND_STYLE.get(kind, "bold")), details]

    def lines_text(self) -> list[str]:
        """Every kept line's text, oldest first (tests)."""
        return [" ".join(self.row_text(k)) for k in self.rows]


__all__ = ["EventLog"]
