"""Every Textual internal the wallboard leans on, in one place.

Textual is pinned below 9 (pyproject) because of these; an upgrade checks
this module first. Nothing else imports a private Textual name or calls a
private Textual method (tests/test_import_hygiene.py checks both).
"""

from __future__ import annotations

from collections.abc import Callable
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


def hook_screen_updates(
    after_paint: Callable[[Any], None],
    around_update: Callable[[Any, Callable[[], None]], None],
) -> None:
    """Benchmarks (this process only): `after_paint(screen)` runs after every
    compositor refresh (a paint reached the driver), and every screen update
    (layout, compositor, escape sequences) runs as `around_update(screen, run)`."""
    from textual.screen import Screen

    compositor_refresh = Screen._compositor_refresh
    timer_update = Screen._on_timer_update

    def _compositor_refresh(self: Any) -> None:
        compositor_refresh(self)
        after_paint(self)

    def _on_timer_update(self: Any) -> None:
        around_update(self, lambda: timer_update(self))

    Screen._compositor_refresh = _compositor_refresh  # type: ignore[method-assign]
    Screen._on_timer_update = _on_timer_update  # type: ignore[method-assign]


__all__ = ["hook_screen_updates", "set_virtual_size_without_layout"]
