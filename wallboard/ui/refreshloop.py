"""The refresh loop: one timer, and only what is visible redraws.

A mixin of `WallboardApp` (the data flow is in `app.py`'s docstring).
Panels register here on mount; each pass takes what is dirty from the
model, tells every panel what changed, and lets the visible ones apply it
inside one `batch_update()`. Hidden panels catch up once a second, after
the pass has been painted, so what is on screen never waits for them.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.screen import Screen

from wallboard.config import Thresholds
from wallboard.model import kpi
from wallboard.model.state import QUEUES
from wallboard.ui.derived import Changes
from wallboard.ui.panels import Ctx, Panel
from wallboard.ui.widgets import AlertBar, StatusLine

if TYPE_CHECKING:
    from wallboard.ui.app import WallboardApp

BELL_EVERY = 30.0  # seconds between two bells at most


@dataclass(slots=True)
class RefreshStats:
    """How long refresh passes take (the UI benchmark reads this)."""

    count: int = 0
    total: float = 0.0
    max: float = 0.0
    last: float = 0.0

    def record(self, seconds: float) -> None:
        self.count += 1
        self.total += seconds
        self.last = seconds
        if seconds > self.max:
            self.max = seconds

    @property
    def mean(self) -> float:
        return self.total / self.count if self.count else 0.0


class RefreshLoop:
    """Mixin of WallboardApp: the panel registry, the refresh timer, the bell."""

    def register_panel(self: WallboardApp, panel: Panel) -> None:
        """Panels call this on mount: the refresh timer drives everything registered."""
        if panel not in self._panels:
            self._panels.append(panel)

    def unregister_panel(self: WallboardApp, panel: Panel) -> None:
        with contextlib.suppress(ValueError):
            self._panels.remove(panel)

    def _visible(self: WallboardApp, panel: Panel) -> bool:
        node: Any = panel
        if isinstance(panel, AlertBar):  # hidden when quiet, but must notice new alerts
            return node.screen is self.screen
        try:
            if node.screen is not self.screen:
                return False
        except Exception:
            return False
        while node is not None and not isinstance(node, Screen):
            if not node.display:
                return False
            node = node.parent
        return True

    def _on_timer(self: WallboardApp) -> None:
        # Midnight comes whether or not an event does, paused or not.
        self.state.tick()
        now = self.wall_clock()
        second = int(now)
        tick = second != self._last_second
        self._last_second = second
        if self.paused:
            if tick:  # the status line and alerts stay live while the numbers are frozen
                ctx = self._ctx()
                for p in self._panels:
                    if isinstance(p, (StatusLine, AlertBar)) and self._visible(p):
                        p.sync(ctx, tick)
            return
        if tick or not self.state.source.flat_out:
            # A flat-out replay redraws once a second: at 5 Hz each pass redid most
            # of 5,000 agent rows to show a picture a fifth of a second old.
            self.refresh_now(tick=tick)
        if tick:
            self.gc_policy.tick(self.state.version)

    def _ctx(self: WallboardApp) -> Ctx:
        return Ctx(
            state=self.state,
            derived=self.derived,
            now=self.state.pbx_now(),
            wall=self.wall_clock(),
            thresholds=self.thresholds,
            thresholds_for=self.thresholds_for,
            tenants=frozenset(self._tenants),
        )

    def thresholds_for(self: WallboardApp, number: str) -> Thresholds:
        """The thresholds a queue's numbers are coloured by (its own, else the board's)."""
        return self.queue_thresholds.get(number, self.thresholds)

    def refresh_now(self: WallboardApp, tick: bool = False) -> float:
        """One refresh pass: take what is dirty, apply it to visible panels. Returns seconds."""
        t0 = time.perf_counter()
        ch = self.derived.take()
        panels = list(self._panels)
        if ch:
            self._note_tenants(ch)
            for p in panels:
                p.note(ch)
        ctx = self._ctx()
        with self.batch_update():
            for p in panels:
                if self._visible(p):
                    p.sync(ctx, tick)
        if tick:
            # Off screen, once a second, after this pass has been painted: rows kept
            # current (nothing painted), so showing a page waits for a second of
            # changes at most, and what is on screen never waits for them.
            self.call_after_refresh(self._catch_up_hidden)
        if self.bell_enabled and ch.flags & QUEUES:
            self._maybe_bell(ctx)
        dt = time.perf_counter() - t0
        self.refresh_stats.record(dt)
        return dt

    def _note_tenants(self: WallboardApp, ch: Changes) -> None:
        """Tenants only appear: look at what changed (O(changed)), never at everything."""
        st, seen = self.state, self._tenants
        for qid in ch.queues:
            q = st.queues.get(qid)
            if q is not None and q.tenant_id:
                seen.add(q.tenant_id)
        for tenant, _number in ch.ext_keys:
            if tenant:
                seen.add(tenant)

    def _catch_up_hidden(self: WallboardApp) -> None:
        # One callback per panel: frames and paints get the loop between two.
        ctx = self._ctx()
        for p in list(self._panels):
            if not self._visible(p):
                self.call_later(p.catch_up_offscreen, ctx)

    def _maybe_bell(self: WallboardApp, ctx: Ctx) -> None:
        """Ring on a new SLA breach or a queue newly below the critical service level."""
        st = ctx.state
        breaches_now = st.totals().sla_breaches
        crit = 0
        for q in st.queues.values():
            sl = kpi.service_level(q.stats, st.sl_definition(q))
            if ctx.thresholds.service_level_level(sl) == "crit":
                crit += 1
        breaches, crit_before = self._bell_state
        self._bell_state = (breaches_now, crit)
        if (breaches_now > breaches or crit > crit_before) and (
            ctx.wall - self._last_bell >= BELL_EVERY
        ):
            self._last_bell = ctx.wall
            self.bell()

    def _on_timer_status(self: WallboardApp) -> None:
        ctx = self._ctx()
        for p in self._panels:
            if isinstance(p, (StatusLine, AlertBar)) and self._visible(p):
                p.sync(ctx, True)


__all__ = ["BELL_EVERY", "RefreshLoop", "RefreshStats"]
