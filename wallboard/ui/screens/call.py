"""Call detail: one call's parties, state and times; once it has ended, how it ended."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll

from wallboard.model.state import CALLS
from wallboard.ui.derived import Changes
from wallboard.ui.fmt import CALL_STATE_STYLE, dur, hms
from wallboard.ui.panels import Ctx, InfoPanel
from wallboard.ui.screens.base import DetailScreen, kv
from wallboard.ui.text import safe_text


class CallInfo(InfoPanel):
    FLAGS = CALLS
    TICKS = True

    def __init__(self, session_id: str) -> None:
        super().__init__(classes="info")
        self.session_id = session_id

    def note(self, ch: Changes) -> None:
        if ch.full or self.session_id in ch.calls:
            self._dirty = True

    def render_info(self, ctx: Ctx) -> Text:
        sid = self.session_id
        c = ctx.state.calls.get(sid)
        t = Text(end="")
        if c is None:
            ended = next((f for f in reversed(ctx.state.recent) if f.session_id == sid), None)
            t.append("This call has ended.\n", style="bold yellow")
            if ended is not None:
                kv(t, "outcome", ended.outcome)
                kv(t, "caller", safe_text(f"{ended.caller} {ended.caller_name}".strip(), 60))
                kv(t, "callee", safe_text(ended.callee, 60))
                kv(t, "started", hms(ended.started))
                kv(t, "answered", hms(ended.answered))
                kv(t, "ended", hms(ended.ended))
                if ended.reason:
                    kv(t, "reason", safe_text(ended.reason, 60))
            return t
        kv(t, "session", safe_text(sid, 60), "dim")
        kv(t, "caller", safe_text(f"{c.caller} {c.caller_name}".strip(), 60))
        kv(t, "callee", safe_text(f"{c.callee} {c.callee_name}".strip(), 60))
        state = c.state + ("  (unconfirmed since reconnect)" if c.stale else "")
        kv(t, "state", state, CALL_STATE_STYLE.get(c.state, "bold"))
        kv(t, "direction", safe_text(c.direction, 20))
        kv(t, "started", f"{hms(c.started)}  ({dur(ctx.now - c.started)} ago)")
        if c.answered:
            kv(t, "answered", f"{hms(c.answered)}  after {dur(c.answered - c.started)}")
            kv(t, "talking", dur(ctx.now - c.answered))
        if c.answered_by:
            kv(t, "answered by", safe_text(c.answered_by, 30))
        if c.held_by:
            kv(t, "held by", safe_text(c.held_by, 30))
        if c.targets:
            kv(t, "ringing", safe_text(", ".join(sorted(c.targets)), 60))
        if c.did:
            kv(t, "DID", safe_text(c.did, 30))
        if c.queue:
            kv(t, "queue", safe_text(c.queue, 30))
        if c.reroutes:
            kv(t, "reroutes", str(c.reroutes))
        if c.tenant_id:
            kv(t, "tenant", safe_text(c.tenant_id, 40), "dim")
        return t


class CallScreen(DetailScreen):
    def __init__(self, session_id: str) -> None:
        super().__init__()
        self.session_id = session_id

    def compose(self) -> ComposeResult:
        yield from self.compose_top()
        with VerticalScroll(classes="detail-col"):
            yield CallInfo(self.session_id)
        yield from self.compose_bottom()


__all__ = ["CallInfo", "CallScreen"]
