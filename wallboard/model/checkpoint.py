"""A checkpoint of the model: what a fresh model needs to continue where another left off.

One idea serves three features (DESIGN.md): the store restores today's part
at start-up (the day survives a restart), the hub sends the whole of it to
each new viewer before the frames (a viewer's state equals the hub's), and
tests check that checkpoint + the frames after it = all the frames.

Two parts:
- **day**: today's tallies per queue and interval, who was already offered,
  agents' days, finished-call counts, the day's calls and its coverage;
- **live**: what is happening now (extensions, calls, waiting callers,
  agents, trunks, counters, names, the connection), which the PBX would
  otherwise re-send (v16+) or never re-send (v12).

The values are plain JSON types and the model's slotted dataclasses (orjson
encodes those natively and fast; sets go through `json_default`). Loading is
defensive: a checkpoint comes from a file or the network, and a bad entry is
skipped and counted (`Restored.skipped`), never fatal.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass, fields
from typing import Any

from wallboard.model.calendar import usable_time
from wallboard.model.changes import EVERYTHING
from wallboard.model.daylog import Visit
from wallboard.model.entities import (
    Agent,
    AgentDay,
    Call,
    Extension,
    FinishedCall,
    Queue,
    SourceInfo,
    Trunk,
    Waiter,
)
from wallboard.model.state import WallboardState
from wallboard.model.tally import Tally
from wallboard.protocol.events import Contact, Reply

VERSION = 1


def json_default(obj: Any) -> Any:
    """orjson's fallback: sets (call targets, offered sessions) as sorted lists."""
    if isinstance(obj, (set, frozenset)):
        return sorted(obj)
    raise TypeError(f"cannot encode {type(obj).__name__}")


@dataclass(slots=True)
class Restored:
    queues: int = 0
    agents: int = 0
    calls: int = 0
    skipped: int = 0  # entries that could not be read


# ---------------------------------------------------------------- writing
def queue_day_record(q: Queue, *, intervals: bool = True, seen: bool = True) -> dict[str, Any]:
    """One queue's day: its tallies (and what a model needs to go on counting)."""
    out: dict[str, Any] = {
        "queue_id": q.queue_id,
        "number": q.number,
        "name": q.name,
        "tenant_id": q.tenant_id,
        "sla_threshold": q.sla_threshold,
        "stats": q.stats,
        "trend": list(q.trend),
    }
    if intervals:
        out["intervals"] = [[start, t] for start, t in q.intervals.items()]
    if seen:
        out["seen"] = q.seen
    return out


def queue_live_record(q: Queue) -> dict[str, Any]:
    """One queue now: who waits, its agents' states."""
    return {
        "queue_id": q.queue_id,
        "number": q.number,
        "name": q.name,
        "tenant_id": q.tenant_id,
        "waiting": list(q.waiting.values()),
        "agents": list(q.agents.values()),
        "stale": q.stale,
        "updated": q.updated,
    }


def day_part(state: WallboardState) -> dict[str, Any]:
    """Today's accumulators: what must survive a restart."""
    return {
        "day": state.day,
        "counting_since": state.counting_since,
        "finished": dict(state.finished),
        "reroutes": state.reroutes,
        "queues": [queue_day_record(q) for q in state.queues.values()],
        "agents": list(state.agent_days.values()),
        "coverage": state.coverage.periods,
        "calls": list(state.day_calls),
        "finished_ids": list(state._finished_ids),
        # Flaps of trunks the PBX has not named again yet (restored by a store) too.
        "trunk_flaps": {
            **state.trunk_flaps_restored,
            **{name: tr.flaps for name, tr in state.trunks.items()},
        },
        "visits": [[sid, v] for sid, v in state._visits.items()],
    }


