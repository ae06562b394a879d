"""Detail screens (queue, agent/extension, call), help, wall mode and the filter bar."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.widgets import ContentSwitcher, Digits, Input, Label, Static

from wallboard.model import kpi
from wallboard.model.overview import queue_view
from wallboard.model.state import CALLS, EXTENSIONS, QUEUES
from wallboard.ui.daychart import DayChart
from wallboard.ui.derived import Changes
from wallboard.ui.fmt import (
    AGENT_STYLE,
    CALL_STATE_STYLE,
    LEVEL_STYLE,
    agent_label,
    dur,
    hms,
    pct,
    short_dur,
)
from wallboard.ui.panels import (
    AgentsTable,
    ContactsTable,
    Ctx,
    InfoPanel,
    Panel,
    PartyCallsTable,
    QueueAgentsTable,
    RowsPanel,
    WaitingTable,
)
from wallboard.ui.tablerows import Column, TableRows
from wallboard.ui.tables.agents import day_figures
from wallboard.ui.text import safe_text
from wallboard.ui.tiles import TenantTiles
from wallboard.ui.trend import WallTrend
from wallboard.ui.vtable import VirtualTable
from wallboard.ui.widgets import AlertBar, QuietFooter, StatusLine


def _kv(t: Text, label: str, value: str, style: str = "") -> None:
    t.append(f"{label:>14}  ", style="dim")
    t.append(value, style=style or "bold")
    t.append("\n")


class FilterBar(Input):
    """`/`: type to filter the focused table live; Enter keeps it, Esc clears it."""

    BINDINGS: ClassVar[list[Binding]] = [
        Binding("escape", "clear_filter", "Clear filter", id="filter.clear"),
    ]

    def __init__(self) -> None:
        super().__init__(placeholder="filter: type to narrow the table, Enter keeps, Esc clears")
        self.target: VirtualTable[Any, Any] | None = None
        self.display = False

    def open(self, target: VirtualTable[Any, Any]) -> None:
        self.target = target
        self.value = target.filter_text
        self.display = True
        self.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if self.target is not None and self.display:
            self.target.set_filter_text(event.value)
            refresh = getattr(self.app, "refresh_now", None)
            if refresh is not None:
                refresh()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._close()

    def action_clear_filter(self) -> None:
        if self.target is not None:
            self.target.set_filter_text("")
            refresh = getattr(self.app, "refresh_now", None)
            if refresh is not None:
                refresh()
        self._close()

    def _close(self) -> None:
        self.display = False
        if self.target is not None:
            self.target.focus()


class BaseScreen(Screen[None]):
    """Status line and alerts on top, footer at the bottom, a filter bar ready."""

    def compose_top(self) -> ComposeResult:
        yield StatusLine(id="status")
        yield AlertBar(id="alerts")

    def compose_bottom(self) -> ComposeResult:
        yield FilterBar()
        yield QuietFooter()


class DetailScreen(BaseScreen):
    """A pushed screen about one thing; Esc goes back."""

    BINDINGS: ClassVar[list[Binding]] = [
        Binding("escape", "app.back", "Back", id="detail.back"),
    ]

    def on_mount(self) -> None:
        refresh = getattr(self.app, "refresh_now", None)
        if refresh is not None:
            refresh(tick=True)
        tables = list(self.query(RowsPanel))
        if tables:
            tables[0].focus()


# ----------------------------------------------------------------------- queue
class QueueInfo(InfoPanel):
    """The KPIs of one queue."""

    FLAGS = QUEUES
    TICKS = True

    def __init__(self, queue_id: str) -> None:
        super().__init__(classes="info")
        self.queue_id = queue_id

    def note(self, ch: Changes) -> None:
        if ch.full or self.queue_id in ch.queues:
            self._dirty = True

    def render_info(self, ctx: Ctx) -> Text:
        q = ctx.state.queues.get(self.queue_id)
        t = Text(end="")
        if q is None:
            t.append("This queue is gone (deleted on the PBX).", style="bold red")
            return t
        v = queue_view(ctx.state, q, ctx.now)
        th = ctx.thresholds
        s = v.tally
        waiting, longest, sl = v.waiting, v.longest_wait, v.service_level
        t.append(f"Queue {safe_text(q.number or q.queue_id)}  ", style="bold")
        t.append(safe_text(q.name, 60) + "\n", style="bold")
        row = [
            ("waiting", str(waiting), LEVEL_STYLE[th.waiting_level(waiting)]),
            (
                "longest",
                dur(longest) if waiting else "—",
                LEVEL_STYLE[th.longest_wait_level(longest)],
            ),
            ("callbacks", str(v.callbacks_waiting), ""),
            ("offered", str(s.offered), ""),
            ("answered", str(s.answered), ""),
            ("abandoned", str(s.abandoned), ""),
            ("overflowed", str(s.overflowed), ""),
            ("SLA breaches", str(s.sla_breaches), "bold red" if s.sla_breaches else ""),
            ("service level", pct(sl), LEVEL_STYLE[th.service_level_level(sl)]),
            ("SLA", f"{v.target:g}s", ""),
            ("avg answer", dur(v.asa), ""),
            ("avg abandon", dur(kpi.average_abandon_wait(s)), ""),
        ]
        for i, (label, value, style) in enumerate(row):
            t.append(f"{label} ", style="dim")
            t.append(value, style=style or "bold")
            t.append("\n" if i % 4 == 3 else "   ")  # 3 lines of 4: fits 80 columns
        return t


class QueueScreen(DetailScreen):
    """Queue detail: KPIs, waiting callers with their waits, the queue's agents."""

    def __init__(self, queue_id: str) -> None:
        super().__init__()
        self.queue_id = queue_id

    def compose(self) -> ComposeResult:
        yield from self.compose_top()
        yield QueueInfo(self.queue_id)
        with Horizontal(classes="detail-row", id="queue-tables"):
            yield WaitingTable(queue_id=self.queue_id, id="queue-waiting")
            yield QueueAgentsTable(queue_id=self.queue_id, id="queue-agents")
        # The queue's day of record: today by interval, as on the History page.
        with Vertical(id="queue-day-charts", classes="day-charts"):
            yield DayChart(queue=self.queue_id, id="queue-day-chart")
        yield from self.compose_bottom()


