"""The protocol every live panel follows, and what a refresh pass hands it.

The app's refresh timer drives everything registered:

- ``note(changes)`` is called on *every* refresh for every panel, visible or
  not, and only records which keys it will have to look at (set unions);
- ``sync(ctx, tick)`` is called for panels on screen: it brings what they
  show up to date. ``tick`` is true once a second (durations advance).
- ``catch_up_offscreen(ctx)`` is called once a second for panels *not* on
  screen, so that showing one waits for a second of changes at most (a
  table owing more than a storm's worth waits to be shown instead).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from wallboard.config import Thresholds
from wallboard.model.entities import Queue
from wallboard.model.overview import Overview, overview
from wallboard.model.state import WallboardState
from wallboard.ui.derived import Changes, Derived


def queues_of(state: WallboardState, tenant: str | None) -> list[Queue] | None:
    """The queues of `tenant`; None for every tenant (so `overview` counts agents as usual)."""
    if tenant is None:
        return None
    return [q for q in state.queues.values() if q.tenant_id == tenant]


@dataclass(slots=True)
class Ctx:
    """What a refresh pass reads: the model, the derived indexes, the clocks, thresholds."""

    state: WallboardState
    derived: Derived
    now: float  # the model's clock: every duration is against this
    wall: float  # wall-clock time (status line)
    thresholds: Thresholds
    # A queue's own thresholds by queue number (config `queues:`); default: `thresholds`.
    thresholds_for: Callable[[str], Thresholds] | None = field(default=None)
    tenants: frozenset[str] = frozenset()  # tenant ids seen (v22 global topics: several)
    _overviews: dict[str | None, Overview] = field(default_factory=dict)

    def queue_thresholds(self, number: str) -> Thresholds:
        f = self.thresholds_for
        return self.thresholds if f is None else f(number)

    @property
    def overview(self) -> Overview:
        """Every queue summed (the model's `overview`), once per refresh pass."""
        return self.overview_of(None)

    def overview_of(self, tenant: str | None) -> Overview:
        """One tenant's queues summed (None: every queue), once per refresh pass: the
        tiles and the totals row show the same sums, and at 5,000 agents a sum costs
        milliseconds."""
        o = self._overviews.get(tenant)
        if o is None:
            o = overview(self.state, queues_of(self.state, tenant), now=self.now)
            self._overviews[tenant] = o
        return o

    @property
    def multi_tenant(self) -> bool:
        return len(self.tenants) > 1

    def tenant_label(self, tenant_id: str) -> str:
        return self.state.names.tenant_name(tenant_id) or tenant_id


class Panel:
    """Mixin for everything the refresh timer drives."""

    page: str | None = None  # the ContentSwitcher page this panel lives on (None: always)

    def note(self, ch: Changes) -> None:  # pragma: no cover - interface
        """Record what changed (cheap; called for hidden panels too)."""

    def sync(self, ctx: Ctx, tick: bool) -> None:  # pragma: no cover - interface
        """Bring what is shown up to date (called for visible panels only)."""

    def catch_up(self, ctx: Ctx) -> None:
        """Keep the data current, paint nothing."""

    def catch_up_offscreen(self, ctx: Ctx) -> None:
        """Off screen, once a second (a panel may put off a large catch-up)."""
        self.catch_up(ctx)

    def invalidate(self) -> None:
        """Forget what is shown: the next sync rebuilds from the model."""


class Registered:
    """Register with the app's refresh loop while mounted (any widget that is a Panel)."""

    def on_mount(self) -> None:
        register = getattr(self.app, "register_panel", None)  # type: ignore[attr-defined]
        if register is not None:
            register(self)

    def on_unmount(self) -> None:
        unregister = getattr(self.app, "unregister_panel", None)  # type: ignore[attr-defined]
        if unregister is not None:
            unregister(self)


__all__ = ["Ctx", "Panel", "Registered"]
