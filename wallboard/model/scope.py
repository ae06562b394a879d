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

from wallboard.model.changes import CALLS, COUNTS, EXTENSIONS, QUEUES, SOURCE
from wallboard.model.checkpoint import (
    VERSION,
    _build,
    _contacts,
    _num,
    _rebuild_agents,
    _str,
    _tally,
    json_default,
    queue_day_record,
    queue_live_record,
    restore,
)
from wallboard.model.entities import (
    Agent,
    AgentDay,
    Call,
    Extension,
    FinishedCall,
    Queue,
    SourceInfo,
    Waiter,
)
from wallboard.model.state import WallboardState

RESYNC = b"resync"  # ScopeTracker.patch(): the day changed, send a fresh checkpoint
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


# ---------------------------------------------------------------- patches
def _dump(obj: Any) -> bytes:
    return orjson.dumps(obj, default=json_default)


def _ek(tenant: str, number: str) -> str:
    return f"{tenant}\x1f{number}"


def _queue_record(q: Queue) -> dict[str, Any]:
    """A queue in a patch: its live part and its day without intervals (sent one by one)."""
    rec = queue_live_record(q)
    rec.update(queue_day_record(q, intervals=False, seen=False))
    return rec


class ScopeTracker:
    """What one scope's viewers were sent; `patch()` returns what changed since.

    `checkpoint()` starts (or restarts) the stream: it returns the scoped
    checkpoint and remembers every entity as sent. Each `patch()` sweeps the
    scope's entities, serializes each one, and sends those whose bytes
    differ, the keys that left the scope, new finished calls and changed
    scalars. Cost: proportional to the scope, not to the hub's model.
    """

    KINDS = ("queues", "intervals", "extensions", "agents", "calls")

    def __init__(self, state: WallboardState, scope: Scope) -> None:
        self.state = state
        self.scope = scope
        self.sent: dict[str, dict[str, bytes]] = {k: {} for k in self.KINDS}
        self.scalars: dict[str, bytes] = {}
        self.counting_since: float | None = None
        self.finished = dict.fromkeys(_FINISHED_OUTCOMES, 0)
        self._last_call: FinishedCall | None = None
        self._day_len = 0

    # ------------------------------------------------------------ sweeping
    def _current(self, p: Parts) -> dict[str, dict[str, bytes]]:
        st = self.state
        out: dict[str, dict[str, bytes]] = {k: {} for k in self.KINDS}
        queues, intervals = out["queues"], out["intervals"]
        for q in p.queues:
            queues[q.queue_id] = _dump(_queue_record(q))
            for start, tally in q.intervals.items():
                intervals[f"{q.queue_id}\x1f{start!r}"] = _dump([q.queue_id, start, tally])
        exts = out["extensions"]
        for ext in st.extensions.values():
            if ext.number in p.agents:
                exts[_ek(ext.tenant_id, ext.number)] = _dump(_extension(ext, p))
        days = out["agents"]
        for d in st.agent_days.values():
            if d.number in p.agents:
                days[_ek(d.tenant_id, d.number)] = _dump(d)
        calls = out["calls"]
        for c in st.calls.values():
            if p.has_call(c):
                calls[c.session_id] = _dump(c)
        return out

    def _scalar_values(self, p: Parts) -> dict[str, Any]:
        st = self.state
        return {
            "counters": _counters(st),
            "source": st.source,
            "skew": st.skew.as_dict(),
            "latest_event_time": st.latest_event_time,
            "dialect_seen": st.dialect_seen,
            "coverage": _coverage(st),
            "finished": self.finished,
            "names": _names(st, p),
        }

    def _new_finished(self) -> list[FinishedCall]:
        """Day calls recorded since the last look (the deque only grows within a day)."""
        calls = self.state.day_calls
        if not calls or calls[-1] is self._last_call:
            return []
        out: list[FinishedCall] = []
        for rec in reversed(calls):
            if rec is self._last_call:
                break
            out.append(rec)
        out.reverse()
        self._last_call = calls[-1]
        return out

    # ------------------------------------------------------------- public
    def checkpoint(self) -> dict[str, Any]:
        st = self.state
        data = scoped_checkpoint(st, self.scope)
        p = parts(st, self.scope)
        self.sent = self._current(p)
        self.counting_since = st.counting_since
        self.finished = dict(data["day"]["finished"])
        self._last_call = st.day_calls[-1] if st.day_calls else None
        self.scalars = {k: _dump(v) for k, v in self._scalar_values(p).items()}
        return data

    def patch(self) -> bytes | None:
        """The next patch message (JSON bytes), None when nothing changed, or RESYNC."""
        st = self.state
        if st.counting_since != self.counting_since:
            return RESYNC  # a new day (or a store loaded one): start over
        p = parts(st, self.scope)
        finished = [r for r in self._new_finished() if p.has_finished(r)]
        for rec in finished:
            if rec.outcome in self.finished:
                self.finished[rec.outcome] += 1
        current = self._current(p)
        sets: list[bytes] = []
        dels: list[bytes] = []
        for kind in self.KINDS:
            now, before = current[kind], self.sent[kind]
            changed = [b for k, b in now.items() if before.get(k) != b]
            gone = [k for k in before if k not in now]
            if changed:
                sets.append(b'"%s":[%s]' % (kind.encode(), b",".join(changed)))
            if gone:
                dels.append(b'"%s":%s' % (kind.encode(), orjson.dumps(gone)))
        self.sent = current
        scalars: list[bytes] = []
        for key, value in self._scalar_values(p).items():
            b = _dump(value)
            if self.scalars.get(key) != b:
                self.scalars[key] = b
                scalars.append(b'"%s":%s' % (key.encode(), b))
        if not (sets or dels or scalars or finished):
            return None
        out = [b'{"type":"patch","t":', orjson.dumps(st.now())]
        if sets:
            out += [b',"set":{', b",".join(sets), b"}"]
        if dels:
            out += [b',"del":{', b",".join(dels), b"}"]
        if finished:
            out += [b',"finished":', _dump(finished)]
        if scalars:
            out += [b',"scalars":{', b",".join(scalars), b"}"]
        out.append(b"}")
        return b"".join(out)