# ------------------------------------------------------------------- extension
class ExtensionInfo(InfoPanel):
    """One extension/agent: identity, presence, call status, agent state per queue."""

    FLAGS = EXTENSIONS | QUEUES
    TICKS = True

    def __init__(self, ext_key: tuple[str, str]) -> None:
        super().__init__(classes="info")
        self.ext_key = ext_key

    def render_info(self, ctx: Ctx) -> Text:
        tenant, number = self.ext_key
        ext = ctx.state.extensions.get(self.ext_key)
        t = Text(end="")
        t.append(f"Extension {safe_text(number)}", style="bold")
        name = ctx.state.names.name(tenant, number)
        if name:
            t.append(f"  {safe_text(name, 60)}", style="bold")
        t.append("\n")
        if ext is not None:
            online = ext.is_online(ctx.now)
            _kv(t, "online", "yes" if online else "no", "bold green" if online else "dim")
            _kv(t, "call status", safe_text(ctx.derived.call_status(ext), 30) or "idle")
            pres = ext.presence or "—"
            if ext.presence_note:
                pres += f" ({ext.presence_note})"
            _kv(t, "presence", safe_text(pres, 60))
            _kv(t, "updated", hms(ext.updated))
            if tenant:
                _kv(t, "tenant", safe_text(tenant, 40), "dim")
            if ext.stale:
                _kv(t, "stale", "yes: not confirmed since the reconnect", "bold yellow")
        else:
            t.append("(no extension events seen, only queue membership)\n", style="dim")
        view = ctx.derived.agent(number)
        if view is not None:
            for qid in sorted(ctx.derived.members.get(number, ())):
                q = ctx.state.queues.get(qid)
                a = q.agents.get(number) if q is not None else None
                if q is None or a is None:
                    continue
                label = f"queue {safe_text(q.number or qid, 12)}"
                t.append(f"{label:>14}  ", style="dim")
                t.append(f"{agent_label(a.state):<11}", style=AGENT_STYLE.get(a.state, "bold"))
                t.append(f" for {dur(ctx.now - a.since)}  ")
                t.append(safe_text(q.name, 30), style="dim")
                t.append("\n")
        day = day_figures(ctx, tenant, number)
        if day:
            t.append(f"{'today':>14}  ", style="dim")
            for i, (label, value) in enumerate(
                (
                    ("answered", str(day["answered"])),
                    ("missed", str(day["missed"])),
                    ("AHT", dur(day["aht"])),
                    ("not ready", dur(day["not_ready_s"])),
                    ("occupancy", pct(day["occupancy"])),
                )
            ):
                if i:
                    t.append("   ")
                t.append(f"{label} ", style="dim")
                t.append(value, style="bold")
            t.append("\n")
        return t


