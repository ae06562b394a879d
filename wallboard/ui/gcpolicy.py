"""Keep Python's full garbage collections out of a busy board's way.

A board of 5,000 agents holds a few million objects that live for hours (the
model, the rows of three 5,000-row tables, Textual's render caches). CPython's
automatic full (generation 2) collection walks all of them: ~125 ms each, and
a 2,000 events/s storm triggered 14 in 10 s (1.8 s of a 10 s run, and the
worst of the arrival-to-screen latencies). `gc.freeze()` moves everything
alive into a permanent generation that collections skip; reference counting
still frees those objects as usual, only *cyclic* garbage among them would
wait for the next sweep.

The policy, driven once a second by the app's refresh timer:

- every `every` seconds: collect what is not frozen (cheap: only what was
  created since the last freeze), then freeze the survivors;
- every `sweep_every` seconds, at a quiet moment (no model change for
  `quiet` seconds): unfreeze, collect everything, freeze again, so cycles
  that were frozen are not kept forever.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable


class GcPolicy:
    """Periodic collect-then-freeze, and a full sweep when quiet."""

    def __init__(
        self,
        *,
        every: float = 1.0,
        sweep_every: float = 300.0,
        quiet: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.every = every
        self.sweep_every = sweep_every
        self.quiet = quiet
        self.clock = clock
        now = clock()
        self._last_freeze = now - every  # the first tick freezes the start-up heap
        self._last_sweep = now
        self._last_busy = now
        self._version = -1
        self.freezes = 0
        self.sweeps = 0

    def tick(self, version: int) -> None:
        """Call about once a second with the model's change counter."""
        now = self.clock()
        if version != self._version:
            self._version = version
            self._last_busy = now
        if now - self._last_sweep >= self.sweep_every and now - self._last_busy >= self.quiet:
            gc.unfreeze()
            gc.collect()
            gc.freeze()
            self._last_sweep = self._last_freeze = now
            self.sweeps += 1
        elif now - self._last_freeze >= self.every:
            gc.collect()
            gc.freeze()
            self._last_freeze = now
            self.freezes += 1


__all__ = ["GcPolicy"]