# --------------------------------------------------------- applying patches
def _load_queue(state: WallboardState, d: dict[str, Any]) -> str:
    qid = _str(d.get("queue_id"))
    if not qid:
        raise ValueError("queue without id")
    q = state.queues.get(qid)
    if q is None:
        q = state.queues[qid] = Queue(queue_id=qid, number=_str(d.get("number")))
    else:
        state._unindex_number(q.tenant_id, q.number, qid)
    q.number = _str(d.get("number"))
    q.name = _str(d.get("name"))
    q.tenant_id = _str(d.get("tenant_id"))
    if q.number:
        state._index_number(q)
    q.sla_threshold = _num(d.get("sla_threshold"))
    q.stats = _tally(d.get("stats"))
    q.waiting = {}
    q.callbacks_waiting = 0
    for w in d.get("waiting") or ():
        waiter = _build(Waiter, w)
        q.waiting[waiter.session_id] = waiter
        if waiter.type == "callback":
            q.callbacks_waiting += 1
    q.agents = {}
    for a in d.get("agents") or ():
        agent = _build(Agent, a)
        q.agents[agent.extension] = agent
    q.trend.clear()
    for m in d.get("trend") or ():
        if type(m) is list and len(m) == 2 and _num(m[0]) is not None:
            q.trend.append((float(m[0]), m[1] if type(m[1]) is int else 0))
    q.stale = d.get("stale") is True
    q.updated = _num(d.get("updated"))
    return qid


def _split(key: Any) -> tuple[str, str]:
    if type(key) is not str:
        raise TypeError("key is not a string")
    a, sep, b = key.partition("\x1f")
    if not sep:
        raise ValueError("bad key")
    return a, b


