"""The help screen: every key that works where you were, built from the live bindings."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from wallboard.ui.tablerows import Column, TableRows
from wallboard.ui.vtable import VirtualTable

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


__all__ = ["HELP_COLUMNS", "HelpScreen"]
