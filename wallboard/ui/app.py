"""The wallboard app: pages of live panels over one WallboardState.

Data flow (DESIGN.md): a *feed* coroutine (live client, replay, simulator,
or a benchmark's generator) runs as one worker on the app's event loop and
only ever touches the model. A single timer (`refresh_hz`, default 5 Hz)
takes what is dirty from the model and lets the *visible* panels apply keyed
diffs inside one `batch_update()`. Durations tick once per second for rows in
view. Nothing else redraws.

Headless use (tests, `wallboard bench ui`)::

    app = WallboardApp(state, feed=my_feed, refresh_hz=4)
    async with app.run_test(size=(200, 60)) as pilot:
        ...
        seconds = app.refresh_now(tick=True)   # one refresh pass, timed
        app.refresh_stats                      # count / total / max / last

`feed` is a callable taking the app and returning an awaitable; it runs in
an exclusive worker and should yield to the loop regularly.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import select
import signal
import sys
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, ClassVar

from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.fuzzy import Matcher
from textual.geometry import Size
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import ContentSwitcher
from textual.worker import Worker, WorkerState

import wallboard

try:  # Unix only: the terminal watchdog
    import fcntl
    import termios
except ImportError:  # pragma: no cover - Windows
    fcntl = termios = None  # type: ignore[assignment]
from wallboard.config import Thresholds
from wallboard.model import kpi
from wallboard.model.state import QUEUES, WallboardState
from wallboard.ui.derived import Changes, Derived
from wallboard.ui.explainscreen import ExplainCommands, ExplainScreen, subject_for
from wallboard.ui.filterbar import FilterBar
from wallboard.ui.gcpolicy import GcPolicy
from wallboard.ui.history import HistoryPage
from wallboard.ui.historysource import CombinedSource, HistorySource, TodaySource
from wallboard.ui.panels import (
    AgentsTable,
    CallsTable,
    CountersPanel,
    Ctx,
    EventLog,
    ExtensionsTable,
    Panel,
    QueuesTable,
    RecentTable,
    RowsPanel,
    TrunksTable,
    WaitingTable,
)
from wallboard.ui.screens.base import DetailScreen
from wallboard.ui.screens.call import CallScreen
from wallboard.ui.screens.extension import ExtensionScreen
from wallboard.ui.screens.help import HelpScreen
from wallboard.ui.screens.queue import QueueScreen
from wallboard.ui.screens.wall import WallScreen
from wallboard.ui.tenants import (
    TenantBar,
    TenantCommands,
    TenantScreen,
    next_tenant,
    tenant_changed,
    tenant_label,
    tenants_present,
)
from wallboard.ui.text import safe_text
from wallboard.ui.tiles import ExplainableTiles
from wallboard.ui.vtable import VirtualTable
from wallboard.ui.widgets import AlertBar, FeedInfo, QuietFooter, StatusLine

Feed = Callable[["WallboardApp"], Awaitable[None]]

PAGES: tuple[tuple[str, str], ...] = (
    ("overview", "Overview"),
    ("queues", "Queues"),
    ("agents", "Agents"),
    ("calls", "Calls"),
    ("system", "Extensions, trunks, log"),
    ("history", "History"),
)
THEMES = ("textual-dark", "textual-light", "nord", "gruvbox", "tokyo-night", "textual-ansi")
BELL_EVERY = 30.0  # seconds between two bells at most
TERMINAL_CHECK = 0.2  # seconds between checks that the terminal is still there


def styles_dir() -> Path:
    """The .tcss files: inside the package when installed, the repo's styles/ otherwise."""
    pkg = Path(wallboard.__file__).resolve().parent
    inside = pkg / "styles"
    if (inside / "wallboard.tcss").is_file():
        return inside
    return pkg.parent / "styles"


@dataclass(slots=True)
class RefreshStats:
    """How long refresh passes take (the UI benchmark reads this)."""

    count: int = 0
    total: float = 0.0
    max: float = 0.0
    last: float = 0.0

    def record(self, seconds: float) -> None:
        self.count += 1
        self.total += seconds
        self.last = seconds
        if seconds > self.max:
            self.max = seconds

    @property
    def mean(self) -> float:
        return self.total / self.count if self.count else 0.0


