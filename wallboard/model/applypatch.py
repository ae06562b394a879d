"""A scoped viewer's side of the feed: its model takes the hub's patches.

Apart from the hub's side (`scopetracker.py` makes the patches): a viewer
never tracks a scope, and the hub never applies a patch.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from wallboard.model.changes import CALLS, COUNTS, EXTENSIONS, QUEUES, SOURCE
from wallboard.model.checkpoint import _build, _contacts, _num, _rebuild_agents, _str, _tally
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


__all__ = ["apply_patch"]
