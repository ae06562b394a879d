"""Every Textual internal the wallboard leans on, in one place.

Textual is pinned below 9 (pyproject) because of these; an upgrade checks
this module first. Nothing else imports a private Textual name or calls a
private Textual method (tests/test_import_hygiene.py checks both).
"""

from __future__ import annotations

from typing import Any

from textual.geometry import Size
from textual.widget import Widget


def set_virtual_size_without_layout(widget: Any, size: Size) -> bool:
    """Give a fixed-height scroll view a new virtual size without a layout pass.

    Setting `virtual_size` schedules a layout, and a layout repaints the
    whole widget; a table's row count changes on every refresh in a storm.
    `_scroll_update` is what the layout would call for it (the scrollbars).
    False when this Textual has no such method (the caller sets the size
    the public way).
    """
    scroll_update = getattr(widget, "_scroll_update", None)
    if scroll_update is None:
        return False
    widget.set_reactive(Widget.virtual_size, size)
    scroll_update(size)
    return True


__all__ = ["set_virtual_size_without_layout"]