def live_part(state: WallboardState) -> dict[str, Any]:
    """Everything happening now, for a viewer that starts from this checkpoint."""
    return {
        "clock": state.now(),
        "latest_event_time": state.latest_event_time,
        "skew": state.skew.offset,
        "skew_samples": state.skew.as_dict(),
        # Where the model's own clock marks stand, so the next frame or tick
        # lands in the same minute, interval and coverage period as on the hub.
        "marks": {
            "minute": state._minute,
            "interval": [state._interval_start, state._interval_end],
            "watching": state.coverage.watching,
            "pending": state.coverage.pending,
        },
        "source": state.source,
        "counters": {
            "frames": state.frames,
            "events": state.events,
            "replies": state.replies,
            "unknown": state.unknown,
            "invalid": state.invalid,
            "limits_dropped": state.limits_dropped,
        },
        "dialect_seen": state.dialect_seen,
        "extensions": list(state.extensions.values()),
        "calls": list(state.calls.values()),
        "queues": [queue_live_record(q) for q in state.queues.values()],
        "trunks": list(state.trunks.values()),
        "recent": list(state.recent),
        "errors": list(state.errors),
        "names": state.names.as_dict(),
    }


def checkpoint(state: WallboardState, *, live: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {"checkpoint": VERSION, "day": day_part(state)}
    if live:
        out["live"] = live_part(state)
    return out


# ---------------------------------------------------------------- reading
def _num(v: Any) -> float | None:
    return float(v) if type(v) in (int, float) and v == v else None


def _str(v: Any) -> str:
    return v if type(v) is str else ""


def _build(cls: type, data: Any, nested: dict[str, Any] | None = None) -> Any:
    """A dataclass from a dict of its fields; TypeError/ValueError when it does not fit."""
    if type(data) is not dict:
        raise TypeError(f"{cls.__name__}: not an object")
    names = {f.name for f in fields(cls)}
    kw = {k: v for k, v in data.items() if k in names}
    for key, conv in (nested or {}).items():
        if key in kw:
            kw[key] = conv(kw[key])
    obj = cls(**kw)
    for f in fields(cls):  # shallow type check: strings stay strings, numbers numbers
        value = getattr(obj, f.name)
        want = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", "")
        if want == "str" and type(value) is not str:
            raise TypeError(f"{cls.__name__}.{f.name}: not a string")
        if want == "float" and type(value) not in (int, float):
            raise TypeError(f"{cls.__name__}.{f.name}: not a number")
    return obj


def _tally(data: Any) -> Tally:
    return Tally.from_dict(data) if type(data) is dict else Tally()


def _contacts(data: Any) -> dict[str, Contact]:
    out: dict[str, Contact] = {}
    for key, c in (data or {}).items():
        out[str(key)] = _build(Contact, c)
    return out


class _Loader:
    def __init__(self, state: WallboardState) -> None:
        self.state = state
        self.result = Restored()

    def each(self, items: Any, fn: Any) -> None:
        for item in items if type(items) is list else ():
            try:
                fn(item)
            except (TypeError, ValueError, KeyError, AttributeError):
                self.result.skipped += 1


def restore_day(
    state: WallboardState,
    data: Any,
    result: Restored | None = None,
    *,
    live: bool = False,
    recent: bool | None = None,
) -> Restored:
    """Today's accumulators into `state` (after a restart, before the PBX speaks).

    Without `live`, agents come back without a current state: the PBX tells
    it again, and the time the wallboard was not watching is not counted in
    any state. With `live` (a hub's checkpoint) they keep the hub's, and the
    recent-calls list comes from the live part (`recent`: append the day's
    calls to it anyway).
    """
    add_recent = not live if recent is None else recent
    ld = _Loader(state)
    if result is not None:
        ld.result = result
    if type(data) is not dict:
        ld.result.skipped += 1
        return ld.result
    since = _num(data.get("counting_since"))
    if since is not None and usable_time(since):
        state.counting_since = since
        state._next_reset = state.calendar.next_midnight(since)
    finished = data.get("finished")
    if type(finished) is dict:
        for k in state.finished:
            v = finished.get(k)
            if type(v) is int and v >= 0:
                state.finished[k] = v
    if type(data.get("reroutes")) is int:
        state.reroutes = max(0, data["reroutes"])

    def queue(d: dict[str, Any]) -> None:
        qid = _str(d.get("queue_id"))
        if not qid:
            raise ValueError("queue without id")
        q = state.queues.get(qid)
        if q is None:
            q = state.queue(_str(d.get("tenant_id")), qid, _str(d.get("number")))
        q.name = q.name or _str(d.get("name"))
        q.sla_threshold = _num(d.get("sla_threshold")) or q.sla_threshold
        q.stats = _tally(d.get("stats"))
        q.intervals = {}
        for item in d.get("intervals") or ():
            start = _num(item[0]) if type(item) is list and len(item) == 2 else None
            if start is not None:
                q.intervals[start] = _tally(item[1])
        seen = d.get("seen")
        if type(seen) is list:
            q.seen = {s for s in seen if type(s) is str} | set(q.waiting)
        trend = d.get("trend")
        if type(trend) is list:
            q.trend.clear()
            for m in trend:
                if type(m) is list and len(m) == 2 and _num(m[0]) is not None:
                    q.trend.append((float(m[0]), int(m[1]) if type(m[1]) is int else 0))
        ld.result.queues += 1

    ld.each(data.get("queues"), queue)

    def agent(d: dict[str, Any]) -> None:
        day = _build(AgentDay, d, {"state_s": lambda v: {str(k): float(x) for k, x in v.items()}})
        key = (day.tenant_id, day.number)
        if not live:
            have = state.agent_days.get(key)
            # What it was doing when the day was saved: the same state episode
            # told again by the PBX is not a new one (see agents._agent_changed).
            day.resume_state, day.resume_since = day.state, day.since
            day.state, day.since = (have.state, have.since) if have is not None else ("", 0.0)
            day.ringing_since = None
        state.agent_days[key] = day
        ld.result.agents += 1

    ld.each(data.get("agents"), agent)
    cov = data.get("coverage")
    if type(cov) is list:
        periods = [
            p
            for p in cov
            if type(p) is list and len(p) == 2 and all(_num(x) is not None for x in p)
        ]
        state.coverage.load(periods)

    # Ended calls first, in the order they ended (the oldest are forgotten first).
    for sid in data.get("finished_ids") or ():
        if type(sid) is str:
            state._finished_ids[sid] = None

    def call(d: dict[str, Any]) -> None:
        rec = _build(FinishedCall, d)
        state.day_calls.append(rec)
        if add_recent:
            state.recent.append(rec)
        # A caller who hung up waiting is recorded before the call ends: its
        # end (a CDR) is still to come and must count then.
        if rec.outcome != "abandoned":
            state._finished_ids.setdefault(rec.session_id, None)

    ld.each(data.get("calls"), call)

    def visit(item: list[Any]) -> None:
        state._visits[_str(item[0]) or "?"] = _build(Visit, item[1])

    ld.each(data.get("visits"), visit)
    flaps = data.get("trunk_flaps")
    if type(flaps) is dict:
        restored = {str(k): v for k, v in flaps.items() if type(v) is int and v >= 0}
        for name, tr in state.trunks.items():
            tr.flaps = restored.pop(name, tr.flaps)
        state.trunk_flaps_restored.update(restored)  # trunks the PBX has not named yet
    state.everything_changed()
    return ld.result


def restore(state: WallboardState, data: Any) -> Restored:
    """A whole checkpoint (a hub's, for a viewer): live state first, then the day."""
    result = Restored()
    if type(data) is not dict or data.get("checkpoint") != VERSION:
        result.skipped += 1
        return result
    live = data.get("live")
    if type(live) is dict:
        _restore_live(state, live, result)
    restore_day(state, data.get("day"), result, live=type(live) is dict)
    if type(live) is dict:
        _rebuild_agents(state)
    state.touch(EVERYTHING)
    return result


def restore_day_live(state: WallboardState, data: Any, now: float) -> Restored:
    """A hub viewer takes the day a store loaded at the hub as that day began (midnight).

    The viewer rolls over right here (where the hub did: the same frame or
    tick follows), then takes the hub's day part, which holds what the
    store added, in place of its own fresh day.
    """
    state._check_midnight(now)
    state.coverage.periods = []
    state.day_calls.clear()
    result = restore_day(state, data, live=True, recent=True)
    _rebuild_agents(state)
    state.touch(EVERYTHING)
    return result


def _restore_live(state: WallboardState, live: dict[str, Any], result: Restored) -> None:
    ld = _Loader(state)
    ld.result = result
    t = _num(live.get("latest_event_time"))
    state.latest_event_time = t if t is not None and usable_time(t) else None
    state.skew.offset = _num(live.get("skew")) or 0.0
    state.skew.load(live.get("skew_samples"))
    marks = live.get("marks")
    if type(marks) is dict:
        minute = _num(marks.get("minute"))
        if minute is not None:
            state._minute = minute
        interval = marks.get("interval")
        if type(interval) is list and len(interval) == 2:
            start, end = _num(interval[0]), _num(interval[1])
            if start is not None and end is not None:
                state._interval_start, state._interval_end = start, end
        state.coverage.watching = marks.get("watching") is True
        state.coverage.pending = marks.get("pending") is True
    counters = live.get("counters")
    if type(counters) is dict:
        for k in ("frames", "events", "replies", "unknown", "invalid", "limits_dropped"):
            if type(counters.get(k)) is int:
                setattr(state, k, counters[k])
    seen = live.get("dialect_seen")
    state.dialect_seen = seen if seen in ("v12", "v16", "v22") else None
    try:
        src = _build(SourceInfo, live.get("source"))
        for f in fields(SourceInfo):
            setattr(state.source, f.name, getattr(src, f.name))
    except (TypeError, ValueError):
        result.skipped += 1

    def extension(d: dict[str, Any]) -> None:
        ext = _build(Extension, d, {"contacts": _contacts, "agent_states": dict})
        state.extensions[(ext.tenant_id, ext.number)] = ext
        state._ext_by_number.setdefault(ext.number, ext)

    ld.each(live.get("extensions"), extension)

    def call(d: dict[str, Any]) -> None:
        c = _build(Call, d, {"targets": lambda v: {x for x in v if type(x) is str}})
        state.calls[c.session_id] = c
        result.calls += 1

    ld.each(live.get("calls"), call)

    def queue(d: dict[str, Any]) -> None:
        qid = _str(d.get("queue_id"))
        if not qid:
            raise ValueError("queue without id")
        q = state.queues.get(qid) or Queue(queue_id=qid, number=_str(d.get("number")))
        q.name = _str(d.get("name"))
        q.tenant_id = _str(d.get("tenant_id"))
        state.queues[qid] = q
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
        q.stale = bool(d.get("stale"))
        q.updated = _num(d.get("updated"))

    ld.each(live.get("queues"), queue)

    def trunk(d: dict[str, Any]) -> None:
        tr = _build(Trunk, d)
        state.trunks[tr.name] = tr

    ld.each(live.get("trunks"), trunk)

    def recent(d: dict[str, Any]) -> None:
        state.recent.append(_build(FinishedCall, d))

    ld.each(live.get("recent"), recent)

    def error(d: dict[str, Any]) -> None:
        state.errors.append(_build(Reply, d))

    ld.each(live.get("errors"), error)
    names = live.get("names")
    if type(names) is dict:
        state.names.load(names)


def _rebuild_agents(state: WallboardState) -> None:
    """Membership and the aggregated-state counts, from the restored queues and days."""
    state.members = {}
    for qid, q in state.queues.items():
        if q.number and state.queue_key(q.tenant_id, q.number) is None:
            state._index_number(q)
        for ext in q.agents:
            state.members.setdefault((q.tenant_id, ext), set()).add(qid)
    counts: Counter[str] = Counter()
    for day in state.agent_days.values():
        if day.state:
            counts[day.state] += 1
    state.agent_counts = counts


def equal_fields(a: object, b: object) -> bool:
    """Two dataclass instances with equal fields (tests compare restored entities)."""
    return dataclasses.asdict(a) == dataclasses.asdict(b)  # type: ignore[arg-type,call-overload]


__all__ = [
    "VERSION",
    "Restored",
    "checkpoint",
    "day_part",
    "json_default",
    "live_part",
    "queue_day_record",
    "queue_live_record",
    "restore",
    "restore_day",
    "restore_day_live",
]
