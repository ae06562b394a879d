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

- while the model changes, every `every` seconds: collect what is not frozen
  (cheap: only what was created since the last freeze), then freeze the
  survivors;
- a *sweep* (unfreeze, collect everything, freeze again) so that cycles
  which died after being frozen are not kept: every `sweep_every` seconds
  while busy, and once the model has been quiet for `quiet` seconds. Textual
  makes plenty of such cycles (render caches are linked lists): a 30 s storm
  left ~0.5 million objects, ~55 MB, for the sweep. A sweep costs what a full
  collection costs (~0.25 s at 5,000 agents), so it is rare while busy.
- when nothing changes nothing is frozen and nothing swept: idle stays idle.
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
        sweep_every: float = 30.0,
        quiet: float = 3.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.every = every
        self.sweep_every = sweep_every
        self.quiet = quiet
        self.clock = clock
        now = clock()
        self._last_freeze = now - every  # the first busy tick freezes the start-up heap
        self._last_sweep = now
        self._last_busy = now
        self._version = -1
        self._frozen = False  # frozen since the last sweep
        self.freezes = 0
        self.sweeps = 0

    def tick(self, version: int) -> None:
        """Call about once a second with the model's change counter."""
        now = self.clock()
        busy = version != self._version
        if busy:
            self._version = version
            self._last_busy = now
        if self._frozen and (
            now - self._last_sweep >= self.sweep_every or now - self._last_busy >= self.quiet
        ):
            gc.unfreeze()
            gc.collect()
            gc.freeze()
            self._last_sweep = self._last_freeze = now
            self._frozen = False
            self.sweeps += 1
        elif busy and now - self._last_freeze >= self.every:
            gc.collect()
            gc.freeze()
            self._last_freeze = now
            self._frozen = True
            self.freezes += 1

    def close(self) -> None:
        """Give the process its ordinary collector back (the app is going away)."""
        gc.unfreeze()
        self._frozen = False


__all__ = ["GcPolicy"]
