"""Who hung up waiting: today's abandoned callers, newest first, so someone can call back.

A `VirtualTable` over `state.abandoned_today()` (or a past day from the
history source): a day can hold thousands, and only the rows in view are
formatted. Today's list grows by what was recorded since the last refresh
(found by walking the day's calls back to the last one seen), never by a
rebuild. Caller numbers and names are a stranger's choice: they reach the
screen literally (`safe_text`, never markup). Enter opens the call record.
"""

from __future__ import annotations

from typing import Any, ClassVar, NamedTuple

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from wallboard.model.entities import FinishedCall
from wallboard.model.state import CALLS, QUEUES, WallboardState
from wallboard.ui.derived import Changes
from wallboard.ui.filterbar import FilterBar
from wallboard.ui.fmt import dur, hms
from wallboard.ui.historysource import scoped_queues, source_of
from wallboard.ui.panels import Ctx, Panel, nat, num
from wallboard.ui.tablerows import Column, TableRows
from wallboard.ui.text import safe_text
from wallboard.ui.vtable import VirtualTable


class Abandon(NamedTuple):
    """One abandoned caller as a table record (a value: compared, never changed)."""

    ended: float
    queue: str
    caller: str
    caller_name: str
    wait: float | None
    session_id: str
    started: float
    callee: str
    reason: str

    @classmethod
    def of(cls, f: FinishedCall) -> Abandon:
        # A caller without a name often arrives with the number as its name.
        name = "" if f.caller_name == f.caller else f.caller_name
        return cls(
            f.ended,
            f.queue,
            f.caller,
            name,
            f.wait,
            f.session_id,
            f.started,
            f.callee,
            f.reason,
        )


Key = tuple[str, str, float]

COLUMNS: tuple[Column[Abandon], ...] = (
    Column("time", "Hung up", 8, sort=lambda r: r.ended),
    Column("queue", "Queue", 6, sort=lambda r: nat(r.queue)),
    Column("caller", "Caller", 18, sort=lambda r: nat(r.caller)),
    Column("name", "Name", 22, sort=lambda r: r.caller_name.lower()),
    Column("wait", "Waited", 7, sort=lambda r: num(r.wait), align="right"),
)


def key_of(f: FinishedCall) -> Key:
    return (f.session_id, f.queue, f.ended)


def format_row(_key: Any, r: Abandon) -> tuple[Any, ...]:
    return (
        (hms(r.ended), ""),
        (safe_text(r.queue, 12), "bold"),
        (safe_text(r.caller, 32), "bold"),
        (safe_text(r.caller_name, 40), ""),
        (dur(r.wait), ""),
    )


def search_text(_key: Any, r: Abandon) -> str:
    return "\n".join((hms(r.ended), r.queue, r.caller, r.caller_name))


