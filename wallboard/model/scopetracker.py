"""The hub's side of a scoped feed: what changed in a scope since its viewers' last patch.

Apart from the scope itself (`scope.py` says what a scope sees and why a
viewer gets patches, not frames): this is the bookkeeping of one scope's
stream, what was sent and how to say only what changed.
"""

from __future__ import annotations

from typing import Any

import orjson

from wallboard.model.checkpoint import json_default, queue_day_record, queue_live_record
from wallboard.model.entities import FinishedCall, Queue
from wallboard.model.scope import (
    _FINISHED_OUTCOMES,
    Parts,
    Scope,
    _counters,
    _coverage,
    _extension,
    _names,
    parts,
    scoped_checkpoint,
)
from wallboard.model.state import WallboardState

RESYNC = b"resync"  # ScopeTracker.patch(): the day changed, send a fresh checkpoint


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


__all__ = ["RESYNC", "ScopeTracker"]
