"""What the wallboard's keys do: filter, sort, back, wall mode, pause, theme, bell,
explain, tenant, help, and the detail screens Enter and the palette open.

A mixin of `WallboardApp`; the page keys (`1`–`6`) stay with the pages in
`app.py`, which compose them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.binding import Binding
from textual.screen import Screen

from wallboard.ui.explainscreen import ExplainScreen, subject_for
from wallboard.ui.filterbar import FilterBar
from wallboard.ui.panels import RowsPanel, WaitingTable
from wallboard.ui.screens.base import DetailScreen
from wallboard.ui.screens.call import CallScreen
from wallboard.ui.screens.extension import ExtensionScreen
from wallboard.ui.screens.help import HelpScreen
from wallboard.ui.screens.queue import QueueScreen
from wallboard.ui.screens.wall import WallScreen
from wallboard.ui.tenants import (
    TenantScreen,
    next_tenant,
    tenant_changed,
    tenant_label,
    tenants_present,
)
from wallboard.ui.vtable import VirtualTable

if TYPE_CHECKING:
    from wallboard.ui.app import WallboardApp

THEMES = ("textual-dark", "textual-light", "nord", "gruvbox", "tokyo-night", "textual-ansi")


class AppActions:
    """Mixin of WallboardApp: the key actions, help, and opening detail screens."""

    # ------------------------------------------------------------------- keys
    def _focused_table(self: WallboardApp) -> VirtualTable[Any, Any] | None:
        f = self.focused
        if isinstance(f, VirtualTable):
            return f
        for t in self.screen.query(RowsPanel):
            if self._visible(t):
                return t
        return None

    def action_filter(self: WallboardApp) -> None:
        table = self._focused_table()
        if table is None:
            return
        bars = list(self.screen.query(FilterBar))
        if bars:
            bars[0].open(table)

    def action_sort(self: WallboardApp) -> None:
        table = self._focused_table()
        if table is not None:
            table.cycle_sort()

    def action_sort_reverse(self: WallboardApp) -> None:
        table = self._focused_table()
        if table is not None:
            table.cycle_sort(reverse=True)

    def action_back(self: WallboardApp) -> None:
        """Esc: clear the focused table's filter, else leave the detail / wall screen."""
        f = self.focused
        if isinstance(f, VirtualTable) and f.filter_text:
            f.set_filter_text("")
            self.refresh_now()
            return
        if isinstance(self.screen, (DetailScreen, WallScreen)):
            self.pop_screen()
            self.call_after_refresh(self.refresh_now, True)

    def action_wall(self: WallboardApp) -> None:
        if isinstance(self.screen, WallScreen):
            self.pop_screen()
            self.call_after_refresh(self.refresh_now, True)
        else:
            self.push_screen(WallScreen(self.wall_interval))
            self.call_after_refresh(self._apply_size_class)

    def action_pause(self: WallboardApp) -> None:
        self.paused = not self.paused
        if not self.paused:
            self.refresh_now(tick=True)
        else:
            self._on_timer_status()
        self.notify("Display paused: data keeps arriving" if self.paused else "Resumed", timeout=2)

    def action_theme(self: WallboardApp) -> None:
        names = [t for t in THEMES if t in self.available_themes]
        i = names.index(self.theme) if self.theme in names else -1
        self.theme = names[(i + 1) % len(names)]
        self.notify(f"Theme: {self.theme}", timeout=2)

    def action_bell(self: WallboardApp) -> None:
        self.bell_enabled = not self.bell_enabled
        self.notify(f"Bell on SLA breach: {'on' if self.bell_enabled else 'off'}", timeout=2)

    def action_retry(self: WallboardApp) -> None:
        if self.on_retry is not None:
            self.on_retry()
            self.notify("Reconnecting now", timeout=2)

    # ------------------------------------- explain, tenants (issues 11, 14)
    def action_explain(self: WallboardApp, first: str = "") -> None:
        """`i`: explain the number in focus (ui/explainscreen.py)."""
        if not isinstance(self.screen, ExplainScreen):
            self.push_screen(ExplainScreen(subject_for(self, first or None)))

    def action_tenant(self: WallboardApp) -> None:
        """`T`: show the next tenant (all → A → B → … → all)."""
        if not tenants_present(self.state):
            self.notify("No tenant ids seen: nothing to filter by", timeout=3)
            return
        self.set_tenant_filter(next_tenant(self.state, self.tenant_filter))
        self.notify(f"Showing {tenant_label(self.state, self.tenant_filter)}", timeout=2)

    def action_tenants(self: WallboardApp) -> None:
        self.push_screen(TenantScreen())

    def set_tenant_filter(self: WallboardApp, tenant: str | None) -> None:
        """Show one tenant (None: all): every panel hears of it (ui/tenants.py)."""
        self.tenant_filter = tenant
        for panel in list(self._panels):
            tenant_changed(panel, tenant)
        self.refresh_now(tick=True)

    async def action_quit(self: WallboardApp) -> None:
        self.exit(0)

    def help_rows(
        self: WallboardApp, screen: Screen[Any] | None = None
    ) -> list[tuple[str, str, str]]:
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

    def action_help(self: WallboardApp) -> None:
        if isinstance(self.screen, HelpScreen):
            self.pop_screen()
            return
        self.push_screen(HelpScreen(self.help_rows()))

    # ---------------------------------------------------------------- details
    def on_virtual_table_row_selected(self: WallboardApp, event: VirtualTable.RowSelected) -> None:
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

    def open_detail(self: WallboardApp, kind: str, key: Any) -> None:
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


__all__ = ["THEMES", "AppActions"]
