"""What each queue is measured against: its answer target, short abandons, SL definition.

Contact centers disagree on what "service level" means and every queue has
its own target, so these are settings, not constants: per queue (by number)
over the global ones, over what the PBX says (`sla_time_secs`), over the
defaults. The config file builds a :class:`Targets`; the model only reads it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_SLA_SECONDS = 20.0
DEFAULT_SHORT_ABANDON_SECONDS = 5.0

# Service-level definitions (formulas in kpi.py and README).
SL_DEFINITIONS = (
    "answered_abandoned",  # answered within target / (answered + abandoned)
    "no_short_abandons",  # the same, short abandons left out of the denominator
    "offered",  # answered within target / callers whose wait ended
    "offered_abandons_ok",  # (answered + abandoned within target) / callers whose wait ended
)
DEFAULT_SL_DEFINITION = SL_DEFINITIONS[0]


@dataclass(frozen=True, slots=True)
class QueueTarget:
    """One queue's own settings; None = inherit the global value."""

    sla_seconds: float | None = None
    short_abandon_seconds: float | None = None
    sl_definition: str | None = None


@dataclass(frozen=True, slots=True)
class Targets:
    sla_seconds: float | None = None  # None: the PBX's per-queue value, else 20 s
    short_abandon_seconds: float = DEFAULT_SHORT_ABANDON_SECONDS
    sl_definition: str = DEFAULT_SL_DEFINITION
    queues: dict[str, QueueTarget] = field(default_factory=dict)  # by queue number

    def sla_seconds_for(self, number: str, pbx: float | None) -> float:
        own = self.queues.get(number)
        if own is not None and own.sla_seconds is not None:
            return own.sla_seconds
        if self.sla_seconds is not None:
            return self.sla_seconds
        return pbx if pbx is not None else DEFAULT_SLA_SECONDS

    def short_abandon_for(self, number: str) -> float:
        own = self.queues.get(number)
        if own is not None and own.short_abandon_seconds is not None:
            return own.short_abandon_seconds
        return self.short_abandon_seconds

    def sl_definition_for(self, number: str) -> str:
        own = self.queues.get(number)
        if own is not None and own.sl_definition is not None:
            return own.sl_definition
        return self.sl_definition


__all__ = [
    "DEFAULT_SHORT_ABANDON_SECONDS",
    "DEFAULT_SLA_SECONDS",
    "DEFAULT_SL_DEFINITION",
    "SL_DEFINITIONS",
    "QueueTarget",
    "Targets",
]
