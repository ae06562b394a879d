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

The pieces: the refresh loop in `refreshloop.py`, what the keys do in
`appactions.py`, the terminal watchdog in `termwatch.py` (mixins, as the
model's state is); this module holds the pages, the layout and startup.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
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
from textual.widget import Widget
from textual.widgets import ContentSwitcher
from textual.worker import Worker, WorkerState

import wallboard
from wallboard.config import Thresholds
from wallboard.model.state import WallboardState
from wallboard.ui.appactions import AppActions
from wallboard.ui.derived import Derived
from wallboard.ui.explainscreen import ExplainCommands
from wallboard.ui.filterbar import FilterBar
from wallboard.ui.gcpolicy import GcPolicy
from wallboard.ui.history import HistoryPage
from wallboard.ui.historysource import CombinedSource, HistorySource, TodaySource
from wallboard.ui.panels import (
    AgentsTable,
    CallsTable,
    CountersPanel,
    EventLog,
    ExtensionsTable,
    Panel,
    QueuesTable,
    RecentTable,
    RowsPanel,
    TrunksTable,
    WaitingTable,
)
from wallboard.ui.refreshloop import RefreshLoop, RefreshStats
from wallboard.ui.screens.wall import WallScreen
from wallboard.ui.tenants import TenantBar, TenantCommands
from wallboard.ui.termwatch import CAN_WATCH, TerminalWatch
from wallboard.ui.text import safe_text
from wallboard.ui.tiles import ExplainableTiles
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


def styles_dir() -> Path:
    """The .tcss files: inside the package when installed, the repo's styles/ otherwise."""
    pkg = Path(wallboard.__file__).resolve().parent
    inside = pkg / "styles"
    if (inside / "wallboard.tcss").is_file():
        return inside
    return pkg.parent / "styles"


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


class WallboardApp(RefreshLoop, AppActions, TerminalWatch, App[int]):
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
        if self.watch_terminal and not self.is_headless and CAN_WATCH:
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

    # ------------------------------------------------------------------ feed
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker is not self.feed_worker:
            return
        if event.state == WorkerState.ERROR:
            err = event.worker.error
            self.feed_info.error = f"{type(err).__name__}: {err}"
            self.refresh_now(tick=True)

    # ----------------------------------------------------------------- pages
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

    # ----------------------------------------------------------- test helpers
    def table(self, selector: str) -> RowsPanel:
        return self.screen.query_one(selector, RowsPanel)

    def panels(self) -> list[Widget]:
        return [p for p in self._panels if isinstance(p, Widget)]


__all__ = ["PAGES", "Feed", "WallboardApp", "literal_highlight", "styles_dir"]
