"""What the pushed screens share, so each one keeps the board's chrome and keys.

Status line and alerts on top, the filter bar and footer below; a detail
screen is one of them about one thing, and Esc leaves it.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen

from wallboard.ui.filterbar import FilterBar
from wallboard.ui.panels import RowsPanel
from wallboard.ui.widgets import AlertBar, QuietFooter, StatusLine


def kv(t: Text, label: str, value: str, style: str = "") -> None:
    """One `label  value` line of an info panel: labels right-aligned, values in a column."""
    t.append(f"{label:>14}  ", style="dim")
    t.append(value, style=style or "bold")
    t.append("\n")


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


__all__ = ["BaseScreen", "DetailScreen", "kv"]
