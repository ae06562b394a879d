"""What every layer of the traffic shares: the world's things, one random stream, the sink.

All randomness comes from one `random.Random(seed)` and every future action sits
on one clock, so the happenings depend only on the seed, the roster, the rate
and the start epoch. The layers above (agents, registrations, trunks,
management, calls, queues) read and change this state and tell the sink
through `emit`; `Traffic` (sim/traffic.py) puts them together.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from wallboard.sim.accounts import Roster
from wallboard.sim.clock import Clock
from wallboard.sim.entities import Call, Ext, Queue, Trunk

Sink = Callable[[str, dict[str, Any]], None]

_CALLER_FIRST = ("Thomas", "Maria", "James", "Lena", "Omar", "Sofia", "Peter", "Aiko", "Carlos")
_CALLER_LAST = ("Young", "Schmidt", "Brown", "Moreau", "Haddad", "Rossi", "Novak", "Sato")
_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_SNOWFLAKE_EPOCH_MS = 1288834974657


class TrafficState(Clock):
    """The simulated PBX's things, its random stream and where its happenings go."""

    def __init__(
        self,
        roster: Roster,
        *,
        seed: int,
        rate: float | None,
        now: float,
        sink: Sink | None,
        id_offset: int,
    ) -> None:
        self.roster = roster
        # Ids of several tenants share one PBX's id space: each tenant's ids
        # differ in their low bits (0 for the first, so its ids stay as they were).
        self.id_offset = id_offset
        self.rng = random.Random(seed)
        n = len(roster.extensions)
        # Keeps roughly 80 % of agents busy at the default rate (see README).
        self.rate = 0.0125 * n if rate is None else rate
        self.sink = sink
        self.muted = True
        super().__init__(now)
        self._id_seq = 0
        self._mgmt_seq = 0
        # Extensions created by management events and not yet destroyed (the
        # REST API lists them next to the roster's users).
        self.created_exts: dict[str, str] = {}
        self.calls: dict[str, Call] = {}
        self.exts: dict[str, Ext] = {}
        self.ext_list: list[Ext] = []
        self.queues: dict[str, Queue] = {}
        self.queue_list: list[Queue] = []
        self.trunks: list[Trunk] = []

    def emit(self, kind: str, **data: Any) -> None:
        if not self.muted and self.sink is not None:
            self.sink(kind, data)

    # --- ids -----------------------------------------------------------------

    def new_id(self) -> str:
        """A snowflake-like long digit string that grows with the virtual clock."""
        self._id_seq += 1
        ms = int(self.now * 1000) - _SNOWFLAKE_EPOCH_MS
        return str((ms << 22) | ((self._id_seq + self.id_offset) & 0x3FFFFF))

    def _call_id(self) -> str:
        return "".join(self.rng.choice(_B64) for _ in range(22)) + ".."

    def _external_number(self) -> str:
        return "0" + str(self.rng.randrange(10**8, 10**10))

    def _caller_name(self, number: str) -> str:
        if self.rng.random() < 0.25:
            return number
        return f"{self.rng.choice(_CALLER_FIRST)} {self.rng.choice(_CALLER_LAST)}"

    # --- shared mechanics ----------------------------------------------------

    def _every(self, rate: float, fn: Callable[[], None]) -> None:
        """Run `fn` as a Poisson process of `rate` per second."""
        if rate <= 0:
            return

        def tick() -> None:
            fn()
            self.after(self.rng.expovariate(rate), tick)

        self.after(self.rng.expovariate(rate), tick)

    def _queue_changed(self, queue: Queue) -> None:
        """Agents, callers and calls all change queues: one queue_status per 0.5 s tells it."""
        if not queue.dirty:
            queue.dirty = True
            self.after(0.5, self._flush_queue, queue)

    def _flush_queue(self, queue: Queue) -> None:
        queue.dirty = False
        self.emit("queue_status", queue=queue)
