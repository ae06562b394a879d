"""A virtual clock: one heap of future actions, run in time order.

Every action sits in one heap ordered by (virtual time, insertion number), so
actions due at the same instant run in the order they were scheduled and the
sequence never depends on how often or in what slices the clock is advanced
(real-time ticks, `advance_to()` in tests, or a merged clock over several
heaps).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from typing import Any


class Clock:
    """Virtual time and the actions scheduled on it."""

    def __init__(self, now: float) -> None:
        self.now = now
        self._heap: list[tuple[float, int, Callable[..., None], tuple[Any, ...]]] = []
        self._seq = 0

    def at(self, t: float, fn: Callable[..., None], *args: Any) -> None:
        self._seq += 1
        heapq.heappush(self._heap, (t, self._seq, fn, args))

    def after(self, dt: float, fn: Callable[..., None], *args: Any) -> None:
        self.at(self.now + dt, fn, *args)

    def advance_to(self, target: float, budget: int | None = None) -> int:
        """Run every action due up to `target`; returns how many ran.

        With a `budget`, stops early (the clock then lags behind `target`) so a
        real-time caller can yield to the event loop; order is unaffected.
        """
        done = 0
        heap = self._heap
        while heap and heap[0][0] <= target:
            if budget is not None and done >= budget:
                return done
            t, _, fn, args = heapq.heappop(heap)
            if t > self.now:
                self.now = t
            fn(*args)
            done += 1
        if target > self.now:
            self.now = target
        return done

    def next_due(self) -> tuple[float, int] | None:
        """(time, insertion number) of the next action, None when nothing is scheduled."""
        if not self._heap:
            return None
        head = self._heap[0]
        return head[0], head[1]

    def run_next(self) -> None:
        """Run the next action (the caller checked `next_due`): one step of a merged clock."""
        t, _, fn, args = heapq.heappop(self._heap)
        if t > self.now:
            self.now = t
        fn(*args)
