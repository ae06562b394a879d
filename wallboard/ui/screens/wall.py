"""Wall mode: big numbers, no chrome, pages that rotate on a timer (a TV across the room)."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import ContentSwitcher, Digits, Label

from wallboard.model.overview import queue_view
from wallboard.ui.fmt import pct, short_dur
from wallboard.ui.panels import AgentsTable, Ctx, Panel
from wallboard.ui.text import safe_text
from wallboard.ui.tiles import TenantTiles
from wallboard.ui.trend import WallTrend
from wallboard.ui.widgets import AlertBar


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


__all__ = ["WALL_PAGES", "WallQueues", "WallScreen"]
