"""KPI tiles of the tenant shown, and tiles you can point at (for `i`).

`TenantTiles` are the KPI tiles over the queues of ``app.tenant_filter``
(every queue when None: then exactly the numbers `KpiTiles` shows).
`ExplainableTiles` are one stop in the Tab order: ←/→ pick a tile, `i` (or
Enter) explains the picked one, so every tile is reachable without a mouse.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.binding import Binding

from wallboard.ui.panels import Ctx
from wallboard.ui.widgets import TILES, KpiTile, KpiTiles, tile_values


class TenantTiles(KpiTiles):
    """The KPI row over the queues of the tenant shown (all of them when none is picked)."""

    def tenant_changed(self, tenant: str | None) -> None:
        self.invalidate()

    def sync(self, ctx: Ctx, tick: bool) -> None:
        if not (self._dirty or tick):
            return
        self._dirty = False
        tenant = getattr(self.app, "tenant_filter", None)
        values = tile_values(ctx, ctx.overview_of(tenant))
        for key, (text, level) in values.items():
            self.query_one(f"#{self.prefix}-{key}", KpiTile).show(text, level)


class ExplainableTiles(TenantTiles, can_focus=True):
    """Tenant tiles that take focus: ←/→ pick a tile, `i` or Enter explains it."""

    SCOPED_CSS = False  # a rule starts from the screen's size class (-compact)
    DEFAULT_CSS = """
    ExplainableTiles:focus .tile.-picked {
        border: round $accent;
        border-title-color: $accent;
        border-title-style: bold reverse;
    }
    .-compact ExplainableTiles:focus .tile.-picked .tile-label {
        text-style: bold reverse;
        color: $accent;
    }
    """

    BINDINGS: ClassVar[list[Binding]] = [
        Binding("left,h", "pick(-1)", "Previous tile", show=False, id="tiles.left"),
        Binding("right,l", "pick(1)", "Next tile", show=False, id="tiles.right"),
        Binding("enter", "app.explain", "Explain", show=False, id="tiles.explain"),
    ]

    def __init__(self, *, id: str | None = None, prefix: str = "kpi") -> None:
        super().__init__(id=id, prefix=prefix)
        self.picked = 4  # service level: the number most asked about

    def on_mount(self) -> None:
        super().on_mount()
        self._mark()

    def action_pick(self, step: int) -> None:
        self.picked = (self.picked + step) % len(TILES)
        self._mark()

    def _mark(self) -> None:
        for i, tile in enumerate(self.query(KpiTile)):
            tile.set_class(i == self.picked, "-picked")

    @property
    def picked_key(self) -> str:
        return TILES[self.picked][0]

    def explain_subject(self) -> Any:
        from wallboard.ui.explainscreen import totals_subject

        state = self.app.state
        tenant = getattr(self.app, "tenant_filter", None)
        return totals_subject(state, tenant, self.picked_key)


__all__ = ["ExplainableTiles", "TenantTiles"]
