"""Deterministic PBX event streams for benchmarks, in three mixes.

- ``queues``: a v16 contact center (`traffic_v16.py`): every extension an
  agent of one to three queues; queue calls with callers enqueued, answered,
  abandoned, overflowed or booked for a callback; agents' states per queue,
  phones' call status, breaks, transfers and CDRs. Starts with the pictures a
  v16 PBX sends after a subscribe (the reconnect storm).
- ``calls``: a v12 PBX (`traffic_v12.py`) where about 80 % of the frames are
  call lifecycle events (`call_start` … `call_ended`, `target_*`, holds,
  reroutes) with `sip:` addresses; the rest are CDRs, registrations, small
  queues' pictures and member states. One in ten extensions is an agent.
- ``mixed``: both at once, as two tenants (half the agents and queues each),
  frames interleaved half and half.

Frames come on a virtual clock advancing `1 / rate` per frame, so a stream of
N frames spans N / rate seconds and needs no server: ingest and UI benchmarks
measure our code and not a simulator's. Same seed and sizes, same frames.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from wallboard.bench.tenant import Tenant
from wallboard.bench.traffic_v12 import CallsPbxV12
from wallboard.bench.traffic_v16 import ContactCenterV16

TENANT = "883611252155219968"
TENANT_V12 = "236047118140313600"
BASE_TIME = 1_760_000_000.0
MIXES = ("calls", "queues", "mixed")
# Share of the extensions of the `calls` PBX that are queue agents.
CALLS_AGENT_SHARE = 10

__all__ = ["BASE_TIME", "MIXES", "TENANT", "StreamGenerator", "write_recording"]


@dataclass
class StreamGenerator:
    """`frames()` yields (virtual time, frame text); same seed, same frames."""

    agents: int = 5000
    queues: int = 50
    seed: int = 1
    rate: float = 2000.0  # events per virtual second
    target_calls: int | None = None  # episodes (calls, breaks) in flight per tenant
    start: float = BASE_TIME
    mix: str = "queues"
    _rng: random.Random = field(init=False)
    _tenants: list[Tenant] = field(init=False)

    def __post_init__(self) -> None:
        if self.mix not in MIXES:
            raise ValueError(f"unknown mix {self.mix!r} (one of {', '.join(MIXES)})")
        self._rng = rng = random.Random(self.seed)
        if self.mix == "mixed":
            half_a, half_q = max(1, self.agents // 2), max(1, self.queues // 2)
            self._tenants = [
                self._v12(rng, max(1, self.agents - half_a), max(1, self.queues - half_q)),
                self._v16(rng, half_a, half_q),
            ]
        elif self.mix == "calls":
            self._tenants = [self._v12(rng, self.agents, self.queues)]
        else:
            self._tenants = [self._v16(rng, self.agents, self.queues)]

    def _v16(self, rng: random.Random, agents: int, queues: int) -> Tenant:
        # A little more work than agents: some callers wait, a few abandon,
        # overflow or book a callback, and SLAs get breached.
        target = self.target_calls or max(1, agents * 6 // 5)
        return ContactCenterV16(
            rng,
            tenant_id=TENANT,
            tenant_name="bench",
            domain="bench.local",
            extensions=agents,
            queues=queues,
            agents=agents,
            ext_base=1000,
            queue_base=8001,
            target=target,
        )

    def _v12(self, rng: random.Random, extensions: int, queues: int) -> Tenant:
        target = self.target_calls or max(1, extensions * 2 // 5)
        return CallsPbxV12(
            rng,
            tenant_id=TENANT_V12,
            tenant_name="admin",
            domain="sipiw.com",
            extensions=extensions,
            queues=queues,
            agents=max(1, extensions // CALLS_AGENT_SHARE),
            ext_base=100_000 if self.mix == "mixed" else 1000,
            queue_base=6001 if self.mix == "mixed" else 8001,
            target=target,
        )

    @property
    def dialect(self) -> str:
        """What a recording's header says (the v16 one when both are in the stream)."""
        return "v12" if self.mix == "calls" else "v16"

    def _set_clock(self, t: float) -> None:
        ts = str(int(t))
        for tenant in self._tenants:
            tenant.now = t
            tenant.ts = ts

    def pictures(self, t: float) -> Iterator[str]:
        """What the PBX(s) send right after a subscribe (v12 has no resync: its queues only)."""
        self._set_clock(t)
        for tenant in self._tenants:
            yield from tenant.pictures()

    def frames(self, count: int, *, with_pictures: bool = True) -> Iterator[tuple[float, str]]:
        t = self.start
        step = 1.0 / self.rate
        n = 0
        if with_pictures:
            for frame in self.pictures(t):
                if n >= count:
                    return
                yield t, frame
                n += 1
        tenants = self._tenants
        rng = self._rng
        two = len(tenants) == 2
        tenant = tenants[0]
        idle = 0
        while n < count:
            t_next = t + step
            if two:
                tenant = tenants[rng.random() < 0.5]
            tenant.now = t_next
            tenant.ts = str(int(t_next))
            frame = tenant.step()
            if frame is None:
                idle += 1
                if idle > 1_000_000:
                    raise RuntimeError("stream generator stalled")  # a bug, not bad input
                continue
            idle = 0
            t = t_next
            yield t, frame
            n += 1


def write_recording(path: str, frames: Iterator[tuple[float, str]], dialect: str = "v16") -> int:
    """Write frames in the recording format of CONTRACT.md; returns the count."""
    n = 0
    with open(path, "w", encoding="utf-8") as f:
        f.write(
            json.dumps(
                {
                    "wallboard_recording": 1,
                    "dialect": dialect,
                    "source": "bench://generated",
                    "started": BASE_TIME,
                }
            )
            + "\n"
        )
        for t, frame in frames:
            f.write(json.dumps({"t": round(t, 4), "frame": frame}) + "\n")
            n += 1
    return n