class EntityCommands(Provider):
    """Command palette: pages, modes, and every queue and agent by number or name."""

    MAX_ENTITIES = 3000

    def _commands(self) -> Iterable[tuple[str, Callable[[], Any], str]]:
        app: WallboardApp = self.app  # type: ignore[assignment]
        for i, (_, name) in enumerate(PAGES, 1):
            yield f"Page {i}: {name}", partial(app.action_page, i), "switch page"
        yield "Wall mode", app.action_wall, "big numbers, rotating pages"
        yield "Pause / resume", app.action_pause, "freeze the display"
        yield "Next theme", app.action_theme, "cycle color themes"
        yield "Bell on SLA breach (toggle)", app.action_bell, "off by default"
        yield "Help: keys", app.action_help, "every key binding"
        st = app.state
        n = 0
        for qid, q in st.queues.items():
            label = f"Queue {safe_text(q.number or qid, 16)} {safe_text(q.name, 40)}".strip()
            yield label, partial(app.open_detail, "queue", qid), "queue detail"
            n += 1
            if n > self.MAX_ENTITIES:
                return
        for tenant, number in st.extensions:
            name = st.names.name(tenant, number) or ""
            label = f"Extension {safe_text(number, 16)} {safe_text(name, 40)}".strip()
            yield label, partial(app.open_detail, "extension", f"{tenant}/{number}"), "extension"
            n += 1
            if n > self.MAX_ENTITIES:
                return

    async def discover(self) -> Hits:
        for name, cb, helptext in list(self._commands())[: len(PAGES) + 6]:
            # A str prompt is parsed as markup by the palette: names come from the PBX.
            yield DiscoveryHit(Content(name), cb, text=name, help=helptext)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, cb, helptext in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, literal_highlight(matcher, name), cb, text=name, help=helptext)


