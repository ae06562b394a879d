"""Running accumulators of one queue over one period (the day, or one interval).

Every queue KPI on the wall, in the state document, in `/metrics` and in
`wallboard report` is a formula over these fields (see `kpi.py`), so there is
one place where a number is counted and one where it is computed. They are
plain sums, updated as each outcome is applied: cheap per event, exact to
persist (the store writes them as they are) and exact to add up (a day is
the sum of its intervals; a total row is the sum of its queues).

A wait is judged against the queue's target *at the moment the caller left
the queue*; later changes of the target do not re-judge earlier callers.
"""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(slots=True)
class Tally:
    offered: int = 0
    answered: int = 0
    # Answered callers whose enqueue was never seen (the wallboard joined while
    # they waited): counted as answered, left out of service level and ASA.
    answered_unknown_wait: int = 0
    answered_within: int = 0  # answered with a known wait <= the target
    abandoned: int = 0
    abandoned_known_wait: int = 0
    abandoned_within: int = 0  # hung up with a known wait <= the target
    short_abandoned: int = 0  # hung up within short_abandon_seconds
    overflowed: int = 0
    callbacks: int = 0
    other: int = 0  # left the queue for a reason the wallboard does not know
    sla_breaches: int = 0
    answer_wait_sum: float = 0.0  # over answered callers with a known wait
    abandon_wait_sum: float = 0.0  # over abandoned callers with a known wait
    max_wait: float = 0.0  # longest known wait of a caller who left (answered or not)
    handled: int = 0  # queue calls whose talk ended (an agent left QUEUE_CALL)
    talk_sum: float = 0.0  # agents' time in QUEUE_CALL (talk and hold)
    wrap_sum: float = 0.0  # agents' time in WRAP_UP after a queue call
    peak_waiting: int = 0  # most callers waiting at once

    # ---------------------------------------------------------- outcomes
    def answer(self, wait: float | None, target: float) -> None:
        self.answered += 1
        if wait is None:
            self.answered_unknown_wait += 1
            return
        self.answer_wait_sum += wait
        if wait <= target:
            self.answered_within += 1
        if wait > self.max_wait:
            self.max_wait = wait

    def abandon(self, wait: float | None, target: float, short: float) -> None:
        self.abandoned += 1
        if wait is None:
            return
        self.abandoned_known_wait += 1
        self.abandon_wait_sum += wait
        if wait <= target:
            self.abandoned_within += 1
        if wait <= short:
            self.short_abandoned += 1
        if wait > self.max_wait:
            self.max_wait = wait

    def waited(self, wait: float | None) -> None:
        """Overflow, callback or other: the wait ended without an answer or a hang-up."""
        if wait is not None and wait > self.max_wait:
            self.max_wait = wait

    # --------------------------------------------------------- arithmetic
    def add(self, other: Tally) -> None:
        """Sum `other` into this one (totals rows, a day from its intervals)."""
        for name in _SUMMED:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in _MAXED:
            setattr(self, name, max(getattr(self, name), getattr(other, name)))

    def as_dict(self) -> dict[str, int | float]:
        return {name: getattr(self, name) for name in FIELDS}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Tally:
        """Rebuild from `as_dict()` output; unknown keys are ignored, bad values are 0."""
        t = cls()
        for name in FIELDS:
            value = data.get(name)
            if type(value) in (int, float) and value == value and value >= 0:  # type: ignore[operator]
                setattr(t, name, type(getattr(t, name))(value))
        return t

    @property
    def answered_known_wait(self) -> int:
        return self.answered - self.answered_unknown_wait

    @property
    def ended_waits(self) -> int:
        """Callers whose wait has ended with a known outcome, unknown waits left out."""
        return (
            self.answered_known_wait
            + self.abandoned
            + self.overflowed
            + self.callbacks
            + self.other
        )


FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Tally))
_MAXED = ("max_wait", "peak_waiting")
_SUMMED = tuple(n for n in FIELDS if n not in _MAXED)

__all__ = ["FIELDS", "Tally"]