class AbandonedTable(Panel, VirtualTable[Key, Abandon]):
    """Callers who hung up waiting (today, or the day shown), in the queues in scope."""

    DEFAULT_CSS = """
    AbandonedTable {
        border: round $primary 40%;
        border-title-color: $text-muted;
        height: 1fr;
        scrollbar-size-vertical: 1;
    }
    AbandonedTable:focus {
        border: round $accent;
        border-title-color: $text;
        border-title-style: bold;
    }
    """

    BINDINGS: ClassVar[list[Binding]] = [
        Binding("s", "sort", "Sort", id="abandoned.sort"),
        Binding("S", "sort(True)", "Reverse sort", show=False, id="abandoned.sort_reverse"),
        Binding("slash", "filter", "Filter", key_display="/", id="abandoned.filter"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        rows: TableRows[Key, Abandon] = TableRows(COLUMNS, sort="time", reverse=True)
        super().__init__(rows, format_row, title="Abandoned today", search=search_text, id=id)
        self.day: str | None = None  # None: today
        self.queue: str | None = None  # a queue key of the history source; None: all in scope
        self._scope: frozenset[str] | None = None  # queue numbers shown (None: every one)
        self._scope_sig: tuple[Any, ...] | None = None
        self._last: FinishedCall | None = None  # the newest day call seen (today)
        self._dirty = True

    # --------------------------------------------------------------- protocol
    def on_mount(self) -> None:
        register = getattr(self.app, "register_panel", None)
        if register is not None:
            register(self)

    def on_unmount(self) -> None:
        unregister = getattr(self.app, "unregister_panel", None)
        if unregister is not None:
            unregister(self)

    def note(self, ch: Changes) -> None:
        if ch.full or ch.flags & (CALLS | QUEUES):
            self._dirty = True

    def invalidate(self) -> None:
        self._dirty = True
        self._scope_sig = None

    def tenant_changed(self, tenant: str | None) -> None:
        self.invalidate()

    def sync(self, ctx: Ctx, tick: bool) -> None:
        if not self._dirty:
            return
        self._dirty = False
        self._update_scope(ctx.state)
        if self.day is None or self.day == ctx.state.day:
            self._catch_up(ctx.state)

    def show(self, *, day: str | None, queue: str | None) -> None:
        """Another day or queue (the history page's pickers)."""
        self.day, self.queue = day, queue
        state: WallboardState = self.app.state
        self._last = None
        self._scope_sig = None
        self._update_scope(state)
        if day is None or day == state.day:
            self.title = "Abandoned today"
            self._catch_up(state)
        else:
            self.title = f"Abandoned {day}"
            records = source_of(self.app).abandoned(day)
            self.rows.replace((key_of(f), Abandon.of(f)) for f in records)
        self._title_cache = None
        self._update_title()

    # ----------------------------------------------------------------- rows
    def _catch_up(self, state: WallboardState) -> None:
        """Add what was recorded since the last look (all of it after a new day)."""
        calls = state.day_calls
        last, found = self._last, False
        new: list[tuple[Key, Abandon]] = []
        for f in reversed(calls):
            if f is last:
                found = True
                break
            if f.queue_outcome == "abandoned":
                new.append((key_of(f), Abandon.of(f)))
        self._last = calls[-1] if calls else None
        if found:
            if new:
                self.rows.update(new)
        else:
            self.rows.replace(new)

    def _update_scope(self, state: WallboardState) -> None:
        """Which queues' callers are shown: the picked queue, or the tenant's queues."""
        tenant = getattr(self.app, "tenant_filter", None)
        sig = (self.day, self.queue, tenant, len(state.queues))
        if sig == self._scope_sig:
            return
        self._scope_sig = sig
        if self.queue is None and tenant is None:
            scope = None
        else:
            day = self.day or state.day or ""
            refs = scoped_queues(source_of(self.app).queues(day), tenant)
            if self.queue is not None:
                refs = [r for r in refs if r.key == self.queue]
            scope = frozenset(r.number or r.key for r in refs)
        if scope != self._scope:
            self._scope = scope
            self._apply_filter()

    def _apply_filter(self) -> None:
        scope, query = self._scope, self.filter_text
        if scope is None and not query:
            self.rows.set_filter(None)
            return

        def shown(key: Any, r: Abandon) -> bool:
            if scope is not None and r.queue not in scope:
                return False
            return not query or query in search_text(key, r).lower()

        self.rows.set_filter(shown)

    # ------------------------------------------------------------ user input
    def set_filter_text(self, text: str) -> None:
        """The text filter, on top of the queue / tenant scope (never instead of it)."""
        query = text.strip().lower()
        if query != self.filter_text:
            self.filter_text = query
            self._apply_filter()

    # The filter bar (`/`) talks to tables through `filter` / `set_filter`.
    @property
    def filter(self) -> str:
        return self.filter_text

    def set_filter(self, text: str) -> None:
        self.set_filter_text(text)

    def action_sort(self, reverse: bool = False) -> None:
        self.cycle_sort(reverse)

    def action_filter(self) -> None:
        bars = list(self.screen.query(FilterBar))
        if bars:
            bars[0].open(self)  # type: ignore[arg-type]

    def on_virtual_table_row_selected(self, event: VirtualTable.RowSelected) -> None:
        event.stop()
        record = self.rows.get(event.key)
        if record is not None:
            self.app.push_screen(CallRecordScreen(record))

    def shown_text(self) -> list[list[str]]:
        """Every shown row's cells, in display order (tests)."""
        return [self.row_text(k) for k in self.rows]


class CallRecordScreen(ModalScreen[None]):
    """One abandoned caller's record: who to call back, how long they waited. Esc closes."""

    DEFAULT_CSS = """
    CallRecordScreen {
        align: center middle;
    }
    CallRecordScreen > Vertical {
        width: 80%;
        max-width: 90;
        height: auto;
        border: thick $accent;
        background: $surface;
        padding: 0 1;
    }
    """

    BINDINGS: ClassVar[list[Binding]] = [
        Binding("escape,enter,q", "close", "Close", id="record.close"),
    ]

    def __init__(self, record: Abandon) -> None:
        super().__init__()
        self.record = record

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.render_record(), id="record-body")

    def render_record(self) -> Text:
        r = self.record
        t = Text(end="")
        t.append("Abandoned call", style="bold")
        t.append("   (Esc closes)\n", style="dim")
        rows = [
            ("call back", safe_text(r.caller, 64) or "— (no number)", "bold"),
            ("caller name", safe_text(r.caller_name, 64) or "—", ""),
            ("queue", safe_text(r.queue, 32) or "—", ""),
            ("waited", dur(r.wait), "bold"),
            ("hung up at", hms(r.ended), ""),
            ("call started", hms(r.started), ""),
            ("called", safe_text(r.callee, 64) or "—", ""),
            ("reason", safe_text(r.reason, 64) or "—", "dim"),
            ("session", safe_text(r.session_id, 64), "dim"),
        ]
        for label, value, style in rows:
            t.append(f"{label:>13}  ", style="dim")
            t.append(value + "\n", style=style or "bold")
        return t

    def action_close(self) -> None:
        self.dismiss(None)


__all__ = ["COLUMNS", "Abandon", "AbandonedTable", "CallRecordScreen", "format_row", "key_of"]