class ExtensionScreen(DetailScreen):
    """Extension / agent detail: contacts (user agent, address, expiry), calls, queues."""

    def __init__(self, ext_key: tuple[str, str]) -> None:
        super().__init__()
        self.ext_key = ext_key

    def compose(self) -> ComposeResult:
        yield from self.compose_top()
        yield ExtensionInfo(self.ext_key)
        with Vertical(classes="detail-col"):
            yield ContactsTable(ext_key=self.ext_key, id="ext-contacts")
            yield PartyCallsTable(number=self.ext_key[1], id="ext-calls")
        yield from self.compose_bottom()


# ------------------------------------------------------------------------ call
class CallInfo(InfoPanel):
    FLAGS = CALLS
    TICKS = True

    def __init__(self, session_id: str) -> None:
        super().__init__(classes="info")
        self.session_id = session_id

    def note(self, ch: Changes) -> None:
        if ch.full or self.session_id in ch.calls:
            self._dirty = True

    def render_info(self, ctx: Ctx) -> Text:
        sid = self.session_id
        c = ctx.state.calls.get(sid)
        t = Text(end="")
        if c is None:
            ended = next((f for f in reversed(ctx.state.recent) if f.session_id == sid), None)
            t.append("This call has ended.\n", style="bold yellow")
            if ended is not None:
                _kv(t, "outcome", ended.outcome)
                _kv(t, "caller", safe_text(f"{ended.caller} {ended.caller_name}".strip(), 60))
                _kv(t, "callee", safe_text(ended.callee, 60))
                _kv(t, "started", hms(ended.started))
                _kv(t, "answered", hms(ended.answered))
                _kv(t, "ended", hms(ended.ended))
                if ended.reason:
                    _kv(t, "reason", safe_text(ended.reason, 60))
            return t
        _kv(t, "session", safe_text(sid, 60), "dim")
        _kv(t, "caller", safe_text(f"{c.caller} {c.caller_name}".strip(), 60))
        _kv(t, "callee", safe_text(f"{c.callee} {c.callee_name}".strip(), 60))
        state = c.state + ("  (unconfirmed since reconnect)" if c.stale else "")
        _kv(t, "state", state, CALL_STATE_STYLE.get(c.state, "bold"))
        _kv(t, "direction", safe_text(c.direction, 20))
        _kv(t, "started", f"{hms(c.started)}  ({dur(ctx.now - c.started)} ago)")
        if c.answered:
            _kv(t, "answered", f"{hms(c.answered)}  after {dur(c.answered - c.started)}")
            _kv(t, "talking", dur(ctx.now - c.answered))
        if c.answered_by:
            _kv(t, "answered by", safe_text(c.answered_by, 30))
        if c.held_by:
            _kv(t, "held by", safe_text(c.held_by, 30))
        if c.targets:
            _kv(t, "ringing", safe_text(", ".join(sorted(c.targets)), 60))
        if c.did:
            _kv(t, "DID", safe_text(c.did, 30))
        if c.queue:
            _kv(t, "queue", safe_text(c.queue, 30))
        if c.reroutes:
            _kv(t, "reroutes", str(c.reroutes))
        if c.tenant_id:
            _kv(t, "tenant", safe_text(c.tenant_id, 40), "dim")
        return t


