"""The numbers a wall shows, per queue and for a set of queues, read off the model.

One function per view, so the tiles, the queue table's rows and totals, the
wall pages, the state document and `/metrics` all read the same figures:
the screen cannot disagree with the document because both call these.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from wallboard.model import kpi
from wallboard.model.entities import BUSY_STATES, Queue
from wallboard.model.state import WallboardState
from wallboard.model.tally import Tally


@dataclass(slots=True)
class QueueView:
    """One queue now: live figures plus today's tally and the KPIs over it."""

    queue: Queue
    waiting: int  # actively waiting (booked callbacks not counted)
    callbacks_waiting: int
    longest_wait: float  # seconds, on the PBX's clock; 0 when nobody waits
    agents: Counter[str]  # agent state in this queue -> how many
    tally: Tally
    target: float  # the answer target (seconds)
    definition: str  # the service-level definition
    service_level: float | None
    asa: float | None
    abandon_rate: float | None
    aht: float | None


@dataclass(slots=True)
class Overview:
    """A set of queues (all, a tenant's, a token's scope) summed: tiles and totals rows."""

    queues: int = 0
    waiting: int = 0
    longest_wait: float = 0.0
    tally: Tally = field(default_factory=Tally)
    definition: str = ""
    service_level: float | None = None
    asa: float | None = None
    abandon_rate: float | None = None
    aht: float | None = None
    agents: Counter[str] = field(default_factory=Counter)  # per-queue states, summed
    ready: int = 0  # people (each agent once, in their most telling state)
    busy: int = 0  # on a call or in wrap-up
    not_ready: int = 0
    on_call: int = 0  # of `busy`: on a queue call or another call
    wrap_up: int = 0  # of `busy`: in wrap-up


def queue_view(state: WallboardState, q: Queue, now: float | None = None) -> QueueView:
    now = state.pbx_now() if now is None else now
    tally = q.stats
    definition = state.sl_definition(q)
    return QueueView(
        queue=q,
        waiting=state.waiting_now(q),
        callbacks_waiting=q.callbacks_waiting,
        longest_wait=max(0.0, state.longest_wait(q, now)),
        agents=Counter(a.state for a in q.agents.values()),
        tally=tally,
        target=state.sla_threshold(q),
        definition=definition,
        service_level=kpi.service_level(tally, definition),
        asa=kpi.asa(tally),
        abandon_rate=kpi.abandon_rate(tally),
        aht=kpi.aht(tally),
    )


def overview(
    state: WallboardState, queues: Iterable[Queue] | None = None, now: float | None = None
) -> Overview:
    """Sums over `queues` (default: every queue); KPIs from the summed tally.

    The agent counts (ready / busy / not ready) count people once each; with
    a subset of queues, the people who are agents of at least one of them.
    """
    now = state.pbx_now() if now is None else now
    selected = list(state.queues.values()) if queues is None else list(queues)
    out = Overview(queues=len(selected), definition=state.targets.sl_definition)
    for q in selected:
        out.tally.add(q.stats)
        out.waiting += state.waiting_now(q)
        longest = state.longest_wait(q, now)
        if longest > out.longest_wait:
            out.longest_wait = longest
        for a in q.agents.values():
            out.agents[a.state] += 1
    t = out.tally
    out.service_level = kpi.service_level(t, out.definition)
    out.asa = kpi.asa(t)
    out.abandon_rate = kpi.abandon_rate(t)
    out.aht = kpi.aht(t)
    if queues is None:
        out.ready, out.busy, out.not_ready = state.agent_totals()
        counts = state.agent_counts
        out.wrap_up = counts.get("WRAP_UP", 0)
        out.on_call = out.busy - out.wrap_up
    else:
        qids = {q.queue_id for q in selected}
        people: Counter[str] = Counter()
        for (tenant, number), member_of in state.members.items():
            if member_of & qids:
                people[state.agent_best(tenant, number)[0]] += 1
        out.ready = people.get("READY", 0)
        out.busy = sum(people.get(s, 0) for s in BUSY_STATES)
        out.not_ready = people.get("NOT_READY", 0)
        out.wrap_up = people.get("WRAP_UP", 0)
        out.on_call = out.busy - out.wrap_up
    return out


__all__ = ["Overview", "QueueView", "overview", "queue_view"]