def apply_patch(state: WallboardState, patch: dict[str, Any]) -> int:
    """A scoped viewer's model takes one patch; returns the number of entries it skipped.

    Marks what changed the way frames would (keyed dirty sets and flags), so
    the screen refreshes by keyed diff, not by rebuilding every table.
    """
    skipped = 0
    flags = 0

    def each(items: Any, fn: Any) -> None:
        nonlocal skipped
        for item in items if type(items) is list else ():
            try:
                fn(item)
            except (TypeError, ValueError, KeyError, AttributeError, IndexError):
                skipped += 1

    sets = patch.get("set") if type(patch.get("set")) is dict else {}
    dels = patch.get("del") if type(patch.get("del")) is dict else {}
    members_changed = False

    def queue(d: Any) -> None:
        nonlocal members_changed
        if type(d) is not dict:
            raise TypeError("not an object")
        qid = _load_queue(state, d)
        state.dirty_queues.add(qid)
        members_changed = True

    def interval(item: Any) -> None:
        qid, start, tally = item
        q = state.queues.get(qid)
        if q is None or _num(start) is None:
            raise ValueError("interval of an unknown queue")
        q.intervals[float(start)] = _tally(tally)
        state.dirty_queues.add(qid)

    def extension(d: Any) -> None:
        ext = _build(Extension, d, {"contacts": _contacts, "agent_states": dict})
        key = (ext.tenant_id, ext.number)
        old = state.extensions.get(key)
        state.extensions[key] = ext
        have = state._ext_by_number.get(ext.number)
        if have is None or have is old:
            state._ext_by_number[ext.number] = ext
        state.dirty_extensions.add(key)

    def agent(d: Any) -> None:
        nonlocal members_changed
        day = _build(AgentDay, d, {"state_s": lambda v: {str(k): float(x) for k, x in v.items()}})
        key = (day.tenant_id, day.number)
        state.agent_days[key] = day
        if key in state.extensions:
            state.dirty_extensions.add(key)
        members_changed = True

    def call(d: Any) -> None:
        c = _build(Call, d, {"targets": lambda v: {x for x in v if type(x) is str}})
        state.calls[c.session_id] = c
        state.dirty_calls.add(c.session_id)

    each(sets.get("queues"), queue)
    each(sets.get("intervals"), interval)
    each(sets.get("extensions"), extension)
    each(sets.get("agents"), agent)
    each(sets.get("calls"), call)
    if sets.get("queues") or sets.get("intervals") or sets.get("agents"):
        flags |= QUEUES
    if sets.get("extensions") or sets.get("agents"):
        flags |= EXTENSIONS
    if sets.get("calls"):
        flags |= CALLS

    def del_queue(qid: Any) -> None:
        nonlocal members_changed
        q = state.queues.pop(qid, None)
        if q is not None:
            state._unindex_number(q.tenant_id, q.number, qid)
        state.dirty_queues.add(qid)
        members_changed = True

    def del_interval(key: Any) -> None:
        qid, start = _split(key)
        q = state.queues.get(qid)
        if q is not None:
            q.intervals.pop(float(start), None)
            state.dirty_queues.add(qid)

    def del_extension(key: Any) -> None:
        k = _split(key)
        ext = state.extensions.pop(k, None)
        if ext is not None and state._ext_by_number.get(ext.number) is ext:
            del state._ext_by_number[ext.number]
        state.dirty_extensions.add(k)

    def del_agent(key: Any) -> None:
        nonlocal members_changed
        state.agent_days.pop(_split(key), None)
        members_changed = True

    def del_call(sid: Any) -> None:
        if type(sid) is str and state.calls.pop(sid, None) is not None:
            state.dirty_calls.add(sid)

    each(dels.get("queues"), del_queue)
    each(dels.get("intervals"), del_interval)
    each(dels.get("extensions"), del_extension)
    each(dels.get("agents"), del_agent)
    each(dels.get("calls"), del_call)
    if dels.get("queues") or dels.get("intervals") or dels.get("agents"):
        flags |= QUEUES
    if dels.get("extensions") or dels.get("agents"):
        flags |= EXTENSIONS
    if dels.get("calls"):
        flags |= CALLS

    def finished(d: Any) -> None:
        rec = _build(FinishedCall, d)
        state.day_calls.append(rec)
        state.recent.append(rec)

    each(patch.get("finished"), finished)
    if patch.get("finished"):
        flags |= CALLS

    scalars = patch.get("scalars") if type(patch.get("scalars")) is dict else {}
    skipped += _apply_scalars(state, scalars)
    if "source" in scalars:
        flags |= SOURCE
    if scalars:
        flags |= COUNTS
    if "names" in scalars:
        flags |= EXTENSIONS | QUEUES | CALLS
    if members_changed:
        _rebuild_agents(state)
    state.touch(flags)
    return skipped


def _apply_scalars(state: WallboardState, s: dict[str, Any]) -> int:
    skipped = 0
    counters = s.get("counters")
    if type(counters) is dict:
        for k in ("frames", "events", "replies", "unknown", "invalid", "limits_dropped"):
            if type(counters.get(k)) is int:
                setattr(state, k, counters[k])
    if "source" in s:
        try:
            src = _build(SourceInfo, s["source"])
            for f in dataclasses.fields(SourceInfo):
                setattr(state.source, f.name, getattr(src, f.name))
        except (TypeError, ValueError):
            skipped += 1
    if "skew" in s:
        state.skew.load(s["skew"])
    if "latest_event_time" in s:
        state.latest_event_time = _num(s["latest_event_time"])
    if "dialect_seen" in s:
        seen = s["dialect_seen"]
        state.dialect_seen = seen if seen in ("v12", "v16", "v22") else None
    cov = s.get("coverage")
    if type(cov) is dict:
        periods = cov.get("periods")
        if type(periods) is list:
            state.coverage.periods = [
                [float(a), float(b)]
                for a, b in (p for p in periods if type(p) is list and len(p) == 2)
                if _num(a) is not None and _num(b) is not None
            ]
        state.coverage.watching = cov.get("watching") is True
        state.coverage.pending = cov.get("pending") is True
    fin = s.get("finished")
    if type(fin) is dict:
        for k in state.finished:
            v = fin.get(k)
            if type(v) is int and v >= 0:
                state.finished[k] = v
    names = s.get("names")
    if type(names) is dict:
        state.names.load(names)
    return skipped


__all__ = [
    "RESYNC",
    "Parts",
    "Scope",
    "ScopeTracker",
    "apply_patch",
    "parts",
    "scoped_checkpoint",
    "scoped_model",
]