class CallScreen(DetailScreen):
    def __init__(self, session_id: str) -> None:
        super().__init__()
        self.session_id = session_id

    def compose(self) -> ComposeResult:
        yield from self.compose_top()
        with VerticalScroll(classes="detail-col"):
            yield CallInfo(self.session_id)
        yield from self.compose_bottom()


# ------------------------------------------------------------------------ help
# Static rows in their given order (the key is the position).
HELP_COLUMNS: tuple[Column[Any], ...] = (
    Column("key", "Key", 18),
    Column("does", "Does", 28),
    Column("where", "Where", 12),
)


def _help_cells(_key: int, row: tuple[str, str, str]) -> list[Any]:
    key, does, where = row
    return [(key, "bold"), does, (where, "dim")]


class HelpScreen(ModalScreen[None]):
    """Every key that works where you were, built from the live bindings."""

    BINDINGS: ClassVar[list[Binding]] = [
        Binding("escape,question_mark,q", "dismiss", "Close help", id="help.close"),
    ]

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Label(Text("Keys  (Esc closes)", style="bold"), id="help-title")
            rows: TableRows[int, tuple[str, str, str]] = TableRows(HELP_COLUMNS)
            rows.update(enumerate(self.rows))
            yield VirtualTable(rows, _help_cells, id="help-table")
            yield Static(
                Text(
                    "Tables: ↑↓ or j/k move, Enter opens details, click a header to sort.\n"
                    "Ctrl+P opens the command palette (pages, queues and agents by name).",
                    style="dim",
                    end="",
                ),
                id="help-notes",
            )

    def on_mount(self) -> None:
        self.query_one(VirtualTable).focus()

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.dismiss(None)


# ------------------------------------------------------------------------ wall
def _wall_row(classes: str = "wq-row") -> Horizontal:
    return Horizontal(
        Label("", classes="wq-name"),
        Digits("", classes="wq-waiting"),
        Digits("", classes="wq-longest"),
        Digits("", classes="wq-sl"),
        classes=classes,
    )


def _show_wall_row(row: Any, name: Text, figures: list[tuple[str, str, str]]) -> None:
    row.query_one(".wq-name", Label).update(name)
    for cls, value, level in figures:
        w = row.query_one(f".{cls}", Digits)
        w.update(value)
        w.set_class(level == "warn", "-warn")
        w.set_class(level == "crit", "-crit")


