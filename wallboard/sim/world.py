"""Several tenants on one PBX, on one virtual clock.

Each tenant has its own roster, traffic generator (its own random stream) and
renderer, so the first tenant's event sequence is exactly what it was before
there were others. The clock merges the tenants' action heaps: the next action
is always the earliest one of any tenant (ties go to the lower tenant index,
then to insertion order), so the interleaved sequence a system admin sees
depends only on the seeds, never on how the clock is sliced.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from wallboard.sim.accounts import TENANTS, Dialect, Directory, Roster
from wallboard.sim.dialects import Renderer
from wallboard.sim.traffic import Traffic

# Each tenant's ids differ in these low bits (see TrafficState.new_id, sim/state.py).
_ID_SPACING = 1 << 20


@dataclass(eq=False)
class Tenant:
    """One simulated tenant: who is in it, what happens in it, how it is written."""

    index: int
    roster: Roster
    traffic: Traffic
    renderer: Renderer

    @property
    def tenant_id(self) -> str:
        return self.roster.tenant_id


def tenant_sizes(agents: int, queues: int, count: int) -> list[tuple[int, int]]:
    """(extensions, queues) per tenant: the first as asked, the others half that size."""
    if not 1 <= count <= len(TENANTS):
        raise ValueError(f"the simulator has 1 to {len(TENANTS)} tenants, not {count}")
    sizes = [(agents, queues)]
    for _ in range(1, count):
        sizes.append((max(2, agents // 2), max(1, queues // 2)))
    return sizes


def build_rosters(agents: int, queues: int, count: int, seed: int) -> Directory:
    rosters = []
    for k, (n, q) in enumerate(tenant_sizes(agents, queues, count)):
        rosters.append(Roster(n, q, tenant=TENANTS[k], seed=seed, queue_name_offset=3 * k))
    return Directory(rosters)


class World:
    """The tenants of one simulated PBX and their merged clock."""

    def __init__(
        self,
        dialect: Dialect,
        directory: Directory,
        *,
        seed: int,
        rate: float | None,
        start_epoch: float,
        warmup: float,
        sink: Callable[[Tenant, str, dict[str, Any]], None],
    ) -> None:
        self.tenants: list[Tenant] = []
        first = len(directory.primary.extensions)
        for k, roster in enumerate(directory.rosters):
            # An explicit rate is the first tenant's; the others scale with their size.
            k_rate = None if rate is None else rate * len(roster.extensions) / first
            traffic = Traffic(
                roster,
                seed=seed if k == 0 else seed + 1_000_003 * k,
                rate=k_rate,
                start_epoch=start_epoch,
                warmup=warmup,
                id_offset=k * _ID_SPACING,
            )
            tenant = Tenant(k, roster, traffic, Renderer(dialect, roster, traffic))
            traffic.sink = _bind(sink, tenant)
            self.tenants.append(tenant)
        self.by_id = {t.tenant_id: t for t in self.tenants}

    @property
    def primary(self) -> Tenant:
        return self.tenants[0]

    @property
    def now(self) -> float:
        return self.tenants[0].traffic.now

    def advance_to(self, target: float, budget: int | None = None) -> int:
        """Run every action of every tenant due up to `target`, earliest first.

        With a `budget`, stops after that many actions (the clock then lags
        behind `target`); the order is the same either way.
        """
        if len(self.tenants) == 1:
            return self.tenants[0].traffic.advance_to(target, budget)
        traffics = [t.traffic for t in self.tenants]
        done = 0
        while True:
            best: Traffic | None = None
            best_t = 0.0
            for tr in traffics:
                due = tr.next_due()
                if due is not None and due[0] <= target and (best is None or due[0] < best_t):
                    best, best_t = tr, due[0]
            if best is None:
                break
            if budget is not None and done >= budget:
                return done
            # Every tenant's clock reads the same "now" while any of them acts.
            for tr in traffics:
                if best_t > tr.now:
                    tr.now = best_t
            best.run_next()
            done += 1
        for tr in traffics:
            if target > tr.now:
                tr.now = target
        return done


def _bind(
    sink: Callable[[Tenant, str, dict[str, Any]], None], tenant: Tenant
) -> Callable[[str, dict[str, Any]], None]:
    def emit(kind: str, data: dict[str, Any]) -> None:
        sink(tenant, kind, data)

    return emit
