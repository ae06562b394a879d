"""Static panels re-rendered from the model when their flags change (counters, KPIs)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.widgets import Static

from wallboard.model.state import CALLS, COUNTS
from wallboard.ui.derived import Changes
from wallboard.ui.panel import Ctx, Panel, Registered
from wallboard.ui.text import safe_text


class InfoPanel(Registered, Panel, Static):
    """A Static that re-renders from the model when its flags change (counters, KPIs)."""

    FLAGS: ClassVar[int] = 0
    TICKS: ClassVar[bool] = False

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("", id=id, classes=classes)
        self._dirty = True
        self._text: Text | None = None

    def note(self, ch: Changes) -> None:
        if ch.full or ch.flags & self.FLAGS:
            self._dirty = True

    def invalidate(self) -> None:
        self._dirty = True

    def sync(self, ctx: Ctx, tick: bool) -> None:
        if self._dirty or (tick and self.TICKS):
            self._dirty = False
            t = self.render_info(ctx)
            # Idle means idle: the same text is no repaint.
            old = self._text
            if old is None or t.plain != old.plain or t.spans != old.spans:
                # A layout pass only when the panel's height may change (its lines).
                layout = old is None or t.plain.count("\n") != old.plain.count("\n")
                self._text = t
                self.update(t, layout=layout)

    def render_info(self, ctx: Ctx) -> Text:  # pragma: no cover - interface
        return Text("")


class CountersPanel(InfoPanel):
    """Frames, events, unknown, invalid, finished calls: how much arrived, and what."""

    FLAGS = COUNTS | CALLS

    def render_info(self, ctx: Ctx) -> Text:
        st = ctx.state
        f = st.finished
        t = Text(end="")
        pairs = [
            ("frames", st.frames),
            ("events", st.events),
            ("replies", st.replies),
            ("unknown", st.unknown),
            ("invalid", st.invalid),
            ("ended", f["ended"]),
            ("not answered", f["noanswer"]),
            ("failed", f["failed"]),
            ("rerouted", st.reroutes),
        ]
        if st.limits_dropped:
            pairs.append(("dropped (limits)", st.limits_dropped))
        for i, (label, value) in enumerate(pairs):
            if i:
                t.append("  ")
            t.append(f"{label} ", style="dim")
            style = "bold red" if label in ("invalid", "dropped (limits)") and value else "bold"
            t.append(str(value), style=style)
        if st.errors:
            last = st.errors[-1]
            t.append("\nlast command error: ", style="bold red")
            t.append(safe_text(f"{last.command} {last.error}", 100))
        return t


__all__ = ["CountersPanel", "InfoPanel"]