class WallQueues(Panel, Vertical):
    """Wall page 2: one big-number row per queue (waiting, longest wait, service level),
    and the totals of every queue pinned at the bottom (sums, KPIs from the sums)."""

    def __init__(self) -> None:
        super().__init__(id="wall-queues")
        self._order: list[str] = []

    def compose(self) -> ComposeResult:
        yield Vertical(id="wq-rows")
        yield _wall_row("wq-row wq-total")

    def on_mount(self) -> None:
        self.app.register_panel(self)  # type: ignore[attr-defined]

    def on_unmount(self) -> None:
        self.app.unregister_panel(self)  # type: ignore[attr-defined]

    def sync(self, ctx: Ctx, tick: bool) -> None:
        st = ctx.state
        qs = st.queues
        fit = max(1, ((self.size.height or 20) - 4) // 4)
        order = sorted(qs, key=lambda qid: (-st.waiting_now(qs[qid]), qs[qid].number or qid))[:fit]
        rows = self.query_one("#wq-rows", Vertical)
        if order != self._order:
            self._order = order
            rows.remove_children()
            rows.mount_all([_wall_row() for _ in order])
            self.call_after_refresh(self.app.refresh_now)  # type: ignore[attr-defined]
            return
        for row, qid in zip(rows.query(".wq-row"), order, strict=False):
            q = qs.get(qid)
            if q is None:
                continue
            th = ctx.queue_thresholds(q.number or qid)
            v = queue_view(st, q, ctx.now)
            waiting, longest, sl = v.waiting, v.longest_wait, v.service_level
            name = Text(safe_text(q.number, 10) + "\n", style="bold")
            name.append(safe_text(q.name, 18))
            name.append("\nwaiting · longest · SL", style="dim")
            _show_wall_row(row, name, _wall_figures(th, waiting, longest, sl))
        o = ctx.overview
        name = Text("All queues\n", style="bold")
        name.append(f"{o.queues} queues")
        name.append("\nwaiting · longest · SL", style="dim")
        figures = _wall_figures(ctx.thresholds, o.waiting, o.longest_wait, o.service_level)
        _show_wall_row(self.query_one(".wq-total"), name, figures)


def _wall_figures(
    th: Any, waiting: int, longest: float, sl: float | None
) -> list[tuple[str, str, str]]:
    return [
        ("wq-waiting", str(waiting), th.waiting_level(waiting)),
        ("wq-longest", short_dur(longest), th.longest_wait_level(longest)),
        ("wq-sl", pct(sl).replace("—", "-"), th.service_level_level(sl)),
    ]


WALL_PAGES = ("wall-totals", "wall-queues", "wall-agents", "wall-trend")


class WallScreen(Screen[None]):
    """Big numbers, no chrome; pages rotate on a timer. `w` or Esc leaves."""

    BINDINGS: ClassVar[list[Binding]] = [
        Binding("w,escape", "app.wall", "Leave wall mode", id="wall.leave"),
        Binding("right,space,n", "next_page", "Next page", id="wall.next"),
        Binding("left", "prev_page", "Previous page", id="wall.prev"),
    ]

    def __init__(self, interval: float = 15.0) -> None:
        super().__init__()
        self.interval = interval
        self.page_index = 0
        self.rotations = 0
        self.rotation_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield AlertBar(id="alerts")
        with ContentSwitcher(initial=WALL_PAGES[0], id="wall-pages"):
            yield TenantTiles(id="wall-totals", prefix="wall")
            yield WallQueues()
            agents = AgentsTable(id="wall-agents")
            # A wall: nobody drives the table, and the arrows turn the pages.
            agents.can_focus = False
            agents.show_cursor = False
            yield agents
            yield WallTrend()

    def on_mount(self) -> None:
        if self.interval > 0:
            self.rotation_timer = self.set_interval(self.interval, self._rotate, name="wall-rotate")
        self.app.refresh_now(tick=True)  # type: ignore[attr-defined]

    def show_page(self, index: int) -> None:
        self.page_index = index % len(WALL_PAGES)
        self.query_one(ContentSwitcher).current = WALL_PAGES[self.page_index]
        self.app.refresh_now(tick=True)  # type: ignore[attr-defined]

    def _rotate(self) -> None:
        self.rotations += 1
        self.show_page(self.page_index + 1)

    def _manual(self, step: int) -> None:
        # A page someone chose stays up for a full interval before rotating on.
        if self.rotation_timer is not None:
            self.rotation_timer.reset()
        self.show_page(self.page_index + step)

    def action_next_page(self) -> None:
        self._manual(1)

    def action_prev_page(self) -> None:
        self._manual(-1)


__all__ = [
    "WALL_PAGES",
    "BaseScreen",
    "CallScreen",
    "DetailScreen",
    "ExtensionScreen",
    "FilterBar",
    "HelpScreen",
    "QueueScreen",
    "WallScreen",
]
