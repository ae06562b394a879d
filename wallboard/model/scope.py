"""A token's scope: some queues, their agents and the calls of those agents, nothing else.

A hub serves a team lead's screen a token made with `--queues 8001,8002`.
What that screen may know is decided here, at the hub, never by the viewer:

- **queues** whose number (or id) is in the scope, with today's tallies,
  intervals, waiting callers and agents;
- **agents**: the extensions that are agents of those queues, their
  extension state (with per-queue agent states of in-scope queues only) and
  their day (answered, missed, time in state: the person's, across queues);
- **calls** that involve one of those agents or queues (a party, the
  answering agent, a ring target, a caller waiting in one of the queues);
- **finished calls** of today that visited one of the queues or were
  handled by / rang one of the agents; `finished` counts are theirs;
- names of those agents; no trunks, no command errors, no event log.

Why not filter the PBX's frames: whether a v12 caller who left a queue was
answered, abandoned or moved depends on other queues' pictures and other
agents' calls, and an agent's "most telling state" spans all their queues.
A viewer replaying only some frames would count differently from the hub.
So a scoped viewer gets the hub's own model restricted: a scoped
checkpoint (the checkpoint format, loaded by `restore`), then patches
(`ScopeTracker.patch()`): the restricted entities that changed since the
last patch, compared as serialized bytes, and the keys that left the scope.
Its state equals the hub's state restricted to the scope by construction,
and `/state` and `/metrics` for that token read the same restriction
(`scoped_model`).

Pure: no I/O, no Textual, no websockets.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import orjson

from wallboard.model.checkpoint import (
    VERSION,
    json_default,
    queue_day_record,
    queue_live_record,
    restore,
)
from wallboard.model.entities import (
    Call,
    Extension,
    FinishedCall,
    Queue,
)
from wallboard.model.state import WallboardState

_FINISHED_OUTCOMES = ("ended", "noanswer", "failed")


@dataclass(frozen=True, slots=True)
class Scope:
    """Queue numbers (or ids) a token may see."""

    queues: frozenset[str]

    @classmethod
    def of(cls, numbers: Iterable[str]) -> Scope:
        return cls(frozenset(str(n) for n in numbers))

    @property
    def key(self) -> str:
        return ",".join(sorted(self.queues))

    def has_queue(self, q: Queue) -> bool:
        return q.number in self.queues or q.queue_id in self.queues


@dataclass(slots=True)
class Parts:
    """What of a model is in a scope right now."""

    queues: list[Queue]
    queue_keys: set[str]  # numbers and ids of the in-scope queues, and the scope's own
    agents: set[str]  # extension numbers of their agents
    waiting: set[str]  # session ids waiting in them

    def has_call(self, c: Call) -> bool:
        if c.session_id in self.waiting:
            return True
        marks = self.agents
        keys = self.queue_keys
        for p in (c.caller, c.callee, c.answered_by, c.queue):
            if p and (p in marks or p in keys):
                return True
        return any(t in marks or t in keys for t in c.targets)

    def has_finished(self, rec: FinishedCall) -> bool:
        keys = self.queue_keys
        marks = self.agents
        if rec.queue and rec.queue in keys:
            return True
        return any(p and (p in marks or p in keys) for p in (rec.agent, rec.caller, rec.callee))


def parts(state: WallboardState, scope: Scope) -> Parts:
    queues = [q for q in state.queues.values() if scope.has_queue(q)]
    keys = set(scope.queues)
    agents: set[str] = set()
    waiting: set[str] = set()
    for q in queues:
        keys.add(q.queue_id)
        if q.number:
            keys.add(q.number)
        agents.update(q.agents)
        waiting.update(q.waiting)
    return Parts(queues, keys, agents, waiting)


def _extension(ext: Extension, p: Parts) -> Extension:
    """The extension with per-queue agent states of in-scope queues only."""
    states = ext.agent_states
    if all(k in p.queue_keys for k in states):
        return ext
    return dataclasses.replace(
        ext, agent_states={k: v for k, v in states.items() if k in p.queue_keys}
    )


def _names(state: WallboardState, p: Parts) -> dict[str, Any]:
    """The names of in-scope agents only, resolved the way the hub resolves them."""
    pbx: dict[str, dict[str, str]] = {}
    tenants: dict[str, str] = {}
    for ext in state.extensions.values():
        if ext.number in p.agents:
            name = state.names.name(ext.tenant_id, ext.number)
            if name is not None:
                pbx.setdefault(ext.tenant_id, {})[ext.number] = name
    for q in p.queues:
        for number in q.agents:
            name = state.names.name(q.tenant_id, number)
            if name is not None:
                pbx.setdefault(q.tenant_id, {})[number] = name
        tname = state.names.tenant_name(q.tenant_id)
        if tname is not None:
            tenants[q.tenant_id] = tname
    return {"overrides": {}, "pbx": pbx, "tenants": tenants}


def _finished_counts(recs: Iterable[FinishedCall]) -> dict[str, int]:
    out = dict.fromkeys(_FINISHED_OUTCOMES, 0)
    for rec in recs:
        if rec.outcome in out:
            out[rec.outcome] += 1
    return out


def _coverage(state: WallboardState) -> dict[str, Any]:
    cov = state.coverage
    return {"periods": cov.periods, "watching": cov.watching, "pending": cov.pending}


def scoped_checkpoint(state: WallboardState, scope: Scope) -> dict[str, Any]:
    """The checkpoint of `state` restricted to `scope` (the checkpoint format: `restore` loads it)."""
    p = parts(state, scope)
    days = [d for d in state.agent_days.values() if d.number in p.agents]
    day_calls = [r for r in state.day_calls if p.has_finished(r)]
    day = {
        "day": state.day,
        "counting_since": state.counting_since,
        "finished": _finished_counts(day_calls),
        "reroutes": 0,
        "queues": [queue_day_record(q, seen=False) for q in p.queues],
        "agents": days,
        "coverage": state.coverage.periods,
        "calls": day_calls,
        "finished_ids": [],
        "trunk_flaps": {},
        "visits": [],
    }
    live = {
        "clock": state.now(),
        "latest_event_time": state.latest_event_time,
        "skew": state.skew.offset,
        "skew_samples": state.skew.as_dict(),
        "marks": {
            "minute": state._minute,
            "interval": [state._interval_start, state._interval_end],
            "watching": state.coverage.watching,
            "pending": state.coverage.pending,
        },
        "source": state.source,
        "counters": _counters(state),
        "dialect_seen": state.dialect_seen,
        "extensions": [_extension(e, p) for e in state.extensions.values() if e.number in p.agents],
        "calls": [c for c in state.calls.values() if p.has_call(c)],
        "queues": [queue_live_record(q) for q in p.queues],
        "trunks": [],
        "recent": [r for r in state.recent if p.has_finished(r)],
        "errors": [],
        "names": _names(state, p),
    }
    return {"checkpoint": VERSION, "scope": sorted(scope.queues), "day": day, "live": live}


def _counters(state: WallboardState) -> dict[str, int]:
    return {
        "frames": state.frames,
        "events": state.events,
        "replies": state.replies,
        "unknown": state.unknown,
        "invalid": state.invalid,
        "limits_dropped": state.limits_dropped,
    }


def scoped_model(state: WallboardState, scope: Scope) -> WallboardState:
    """A model holding only what `scope` may see, on the hub's clock, targets and calendar.

    `/state` and `/metrics` of a scoped token read this: the same restriction
    its feed carries, so the three cannot disagree.
    """
    data = orjson.loads(orjson.dumps(scoped_checkpoint(state, scope), default=json_default))
    clock = state.clock_fn
    fresh = WallboardState(clock, targets=state.targets, calendar=state.calendar)
    if clock is None:
        t = state.now()
        fresh.clock_fn = lambda: t
    restore(fresh, data)
    return fresh


__all__ = [
    "Parts",
    "Scope",
    "parts",
    "scoped_checkpoint",
    "scoped_model",
]
