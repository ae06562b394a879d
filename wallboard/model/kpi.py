"""Every queue and agent KPI as a formula over a Tally: the one place numbers are computed.

The screen, the state document, `/metrics` and reports all call these; none
of them divides on its own. A KPI whose denominator is 0 is None ("—" on the
screen, null in JSON), never 0 % or 100 %. Totals are computed from summed
tallies (`Tally.add`), never as an average of percentages.
"""

from __future__ import annotations

from dataclasses import dataclass

from wallboard.model.entities import AgentDay
from wallboard.model.tally import Tally
from wallboard.model.targets import DEFAULT_SL_DEFINITION


def _ratio(num: float, den: float) -> float | None:
    return None if den <= 0 else 100.0 * num / den


def sl_denominator(t: Tally, definition: str = DEFAULT_SL_DEFINITION) -> int:
    if definition == "no_short_abandons":
        return t.answered_known_wait + t.abandoned - t.short_abandoned
    if definition in ("offered", "offered_abandons_ok"):
        return t.ended_waits
    return t.answered_known_wait + t.abandoned


def sl_numerator(t: Tally, definition: str = DEFAULT_SL_DEFINITION) -> int:
    if definition == "offered_abandons_ok":
        return t.answered_within + t.abandoned_within
    return t.answered_within


def service_level(t: Tally, definition: str = DEFAULT_SL_DEFINITION) -> float | None:
    """Percent; see targets.SL_DEFINITIONS and README "How the numbers are computed"."""
    return _ratio(sl_numerator(t, definition), sl_denominator(t, definition))


def asa(t: Tally) -> float | None:
    """Average speed of answer: mean wait of answered callers whose wait is known."""
    n = t.answered_known_wait
    return t.answer_wait_sum / n if n > 0 else None


def abandon_rate(t: Tally) -> float | None:
    """Percent of the callers whose wait ended who hung up waiting."""
    return _ratio(t.abandoned, t.answered + t.abandoned + t.overflowed + t.callbacks + t.other)


def average_abandon_wait(t: Tally) -> float | None:
    n = t.abandoned_known_wait
    return t.abandon_wait_sum / n if n > 0 else None


def aht(t: Tally) -> float | None:
    """Average handle time: (talk + hold + wrap-up) per handled queue call."""
    return (t.talk_sum + t.wrap_sum) / t.handled if t.handled > 0 else None


def average_talk(t: Tally) -> float | None:
    return t.talk_sum / t.handled if t.handled > 0 else None


def average_wrap(t: Tally) -> float | None:
    return t.wrap_sum / t.handled if t.handled > 0 else None


def agent_aht(talk: float, wrap: float, answered: int) -> float | None:
    """An agent's average handle time: (talk + hold + wrap-up) per queue call taken."""
    return (talk + wrap) / answered if answered > 0 else None


def occupancy(talk: float, wrap: float, ready: float) -> float | None:
    """Percent of an agent's available time spent handling calls: (talk + wrap) / (talk + wrap + ready)."""
    return _ratio(talk + wrap, talk + wrap + ready)


@dataclass(frozen=True, slots=True)
class AgentFigures:
    """One agent's day in numbers (agents table, `wallboard report agents`, History)."""

    answered: int
    missed: int
    talk_s: float  # in QUEUE_CALL: talking and holding
    wrap_up_s: float
    ready_s: float
    not_ready_s: float
    aht_s: float | None
    occupancy_pct: float | None


def agent_figures(day: AgentDay, now: float) -> AgentFigures:
    """The figures of an agent's day as of `now` (its current state counts up to `now`)."""
    talk = day.seconds("QUEUE_CALL", now)
    wrap = day.seconds("WRAP_UP", now)
    ready = day.seconds("READY", now)
    return AgentFigures(
        answered=day.answered,
        missed=day.missed,
        talk_s=talk,
        wrap_up_s=wrap,
        ready_s=ready,
        not_ready_s=day.seconds("NOT_READY", now),
        aht_s=agent_aht(talk, wrap, day.answered),
        occupancy_pct=occupancy(talk, wrap, ready),
    )


__all__ = [
    "AgentFigures",
    "abandon_rate",
    "agent_aht",
    "agent_figures",
    "aht",
    "asa",
    "average_abandon_wait",
    "average_talk",
    "average_wrap",
    "occupancy",
    "service_level",
    "sl_denominator",
    "sl_numerator",
]
