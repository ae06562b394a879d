"""The filter bar: `/` narrows the focused table live, on every screen that has one.

A widget of its own (not a screen's) so a table outside the screens (the
abandoned callers) can open the bar of the screen it is on.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.binding import Binding
from textual.widgets import Input

from wallboard.ui.vtable import VirtualTable


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


__all__ = ["FilterBar"]