def literal_highlight(matcher: Matcher, name: str) -> Content:
    """`matcher.highlight` without its markup parsing.

    `Matcher.highlight` runs the candidate through `Content.from_markup`, so a
    queue named `[/x]` raised (and silently emptied the palette) and one named
    `[@click=app.quit]` became a clickable action. Here the text stays literal.
    """
    content = Content(name)
    _score, offsets = matcher.fuzzy_search.match(matcher.query, name)
    for offset in offsets:
        if not name[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


class WallboardApp(App[int]):
    """The wallboard. Construct with a state and (optionally) a feed, then run()."""

    CSS_PATH = str(styles_dir() / "wallboard.tcss")
    TITLE = "wallboard"
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = App.COMMANDS | {EntityCommands, ExplainCommands, TenantCommands}

    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Help", key_display="?", id="app.help"),
        Binding("tab", "app.focus_next", "Next panel", show=False, id="app.focus_next"),
        Binding("shift+tab", "app.focus_previous", "Prev panel", show=False, id="app.focus_prev"),
        Binding("slash", "filter", "Filter", key_display="/", id="app.filter"),
        Binding("s", "sort", "Sort", id="app.sort"),
        Binding("S", "sort_reverse", "Reverse sort", show=False, id="app.sort_reverse"),
        Binding("1", "page(1)", "Overview", show=False, id="app.page1"),
        Binding("2", "page(2)", "Queues", show=False, id="app.page2"),
        Binding("3", "page(3)", "Agents", show=False, id="app.page3"),
        Binding("4", "page(4)", "Calls", show=False, id="app.page4"),
        Binding("5", "page(5)", "Ext/trunks/log", show=False, id="app.page5"),
        Binding("6", "page(6)", "History", show=False, id="app.page6"),
        Binding("i", "explain", "Explain", id="app.explain"),
        Binding("T", "tenant", "Next tenant", show=False, id="app.tenant"),
        Binding("w", "wall", "Wall", id="app.wall"),
        Binding("p", "pause", "Pause", id="app.pause"),
        Binding("t", "theme", "Theme", id="app.theme"),
        Binding("b", "bell", "Bell on SLA breach", show=False, id="app.bell"),
        Binding("r", "retry", "Reconnect now", show=False, id="app.retry"),
        Binding("escape", "back", "Back / clear filter", show=False, id="app.back"),
    ]

    def __init__(
        self,
        state: WallboardState,
        *,
        feed: Feed | None = None,
        feed_label: str = "",
        thresholds: Thresholds | None = None,
        queue_thresholds: Mapping[str, Thresholds] | None = None,
        wall_clock: Callable[[], float] = time.time,
        refresh_hz: float = 5.0,
        wall_interval: float = 15.0,
        bell: bool = False,
        watch_terminal: bool = True,
        on_retry: Callable[[], None] | None = None,
        start_page: str | None = None,
        start_wall: bool = False,
        start_theme: str | None = None,
        history: HistorySource | None = None,
    ) -> None:
        super().__init__()
        # Where a kiosk starts (`--page`, `--wall`, `--theme`): nobody is there to press keys.
        self.start_page = start_page
        self.start_wall = start_wall
        self.start_theme = start_theme
        self.state = state
        self.derived = Derived(state)
        self.feed = feed
        self.feed_info = FeedInfo(label=feed_label)
        self.thresholds = thresholds or Thresholds()
        # A queue's own thresholds by queue number (config `Config.queue_thresholds`).
        self.queue_thresholds: Mapping[str, Thresholds] = dict(queue_thresholds or {})
        self.wall_clock = wall_clock
        self.refresh_hz = refresh_hz
        self.wall_interval = wall_interval
        self.bell_enabled = bell
        self.watch_terminal = watch_terminal
        self.on_retry = on_retry
        self.paused = False
        self.page = PAGES[0][0]
        self.refresh_stats = RefreshStats()
        self.gc_policy = GcPolicy()  # full GC pauses off the hot path (see gcpolicy.py)
        self._panels: list[Panel] = []
        self._tenants: set[str] = set()  # tenant ids seen (several: a v22 global board)
        self._last_second = -1
        self._bell_state: tuple[int, int] = (0, 0)
        self._last_bell = 0.0
        self._eof_checks = 0
        self.feed_worker: Worker[None] | None = None
        # Days of record: today from the model, past days from `history` (the store's reader).
        self.history_source = CombinedSource(TodaySource(state), history)
        self.tenant_filter: str | None = None  # None: every tenant (see ui/tenants.py)

    # ---------------------------------------------------------------- layout
    def compose(self) -> ComposeResult:
        yield StatusLine(id="status")
        yield AlertBar(id="alerts")
        yield TenantBar(id="tenant-bar")
        with ContentSwitcher(initial=PAGES[0][0], id="pages"):
            with Vertical(id="overview"):
                yield ExplainableTiles(id="tiles")
                yield QueuesTable(id="ov-queues")
                yield AgentsTable(id="ov-agents")
            with Vertical(id="queues"):
                yield QueuesTable(id="queues-table")
                yield WaitingTable(id="waiting")
            with Vertical(id="agents"):
                yield AgentsTable(id="agents-table")
            with Vertical(id="calls"):
                yield CallsTable(id="calls-table")
                yield RecentTable(id="recent")
            with Vertical(id="system"):
                yield CountersPanel(id="counters")
                yield ExtensionsTable(id="extensions")
                with Horizontal(id="system-bottom"):
                    yield TrunksTable(id="trunks")
                    yield EventLog(id="log")
            yield HistoryPage(id="history")
        yield FilterBar()
        yield QuietFooter()

    def on_mount(self) -> None:
        self._apply_size_class()
        if self.refresh_hz > 0:
            self.set_interval(1.0 / self.refresh_hz, self._on_timer, name="refresh")
        if self.feed is not None:
            self.feed_worker = self.run_worker(
                self.feed(self), name="feed", group="feed", exclusive=True, exit_on_error=False
            )
        if self.watch_terminal and not self.is_headless and fcntl is not None:
            self._watch_terminal()
        self.refresh_now(tick=True)
        self.query_one("#ov-queues", QueuesTable).focus()
        self._apply_start()

    def _apply_start(self) -> None:
        theme = self.start_theme
        if theme is not None:
            if theme in self.available_themes:
                self.theme = theme
            else:
                self.notify(
                    f"unknown theme {safe_text(theme, 40)!r}; keeping {self.theme}",
                    severity="warning",
                    timeout=10,
                )
        if self.start_page is not None:
            names = [p for p, _ in PAGES]
            if self.start_page in names:
                self.action_page(names.index(self.start_page) + 1)
        if self.start_wall:
            self.call_after_refresh(self.action_wall)

    def on_unmount(self) -> None:
        # The GC policy freezes the heap; whatever runs after the app (tests, an
        # embedding program) gets a normal collector back.
        self.gc_policy.close()

    def on_resize(self, event: events.Resize) -> None:
        # The event's size: `self.size` catches up only after Textual's resize timer.
        self._apply_size_class(event.size)

    def _apply_size_class(self, size: Size | None = None) -> None:
        """Big digits when there is room (a wall screen); one-line tiles on a laptop."""
        w, h = size or self.size
        compact = w < 150 or h < 40
        for screen in self.screen_stack:
            if isinstance(screen, WallScreen):
                continue  # wall mode is always big numbers
            screen.set_class(compact, "-compact")
            screen.set_class(not compact, "-roomy")
            # Under 30 rows a detail screen keeps its rows to its tables.
            screen.set_class(h < 30, "-short")

    # ------------------------------------------------------------- refreshing
    def register_panel(self, panel: Panel) -> None:
        """Panels call this on mount: the refresh timer drives everything registered."""
        if panel not in self._panels:
            self._panels.append(panel)

    def unregister_panel(self, panel: Panel) -> None:
        with contextlib.suppress(ValueError):
            self._panels.remove(panel)

    def _visible(self, panel: Panel) -> bool:
        node: Any = panel
        if isinstance(panel, AlertBar):  # hidden when quiet, but must notice new alerts
            return node.screen is self.screen
        try:
            if node.screen is not self.screen:
                return False
        except Exception:
            return False
        while node is not None and not isinstance(node, Screen):
            if not node.display:
                return False
            node = node.parent
        return True

    def _on_timer(self) -> None:
        # Midnight comes whether or not an event does, paused or not.
        self.state.tick()
        now = self.wall_clock()
        second = int(now)
        tick = second != self._last_second
        self._last_second = second
        if self.paused:
            if tick:  # the status line and alerts stay live while the numbers are frozen
                ctx = self._ctx()
                for p in self._panels:
                    if isinstance(p, (StatusLine, AlertBar)) and self._visible(p):
                        p.sync(ctx, tick)
            return
        self.refresh_now(tick=tick)
        if tick:
            self.gc_policy.tick(self.state.version)

    def _ctx(self) -> Ctx:
        return Ctx(
            state=self.state,
            derived=self.derived,
            now=self.state.pbx_now(),
            wall=self.wall_clock(),
            thresholds=self.thresholds,
            thresholds_for=self.thresholds_for,
            tenants=frozenset(self._tenants),
        )

    def thresholds_for(self, number: str) -> Thresholds:
        """The thresholds a queue's numbers are coloured by (its own, else the board's)."""
        return self.queue_thresholds.get(number, self.thresholds)

    def refresh_now(self, tick: bool = False) -> float:
        """One refresh pass: take what is dirty, apply it to visible panels. Returns seconds."""
        t0 = time.perf_counter()
        ch = self.derived.take()
        panels = list(self._panels)
        if ch:
            self._note_tenants(ch)
            for p in panels:
                p.note(ch)
        ctx = self._ctx()
        with self.batch_update():
            for p in panels:
                if self._visible(p):
                    p.sync(ctx, tick)
        if tick:
            # Off screen, once a second, after this pass has been painted: rows kept
            # current (nothing painted), so showing a page waits for a second of
            # changes at most, and what is on screen never waits for them.
            self.call_after_refresh(self._catch_up_hidden)
        if self.bell_enabled and ch.flags & QUEUES:
            self._maybe_bell(ctx)
        dt = time.perf_counter() - t0
        self.refresh_stats.record(dt)
        return dt

    def _note_tenants(self, ch: Changes) -> None:
        """Tenants only appear: look at what changed (O(changed)), never at everything."""
        st, seen = self.state, self._tenants
        for qid in ch.queues:
            q = st.queues.get(qid)
            if q is not None and q.tenant_id:
                seen.add(q.tenant_id)
        for tenant, _number in ch.ext_keys:
            if tenant:
                seen.add(tenant)

    def _catch_up_hidden(self) -> None:
        # One callback per panel: frames and paints get the loop between two.
        ctx = self._ctx()
        for p in list(self._panels):
            if not self._visible(p):
                self.call_later(p.catch_up_offscreen, ctx)

    def _maybe_bell(self, ctx: Ctx) -> None:
        """Ring on a new SLA breach or a queue newly below the critical service level."""
        st = ctx.state
        breaches_now = st.totals().sla_breaches
        crit = 0
        for q in st.queues.values():
            sl = kpi.service_level(q.stats, st.sl_definition(q))
            if ctx.thresholds.service_level_level(sl) == "crit":
                crit += 1
        breaches, crit_before = self._bell_state
        self._bell_state = (breaches_now, crit)
        if (breaches_now > breaches or crit > crit_before) and (
            ctx.wall - self._last_bell >= BELL_EVERY
        ):
            self._last_bell = ctx.wall
            self.bell()

    # ------------------------------------------------------------------ feed
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker is not self.feed_worker:
            return
        if event.state == WorkerState.ERROR:
            err = event.worker.error
            self.feed_info.error = f"{type(err).__name__}: {err}"
            self.refresh_now(tick=True)

    # --------------------------------------------------------------- actions
    def current_page_index(self) -> int:
        return [p for p, _ in PAGES].index(self.page) + 1

    def action_page(self, n: int) -> None:
        """1–5: pages. From a detail or wall screen, go back to the dashboard first."""
        if not 1 <= n <= len(PAGES):
            return
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.page = PAGES[n - 1][0]
        self.query_one("#pages", ContentSwitcher).current = self.page
        self.call_after_refresh(self._focus_page)
        # Caught up before the first paint: hidden tables are at most a second
        # behind (`catch_up`), so the page shows current rows at once.
        self.refresh_now(tick=True)

    def _focus_page(self) -> None:
        page = self.query_one(f"#{self.page}")
        tables = [t for t in page.query(RowsPanel) if t.display]
        if tables:
            tables[0].focus()
        elif callable(focus_default := getattr(page, "focus_default", None)):
            focus_default()

    def _focused_table(self) -> VirtualTable[Any, Any] | None:
        f = self.focused
        if isinstance(f, VirtualTable):
            return f
        for t in self.screen.query(RowsPanel):
            if self._visible(t):
                return t
        return None

    def action_filter(self) -> None:
        table = self._focused_table()
        if table is None:
            return
        bars = list(self.screen.query(FilterBar))
        if bars:
            bars[0].open(table)

    def action_sort(self) -> None:
        table = self._focused_table()
        if table is not None:
            table.cycle_sort()

    def action_sort_reverse(self) -> None:
        table = self._focused_table()
        if table is not None:
            table.cycle_sort(reverse=True)

    def action_back(self) -> None:
        """Esc: clear the focused table's filter, else leave the detail / wall screen."""
        f = self.focused
        if isinstance(f, VirtualTable) and f.filter_text:
            f.set_filter_text("")
            self.refresh_now()
            return
        if isinstance(self.screen, (DetailScreen, WallScreen)):
            self.pop_screen()
            self.call_after_refresh(self.refresh_now, True)

    def action_wall(self) -> None:
        if isinstance(self.screen, WallScreen):
            self.pop_screen()
            self.call_after_refresh(self.refresh_now, True)
        else:
            self.push_screen(WallScreen(self.wall_interval))
            self.call_after_refresh(self._apply_size_class)

    def action_pause(self) -> None:
        self.paused = not self.paused
        if not self.paused:
            self.refresh_now(tick=True)
        else:
            self._on_timer_status()
        self.notify("Display paused: data keeps arriving" if self.paused else "Resumed", timeout=2)

    def _on_timer_status(self) -> None:
        ctx = self._ctx()
        for p in self._panels:
            if isinstance(p, (StatusLine, AlertBar)) and self._visible(p):
                p.sync(ctx, True)

    def action_theme(self) -> None:
        names = [t for t in THEMES if t in self.available_themes]
        i = names.index(self.theme) if self.theme in names else -1
        self.theme = names[(i + 1) % len(names)]
        self.notify(f"Theme: {self.theme}", timeout=2)

    def action_bell(self) -> None:
        self.bell_enabled = not self.bell_enabled
        self.notify(f"Bell on SLA breach: {'on' if self.bell_enabled else 'off'}", timeout=2)

    def action_retry(self) -> None:
        if self.on_retry is not None:
            self.on_retry()
            self.notify("Reconnecting now", timeout=2)

    # ------------------------------------- explain, tenants (issues 11, 14)
    def action_explain(self, first: str = "") -> None:
        """`i`: explain the number in focus (ui/explainscreen.py)."""
        if not isinstance(self.screen, ExplainScreen):
            self.push_screen(ExplainScreen(subject_for(self, first or None)))

    def action_tenant(self) -> None:
        """`T`: show the next tenant (all → A → B → … → all)."""
        if not tenants_present(self.state):
            self.notify("No tenant ids seen: nothing to filter by", timeout=3)
            return
        self.set_tenant_filter(next_tenant(self.state, self.tenant_filter))
        self.notify(f"Showing {tenant_label(self.state, self.tenant_filter)}", timeout=2)

    def action_tenants(self) -> None:
        self.push_screen(TenantScreen())

    def set_tenant_filter(self, tenant: str | None) -> None:
        """Show one tenant (None: all): every panel hears of it (ui/tenants.py)."""
        self.tenant_filter = tenant
        for panel in list(self._panels):
            tenant_changed(panel, tenant)
        self.refresh_now(tick=True)

    async def action_quit(self) -> None:
        self.exit(0)

    def help_rows(self, screen: Screen[Any] | None = None) -> list[tuple[str, str, str]]:
        """(keys, description, where) for every binding active on `screen` (default: current)."""
        screen = screen or self.screen
        grouped: dict[tuple[int, str], list[str]] = {}
        info: dict[tuple[int, str], tuple[str, str]] = {}
        for key, ab in screen.active_bindings.items():
            b = ab.binding
            if not b.description:
                continue
            gid = (id(ab.node), b.id or b.action)
            display = self.get_key_display(b) if b.key_display is None else b.key_display
            if key != b.key:
                display = self.get_key_display(Binding(key, b.action))
            grouped.setdefault(gid, [])
            if display not in grouped[gid]:
                grouped[gid].append(display)
            node = ab.node
            where = (
                "everywhere"
                if isinstance(node, App)
                else "this screen"
                if isinstance(node, Screen)
                else "tables"
                if isinstance(node, VirtualTable)
                else type(node).__name__
            )
            info[gid] = (b.description, where)
        rows = [(" / ".join(keys), *info[gid]) for gid, keys in grouped.items()]
        order = {"this screen": 0, "everywhere": 1}
        rows.sort(key=lambda r: (order.get(r[2], 2), r[2]))
        return rows

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            self.pop_screen()
            return
        self.push_screen(HelpScreen(self.help_rows()))

    # ---------------------------------------------------------------- details
    def on_virtual_table_row_selected(self, event: VirtualTable.RowSelected) -> None:
        table = event.table
        if not isinstance(table, RowsPanel) or event.key is None:
            return
        event.stop()
        key = event.key
        if isinstance(table, WaitingTable):
            sid = key.partition("\x1f")[2]
            if sid in self.state.calls:
                self.open_detail("call", sid)
            else:
                self.open_detail("queue", key.partition("\x1f")[0])
            return
        if table.DETAIL is not None:
            self.open_detail(table.DETAIL, key)

    def open_detail(self, kind: str, key: Any) -> None:
        """Push the detail screen for a queue id, agent number, 'tenant/number' or session id."""
        screen: Screen[Any]
        if kind == "queue":
            screen = QueueScreen(key)
        elif kind == "agent":
            if isinstance(key, tuple):  # (tenant, number): the agents table's key
                screen = ExtensionScreen(key)
            else:
                keys = sorted(self.derived.keys_by_number.get(key, ()))
                screen = ExtensionScreen(keys[0] if keys else ("", key))
        elif kind == "extension":
            tenant, _, number = key.partition("/")
            screen = ExtensionScreen((tenant, number))
        elif kind == "call":
            screen = CallScreen(key)
        else:
            return
        if isinstance(self.screen, WallScreen):
            self.pop_screen()
        self.push_screen(screen)
        self.call_after_refresh(self._apply_size_class)

    # ------------------------------------------------------------ terminal
    def _watch_terminal(self) -> None:
        """Leave when the terminal goes away (SSH drop, closed stdin) instead of spinning."""
        with contextlib.suppress(Exception):
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, lambda: self.exit(0))
        # Often: once the terminal is gone, Textual's input thread spins on the dead
        # fd (select says readable, read returns nothing) until we leave.
        self.set_interval(TERMINAL_CHECK, self._check_terminal, name="terminal-watch")

    def _check_terminal(self) -> None:
        try:
            fd = sys.__stdin__.fileno() if sys.__stdin__ is not None else -1
        except (ValueError, OSError):
            fd = -1
        gone = fd < 0
        if not gone:
            try:
                readable, _, _ = select.select([fd], [], [], 0)
                if readable:
                    # Readable with nothing to read: end of file (closed pipe, hung-up tty).
                    buf = fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0")
                    gone = int.from_bytes(buf, sys.byteorder) == 0
                if os.isatty(fd):
                    termios.tcgetattr(fd)  # EIO once the terminal has hung up
            except (OSError, ValueError, termios.error):
                gone = True
        self._eof_checks = self._eof_checks + 1 if gone else 0
        if self._eof_checks >= 3:  # three checks in a row: not a race with the reader
            self.exit(0)

    # ----------------------------------------------------------- test helpers
    def table(self, selector: str) -> RowsPanel:
        return self.screen.query_one(selector, RowsPanel)

    def panels(self) -> list[Widget]:
        return [p for p in self._panels if isinstance(p, Widget)]


__all__ = ["PAGES", "Feed", "RefreshStats", "WallboardApp", "literal_highlight", "styles_dir"]
