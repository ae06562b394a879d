"""WallboardState: the in-memory truth a supervisor reads off the wall.

`apply(event)` is the only way in. It is pure (no I/O, no wall clock unless one
is injected) and cheap: it updates entities, counts, and records which keys
changed so the UI can refresh by keyed diff instead of rebuilding tables.
"""

from __future__ import annotations

import time as _time
from collections import deque
from collections.abc import Callable
from typing import Any

from wallboard.model.entities import (
    Agent,
    Call,
    Extension,
    FinishedCall,
    Queue,
    SourceInfo,
    Trunk,
    Waiter,
)
from wallboard.protocol.events import (
    CallCdr,
    CallEvent,
    ExtensionAgentStatus,
    ExtensionCall,
    ExtensionPresence,
    ExtensionRegister,
    ExtensionStatus,
    Invalid,
    Management,
    Parsed,
    QueueAgent,
    QueueAgentStatus,
    QueueCallerStatus,
    QueueMemberState,
    QueueSlaBreached,
    QueueStatus,
    Reply,
    TrunkEvent,
    Unknown,
)
from wallboard.protocol.parse import parse_frame

# What changed, as bit flags (cheap to OR together per event).
EXTENSIONS = 1
CALLS = 2
QUEUES = 4
TRUNKS = 8
SOURCE = 16
LOG = 32
COUNTS = 64
# The keyed dirty sets overflowed (nobody drained them for a long time):
# the consumer must rebuild everything instead of applying key diffs.
FULL = 128
EVERYTHING = 255
MAX_DIRTY_KEYS = 20_000

DEFAULT_SLA_SECONDS = 20.0
# Event times outside this window (years 2000..2100) are not trusted as a clock.
_SANE_MIN, _SANE_MAX = 946_684_800.0, 4_102_444_800.0


def usable_time(t: float | None) -> bool:
    """An event time that can serve as a clock (replay pacing, "now" in a replay)."""
    return t is not None and _SANE_MIN <= t <= _SANE_MAX


# Bounds that keep memory flat under unbounded or hostile input.
MAX_FINISHED_IDS = 20_000  # dedupe window for repeated call ends
MAX_WAITS_KEPT = 100_000
MAX_CALLS = 50_000  # beyond this the oldest call is forgotten (never-ending calls)
MAX_EXTENSIONS = 100_000
MAX_QUEUES = 5_000
MAX_WAITING_PER_QUEUE = 100_000
# Sessions remembered per queue as already offered; twice the waiting limit so a
# trim (back to the callers still waiting) happens rarely, never per event.
MAX_SEEN_PER_QUEUE = 2 * MAX_WAITING_PER_QUEUE
MAX_AGENTS_PER_QUEUE = 20_000
MAX_TRUNKS = 2_000

_OUTCOME_BY_KIND = {"call_ended": "ended", "call_noanswer": "noanswer", "call_fail": "failed"}
_CDR_OUTCOME = {
    "answered": "ended",
    "noanswer": "noanswer",
    "no_answer": "noanswer",
    "unanswered": "noanswer",
    "not_answered": "noanswer",
    "missed": "noanswer",
    "cancelled": "noanswer",
    "canceled": "noanswer",
    "failed": "failed",
    "fail": "failed",
    "busy": "failed",
    "rejected": "failed",
    "error": "failed",
}
_DIALECT_RANK = {"v12": 0, "v16": 1, "v22": 2}
_V16_ONLY = frozenset(
    {
        "ExtensionStatus",
        "ExtensionCall",
        "ExtensionPresence",
        "ExtensionAgentStatus",
        "QueueCallerStatus",
        "QueueAgentStatus",
        "QueueSlaBreached",
    }
)


class _NullSet(set):  # type: ignore[type-arg]
    """A set that ignores additions: dirty-key tracking before anyone asked for it."""

    def add(self, _item: object) -> None:
        return None


def _evict_oldest(d: dict[Any, Any], limit: int) -> None:
    """Insertion-ordered dicts serve as bounded sets: drop the oldest tenth when full."""
    if len(d) > limit:
        for k in list(d)[: max(1, limit // 10)]:
            del d[k]


def _local_midnight(t: float) -> float:
    lt = _time.localtime(t)
    return _time.mktime((lt.tm_year, lt.tm_mon, lt.tm_mday, 0, 0, 0, 0, 0, -1))


def _next_local_midnight(t: float) -> float:
    # +36 h from today's midnight always lands in tomorrow, DST or not.
    return _local_midnight(_local_midnight(t) + 36 * 3600)


class WallboardState:
    """Extensions, calls, queues and trunks, plus counters and what is dirty.

    `clock`: a function returning "now" (live: `time.time`). Without one the
    clock is the latest event time seen, so a replay is deterministic.
    """

    def __init__(
        self,
        clock: Callable[[], float] | None = None,
        *,
        sla_seconds: float | None = None,
        log_size: int = 300,
        history_size: int = 200,
    ) -> None:
        self.clock_fn = clock
        self.sla_override = sla_seconds
        self.source = SourceInfo()
        self.extensions: dict[tuple[str, str], Extension] = {}
        self.calls: dict[str, Call] = {}
        self.queues: dict[str, Queue] = {}
        self.trunks: dict[str, Trunk] = {}
        self.finished = {"ended": 0, "noanswer": 0, "failed": 0}
        self.reroutes = 0
        self.recent: deque[FinishedCall] = deque(maxlen=history_size)
        self.log: deque[tuple[float, Parsed]] = deque(maxlen=log_size)
        self.errors: deque[Reply] = deque(maxlen=20)
        self.frames = 0
        self.events = 0
        self.replies = 0
        self.unknown = 0
        self.invalid = 0
        self.latest_event_time: float | None = None
        # Entities not kept because a limit above was reached (hostile or broken input).
        self.limits_dropped = 0
        self.counting_since: float | None = None
        self.dialect_seen: str | None = None
        self._next_reset: float | None = None
        self._finished_ids: dict[str, None] = {}
        self._qid_by_number: dict[str, str] = {}
        self._ext_by_number: dict[str, Extension] = {}
        self.version = 0  # bumps on every applied event; cheap change detection
        self.dirty = EVERYTHING
        # Keyed dirty sets are kept only once a consumer (the UI) asks for them,
        # so headless commands don't collect a million session ids.
        self.dirty_calls: set[str] = _NullSet()
        self.dirty_extensions: set[tuple[str, str]] = _NullSet()
        self.dirty_queues: set[str] = _NullSet()
        self._tracking = False
        self._handlers: dict[type, Callable[[Any, float], int]] = {
            ExtensionRegister: self._extension_register,
            ExtensionStatus: self._extension_status,
            ExtensionCall: self._extension_call,
            ExtensionPresence: self._extension_presence,
            ExtensionAgentStatus: self._extension_agent_status,
            CallEvent: self._call_event,
            CallCdr: self._call_cdr,
            QueueStatus: self._queue_status,
            QueueCallerStatus: self._queue_caller_status,
            QueueAgentStatus: self._queue_agent_status,
            QueueSlaBreached: self._queue_sla_breached,
            QueueMemberState: self._queue_member_state,
            TrunkEvent: self._trunk,
            Management: self._management,
        }

    # ------------------------------------------------------------------ clock
    def now(self) -> float:
        if self.clock_fn is not None:
            return self.clock_fn()
        return self.latest_event_time or 0.0

    def sla_threshold(self, q: Queue) -> float:
        if self.sla_override is not None:
            return self.sla_override
        return q.sla_threshold if q.sla_threshold is not None else DEFAULT_SLA_SECONDS

    def _check_midnight(self, now: float) -> None:
        if now < _SANE_MIN:
            return  # no usable time yet: nothing to anchor "today" to
        if self._next_reset is None:
            self.counting_since = now
            self._next_reset = _next_local_midnight(now)
        elif now >= self._next_reset:
            self.reset_counters(now)

    def reset_counters(self, since: float) -> None:
        """Daily counters restart at local midnight; what is live now stays."""
        self.counting_since = _local_midnight(since)
        self._next_reset = _next_local_midnight(since)
        self.finished = {"ended": 0, "noanswer": 0, "failed": 0}
        self.reroutes = 0
        for q in self.queues.values():
            q.stats.__init__()  # type: ignore[misc]
            # Callers waiting across midnight are today's offers.
            q.seen = set(q.waiting)
            q.stats.offered = len(q.waiting)
        self.dirty |= QUEUES | COUNTS

    # ------------------------------------------------------------------ input
    def apply_frame(self, frame: str | bytes) -> int:
        """Parse and apply one received frame; every frame lands in exactly one counter."""
        return self.apply(parse_frame(frame))

    def apply(self, ev: Parsed) -> int:
        """Apply a parsed frame; returns the change flags."""
        self.frames += 1
        handler = self._handlers.get(type(ev))
        if handler is None:
            if type(ev) is Reply:
                self.replies += 1
                if ev.status != 0:
                    self.errors.append(ev)
                    self.log.append((self.now(), ev))
                    return self._mark(LOG | COUNTS)
                return self._mark(COUNTS)
            if type(ev) is Unknown:
                self.unknown += 1
            else:
                self.invalid += 1
            self.log.append((self.now(), ev))
            return self._mark(LOG | COUNTS)
        self.events += 1
        t = ev.time  # type: ignore[union-attr]
        if t is not None and _SANE_MIN <= t <= _SANE_MAX:
            latest = self.latest_event_time
            if latest is None or t > latest:
                self.latest_event_time = t
        else:
            t = None
        clock = self.clock_fn
        now = clock() if clock is not None else (self.latest_event_time or 0.0)
        if t is None:
            t = now
        next_reset = self._next_reset
        if next_reset is None or now >= next_reset:
            self._check_midnight(now)
        if self.dialect_seen != "v22":
            self._note_dialect(ev)
        self.log.append((t, ev))
        return self._mark(handler(ev, t) | LOG | COUNTS)

    def note_invalid(self, reason: str) -> int:
        """A frame rejected before parsing (binary, oversized, unreadable line)."""
        return self.apply(Invalid(reason))

    def _mark(self, flags: int) -> int:
        self.dirty |= flags
        self.version += 1
        if self._tracking and (
            len(self.dirty_calls) > MAX_DIRTY_KEYS or len(self.dirty_extensions) > MAX_DIRTY_KEYS
        ):
            self.dirty |= FULL
            self.dirty_calls.clear()
            self.dirty_extensions.clear()
            self.dirty_queues.clear()
        return flags

    def take_dirty(self) -> tuple[int, set[str], set[tuple[str, str]], set[str]]:
        """Hand the UI what changed since the last refresh, and start afresh.

        The first call switches key tracking on and reports everything dirty.
        If `FULL` is in the flags the key sets are incomplete: rebuild all.
        """
        out = (self.dirty, self.dirty_calls, self.dirty_extensions, self.dirty_queues)
        if not self._tracking:
            self._tracking = True
            out = (self.dirty | EVERYTHING, set(), set(), set())
        self.dirty = 0
        self.dirty_calls = set()
        self.dirty_extensions = set()
        self.dirty_queues = set()
        return out

    def _note_dialect(self, ev: Parsed) -> None:
        """Guess the dialect of a file without a header from the events it holds."""
        name = type(ev).__name__
        guess = None
        if name in _V16_ONLY:
            guess = "v16"
        elif name == "Management" or (name == "CallEvent" and ev.kind == "call_update_info"):  # type: ignore[union-attr]
            guess = "v22"
        elif name in ("ExtensionRegister", "TrunkEvent", "QueueMemberState") or (
            name == "CallEvent" and ev.kind != "call_start"  # type: ignore[union-attr]
        ):
            guess = "v12"
        if guess and (
            self.dialect_seen is None or _DIALECT_RANK[guess] > _DIALECT_RANK[self.dialect_seen]
        ):
            self.dialect_seen = guess

    # ------------------------------------------------------------- extensions
    def extension(self, tenant: str, number: str, create: bool = True) -> Extension | None:
        ext = self.extensions.get((tenant, number))
        if ext is None:
            ext = self._ext_by_number.get(number)
            if ext is not None and ext.tenant_id != tenant and tenant and ext.tenant_id:
                ext = None  # same number in another tenant (v22 global topics)
            if ext is not None and tenant and not ext.tenant_id:
                # First seen without a tenant id, now with one: re-key it.
                del self.extensions[("", number)]
                ext.tenant_id = tenant
                self.extensions[(tenant, number)] = ext
        if ext is None and create:
            ext = Extension(tenant_id=tenant, number=number)
            if len(self.extensions) >= MAX_EXTENSIONS:
                self.limits_dropped += 1
                return ext  # detached: updated by this event, then forgotten
            self.extensions[(tenant, number)] = ext
            self._ext_by_number.setdefault(number, ext)
        if ext is not None:
            self.dirty_extensions.add((ext.tenant_id, ext.number))
        return ext

    def _extension_register(self, ev: ExtensionRegister, t: float) -> int:
        ext = self.extension(ev.tenant_id, ev.number)
        assert ext is not None
        if ev.extension_id:
            ext.extension_id = ev.extension_id
        if ev.contacts is not None:
            ext.contacts = {c.key: c for c in ev.contacts}
            ext.contacts_known = True
        for c in ev.removed:
            if ext.contacts.pop(c.key, None) is None:
                for k, have in list(ext.contacts.items()):
                    if (c.address and have.address == c.address) or (c.uri and have.uri == c.uri):
                        del ext.contacts[k]
            ext.contacts_known = True
        ext.updated = t
        ext.stale = False
        return EXTENSIONS

    def _extension_status(self, ev: ExtensionStatus, t: float) -> int:
        for e in ev.entries:
            ext = self.extension(ev.tenant_id, e.number)
            assert ext is not None
            if e.extension_id:
                ext.extension_id = e.extension_id
            if e.online is not None:
                ext.online_flag = e.online
            if e.call_status is not None:
                ext.call_status = e.call_status
            if e.presence is not None:
                ext.presence = e.presence
            ext.presence_note = e.presence_note
            ext.updated = e.time if e.time is not None else t
            ext.stale = False
        return EXTENSIONS

    def _extension_call(self, ev: ExtensionCall, t: float) -> int:
        ext = self.extension(ev.tenant_id, ev.number)
        assert ext is not None
        ext.call_status = ev.call_status
        ext.updated = t
        return EXTENSIONS

    def _extension_presence(self, ev: ExtensionPresence, t: float) -> int:
        ext = self.extension(ev.tenant_id, ev.number)
        assert ext is not None
        ext.presence = ev.presence
        ext.presence_note = ev.presence_note
        ext.updated = t
        return EXTENSIONS

    def _extension_agent_status(self, ev: ExtensionAgentStatus, t: float) -> int:
        for qnum, state in ev.statuses:
            q = self.queue(ev.tenant_id, "", qnum)
            self._set_agent(q, ev.number, state, t)
        ext = self.extension(ev.tenant_id, ev.number)
        assert ext is not None
        ext.updated = t
        return EXTENSIONS | QUEUES

    def call_status_of(self, ext: Extension, by_party: dict[str, str] | None = None) -> str:
        """Explicit v16+ status, else derived from the active calls (v12 has no such event)."""
        if ext.call_status is not None:
            return ext.call_status
        if by_party is None:
            by_party = self.derived_call_status()
        return by_party.get(ext.number, "")

    def derived_call_status(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for c in self.calls.values():
            talking = c.state in ("established", "held")
            for p in (c.caller, c.answered_by or c.callee) if talking else (c.caller,):
                if p:
                    out[p] = "ON_CALL"
            if not talking:
                for p in c.targets or {c.callee}:
                    if p and out.get(p) != "ON_CALL":
                        out[p] = "RINGING"
        return out

    # ------------------------------------------------------------------ calls
    def _call(self, ev: CallEvent, t: float) -> Call:
        call = self.calls.get(ev.session_id)
        if call is None:
            call = Call(session_id=ev.session_id, tenant_id=ev.tenant_id, started=t, updated=t)
            self._add_call(call)
        if ev.caller:
            call.caller = ev.caller
        elif not call.caller and ev.aor:
            call.caller = ev.aor  # hold/unhold of a call we never saw start
        if ev.callee:
            call.callee = ev.callee
        elif not call.callee and ev.peer_aor:
            call.callee = ev.peer_aor
        if ev.caller_name:
            call.caller_name = ev.caller_name
        if ev.callee_name:
            call.callee_name = ev.callee_name
        if ev.direction != "unknown":
            call.direction = ev.direction
        if ev.did:
            call.did = ev.did
        call.updated = t
        call.stale = False
        self.dirty_calls.add(ev.session_id)
        return call

    def _add_call(self, call: Call) -> None:
        self.calls[call.session_id] = call
        if len(self.calls) > MAX_CALLS:
            # Calls that never end (lost ends, hostile input) must not grow memory forever.
            oldest = next(iter(self.calls))
            del self.calls[oldest]
            self.dirty_calls.add(oldest)
            self.limits_dropped += 1

    def _call_event(self, ev: CallEvent, t: float) -> int:
        kind = ev.kind
        sid = ev.session_id
        if sid in self._finished_ids:
            return 0  # late or repeated event for a call that already ended
        outcome = _OUTCOME_BY_KIND.get(kind)
        if outcome is not None:
            call = self.calls.get(sid)
            if call is None:
                call = Call(
                    session_id=sid,
                    tenant_id=ev.tenant_id,
                    caller=ev.caller,
                    callee=ev.callee,
                    caller_name=ev.caller_name,
                    direction=ev.direction,
                    started=t,
                )
            self._finish(call, outcome, t, f"SIP {ev.fail_code}" if ev.fail_code else "")
            return CALLS | EXTENSIONS
        call = self._call(ev, t)
        if kind == "call_established":
            if call.answered is None:
                call.answered = t
            call.answered_by = ev.call_target or call.answered_by or call.callee
            call.state = "established"
        elif kind == "call_hold":
            call.state = "held"
            call.held_by = ev.aor
        elif kind == "call_unhold":
            call.state = "established"
            call.held_by = ""
        elif kind == "target_add":
            if ev.call_target:
                call.targets.add(ev.call_target)
        elif kind == "target_ringing":
            if ev.call_target:
                call.targets.add(ev.call_target)
            if call.state == "setup":
                call.state = "ringing"
        elif kind in ("target_noanswer", "target_fail", "target_ended"):
            call.targets.discard(ev.call_target)
        elif kind == "call_reroute":
            if ev.call_target:
                call.callee = ev.call_target
            call.targets.clear()
            call.answered_by = ""
            call.state = "ringing"
            call.reroutes += 1
            self.reroutes += 1
        return CALLS | EXTENSIONS

    def _finish(self, call: Call, outcome: str, t: float, reason: str = "") -> None:
        sid = call.session_id
        self.calls.pop(sid, None)
        self._finished_ids[sid] = None
        _evict_oldest(self._finished_ids, MAX_FINISHED_IDS)
        self.finished[outcome] += 1
        self.dirty_calls.add(sid)
        self.recent.append(
            FinishedCall(
                session_id=sid,
                outcome=outcome,
                caller=call.caller,
                callee=call.callee,
                caller_name=call.caller_name,
                direction=call.direction,
                started=call.started,
                answered=call.answered,
                ended=t,
                reason=reason,
            )
        )

    def _call_cdr(self, ev: CallCdr, t: float) -> int:
        sid = ev.session_id
        if sid in self._finished_ids:
            return 0
        outcome = _CDR_OUTCOME.get(ev.call_status)
        if outcome is None:
            outcome = "ended" if ev.answered_time else "noanswer"
        call = self.calls.get(sid)
        if call is None:
            start = ev.start_time if ev.start_time is not None else t
            call = Call(session_id=sid, tenant_id=ev.tenant_id, started=start)
        call.caller = ev.caller or call.caller
        call.callee = ev.callee or call.callee
        call.caller_name = ev.caller_name or call.caller_name
        if ev.direction != "unknown":
            call.direction = ev.direction
        if call.answered is None and ev.answered_time:
            call.answered = ev.answered_time
        self._finish(call, outcome, t, ev.ended_reason)
        return CALLS | EXTENSIONS

    def mark_stale(self) -> None:
        """After a reconnect: what we knew may be out of date (the PBX may have restarted).

        Events and v16+ pictures confirm what still exists (clearing the mark);
        `drop_stale` later forgets calls and queues nobody confirmed.
        """
        for c in self.calls.values():
            c.stale = True
            self.dirty_calls.add(c.session_id)
        for key, ext in self.extensions.items():
            if ext.contacts or ext.online_flag:
                ext.stale = True
                self.dirty_extensions.add(key)
        for qid, q in self.queues.items():
            q.stale = True
            self.dirty_queues.add(qid)
        self._mark(CALLS | EXTENSIONS | QUEUES)

    def drop_stale(self, older_than: float) -> int:
        """Forget stale calls not confirmed since `older_than` (their outcome is unknown)
        and queues no event mentioned since the reconnect (gone from the PBX)."""
        gone = [sid for sid, c in self.calls.items() if c.stale and c.updated < older_than]
        for sid in gone:
            del self.calls[sid]
            self.dirty_calls.add(sid)
        ghosts = [qid for qid, q in self.queues.items() if q.stale]
        for qid in ghosts:
            q = self.queues.pop(qid)
            if self._qid_by_number.get(q.number) == qid:
                del self._qid_by_number[q.number]
            self.dirty_queues.add(qid)
        if gone or ghosts:
            self._mark(CALLS | EXTENSIONS | QUEUES)
        return len(gone) + len(ghosts)

    # ----------------------------------------------------------------- queues
    def queue(self, tenant: str, qid: str, number: str) -> Queue:
        """Find a queue by id or number; queues first seen by number are re-keyed by id later."""
        q = self.queues.get(qid) if qid else None
        if q is None and number:
            key = self._qid_by_number.get(number)
            if key is not None:
                q = self.queues[key]
                if qid and key != qid:
                    del self.queues[key]
                    q.queue_id = qid
                    self.queues[qid] = q
                    self._qid_by_number[number] = qid
        if q is None:
            key = qid or number
            q = Queue(queue_id=key, number=number, tenant_id=tenant)
            if len(self.queues) >= MAX_QUEUES:
                self.limits_dropped += 1
                return q  # detached
            self.queues[key] = q
            if number:
                self._qid_by_number[number] = key
        elif number and q.number != number:
            q.number = number
            self._qid_by_number[number] = q.queue_id
        if tenant and not q.tenant_id:
            q.tenant_id = tenant
        q.stale = False  # an event about it: it exists
        self.dirty_queues.add(q.queue_id)
        return q

    def _set_agent(self, q: Queue, ext: str, state: str | None, t: float) -> Agent:
        agent = q.agents.get(ext)
        if agent is None:
            agent = Agent(extension=ext, state=state or "", since=t)
            if len(q.agents) < MAX_AGENTS_PER_QUEUE:
                q.agents[ext] = agent
            else:
                self.limits_dropped += 1
        elif state is not None and agent.state != state:
            if agent.state == "QUEUE_CALL" and agent.session_id:
                self._agent_call_over(agent, t)
            agent.state = state
            agent.since = t
        if state is not None and q.number:
            ext_obj = self.extension(q.tenant_id, ext, create=False)
            if ext_obj is not None:
                ext_obj.agent_states[q.number] = state
        return agent

    def _agent_call_over(self, agent: Agent, t: float) -> None:
        """A call we only knew from a queue agent ends when the agent leaves QUEUE_CALL."""
        call = self.calls.get(agent.session_id)
        if call is not None and call.queue == "agent-only":
            self._finish(call, "ended", t)
        agent.session_id = ""
        agent.caller_number = ""
        agent.caller_name = ""

    def _apply_agent(self, q: Queue, a: QueueAgent, t: float) -> None:
        at = a.time if a.time is not None else t
        agent = self._set_agent(q, a.extension, a.state, at)
        if a.state == "QUEUE_CALL" and a.session_id and a.session_id not in self._finished_ids:
            agent.session_id = a.session_id
            agent.caller_number = a.caller_number or agent.caller_number
            agent.caller_name = a.caller_name or agent.caller_name
            call = self.calls.get(a.session_id)
            if call is None:
                call = Call(
                    session_id=a.session_id,
                    tenant_id=q.tenant_id,
                    caller=a.caller_number,
                    caller_name=a.caller_name,
                    callee=a.extension,
                    direction="inbound",
                    started=at,
                    queue="agent-only",
                )
                self._add_call(call)
            if call.state not in ("established", "held"):
                call.state = "established"
            if call.answered is None:
                call.answered = at
            if not call.answered_by:
                call.answered_by = a.extension
            call.updated = at
            call.stale = False
            self.dirty_calls.add(a.session_id)

    def _offer(self, q: Queue, sid: str) -> None:
        if sid not in q.seen:
            q.seen.add(sid)
            q.stats.offered += 1
            if len(q.seen) > MAX_SEEN_PER_QUEUE:
                q.seen = set(q.waiting) | {sid}

    def _answered(self, q: Queue, w: Waiter | None, t: float) -> None:
        if w is not None and w.type == "callback":
            return  # a completed callback is not a new answer of a waiting caller
        q.stats.answered += 1
        if w is not None and len(q.stats.answer_waits) < MAX_WAITS_KEPT:
            q.stats.answer_waits.append(max(0.0, t - w.since))

    def _abandoned(self, q: Queue, w: Waiter | None, t: float) -> None:
        if w is not None and w.type == "callback":
            return
        q.stats.abandoned += 1
        if w is not None and len(q.stats.abandon_waits) < MAX_WAITS_KEPT:
            q.stats.abandon_waits.append(max(0.0, t - w.since))

    def _queue_status(self, ev: QueueStatus, t: float) -> int:
        q = self.queue(ev.tenant_id, ev.queue_id, ev.queue_number)
        if ev.queue_name:
            q.name = ev.queue_name
        if ev.waiting is not None:
            self._waiting_picture(q, ev, t)
        if ev.agents is not None:
            seen_agents = set()
            for a in ev.agents:
                seen_agents.add(a.extension)
                self._apply_agent(q, a, t)
            for ext in [e for e in q.agents if e not in seen_agents]:
                self._remove_agent(q, ext, t)
        q.updated = t
        return QUEUES | CALLS

    def _waiting_picture(self, q: Queue, ev: QueueStatus, t: float) -> None:
        assert ev.waiting is not None
        now_waiting = {c.session_id: c for c in ev.waiting}
        agent_sessions = {
            a.session_id for a in ev.agents or () if a.session_id and a.state == "QUEUE_CALL"
        }
        # Callers gone since the last picture: derive what happened (v12 sends only pictures).
        for sid in [s for s in q.waiting if s not in now_waiting]:
            w = q.waiting.pop(sid)
            call = self.calls.get(sid)
            # Answered only if one of this queue's agents took it: an inbound call
            # is often already "established" by the IVR before it queues.
            if sid in agent_sessions or (
                call is not None
                and call.state in ("established", "held")
                and call.answered_by in q.agents
            ):
                self._answered(q, w, t)
            elif (
                call is not None
                and call.callee
                and call.callee != q.number
                and (call.callee in self._qid_by_number)
            ):
                q.stats.overflowed += 1
            else:
                self._abandoned(q, w, t)
        for sid, c in now_waiting.items():
            w = q.waiting.get(sid)
            if w is None:
                self._offer(q, sid)
                if len(q.waiting) >= MAX_WAITING_PER_QUEUE:
                    self.limits_dropped += 1
                    continue
                q.waiting[sid] = Waiter(
                    session_id=sid,
                    caller_number=c.caller_number,
                    caller_name=c.caller_name,
                    since=c.time if c.time is not None else t,
                    type=c.type if c.type in ("normal", "callback") else "normal",
                    position=c.position,
                )
            else:
                w.position = c.position
                w.caller_name = c.caller_name or w.caller_name
                if c.type == "callback":
                    w.type = "callback"

    def _remove_agent(self, q: Queue, ext: str, t: float) -> None:
        agent = q.agents.pop(ext, None)
        if agent is not None and agent.session_id:
            self._agent_call_over(agent, t)
        e = self.extension(q.tenant_id, ext, create=False)
        if e is not None:
            e.agent_states.pop(q.number, None)

    def _queue_caller_status(self, ev: QueueCallerStatus, t: float) -> int:
        q = self.queue(ev.tenant_id, ev.queue_id, "")
        for c in ev.callers:
            ct = c.time if c.time is not None else t
            sid = c.session_id
            reason = c.reason
            w = q.waiting.get(sid)
            if reason in ("agent_answered", "hangup", "overflow"):
                if w is None:
                    if sid in q.seen:
                        continue  # already resolved: a repeated report must not count twice
                    self._offer(q, sid)
                else:
                    del q.waiting[sid]
                if reason == "agent_answered":
                    self._answered(q, w, ct)
                    call = self.calls.get(sid)
                    if call is not None and call.answered is None:
                        call.answered = ct
                        self.dirty_calls.add(sid)
                elif reason == "hangup":
                    self._abandoned(q, w, ct)
                else:
                    q.stats.overflowed += 1
                continue
            if w is None:
                self._offer(q, sid)
                w = Waiter(
                    session_id=sid,
                    caller_number=c.caller_number,
                    caller_name=c.caller_name,
                    since=ct,
                    type="normal",
                )
                if len(q.waiting) >= MAX_WAITING_PER_QUEUE:
                    self.limits_dropped += 1
                    continue
                q.waiting[sid] = w
            w.position = c.position
            if c.caller_name:
                w.caller_name = c.caller_name
            if (reason == "callback" or c.type == "callback") and w.type != "callback":
                w.type = "callback"
                q.stats.callbacks += 1
        q.updated = t
        return QUEUES

    def _queue_agent_status(self, ev: QueueAgentStatus, t: float) -> int:
        q = self.queue(ev.tenant_id, ev.queue_id, "")
        for a in ev.updated:
            self._apply_agent(q, a, t)
        for ext in ev.removed:
            self._remove_agent(q, ext, t)
        q.updated = t
        return QUEUES | CALLS

    def _queue_sla_breached(self, ev: QueueSlaBreached, t: float) -> int:
        q = self.queue(ev.tenant_id, ev.queue_id, "")
        q.stats.sla_breaches += 1
        if ev.sla_time_secs is not None and ev.sla_time_secs > 0:
            q.sla_threshold = ev.sla_time_secs
        return QUEUES

    def _queue_member_state(self, ev: QueueMemberState, t: float) -> int:
        q = self.queue(ev.tenant_id, ev.queue_id, ev.queue_number)
        self._set_agent(q, ev.extension, ev.state, t)
        return QUEUES

    # ----------------------------------------------------------------- trunks
    def _trunk(self, ev: TrunkEvent, t: float) -> int:
        tr = self.trunks.get(ev.name)
        if tr is None:
            if len(self.trunks) >= MAX_TRUNKS:
                self.limits_dropped += 1
                return 0
            self.trunks[ev.name] = Trunk(ev.name, ev.connected, t, ev.reason)
        elif tr.connected != ev.connected:
            tr.connected = ev.connected
            tr.since = t
            tr.reason = ev.reason
            if not ev.connected:
                tr.flaps += 1
        return TRUNKS

    # ------------------------------------------------------------- management
    def _management(self, ev: Management, t: float) -> int:
        kind = ev.kind
        if kind.startswith("extension_"):
            if kind == "extension_destroyed":
                ext = self.extension(ev.tenant_id, ev.extension_number, create=False)
                if ext is not None:
                    del self.extensions[(ext.tenant_id, ext.number)]
                    if self._ext_by_number.get(ext.number) is ext:
                        del self._ext_by_number[ext.number]
                return EXTENSIONS
            ext = self.extension(ev.tenant_id, ev.extension_number)
            assert ext is not None
            if ev.display_name:
                ext.name = ev.display_name
            return EXTENSIONS
        if kind in ("queue_destroy", "queue_destroyed"):
            key = self._qid_by_number.pop(ev.queue_number, None)
            if key is not None:
                self.queues.pop(key, None)
                self.dirty_queues.add(key)
            return QUEUES
        q = self.queue(ev.tenant_id, "", ev.queue_number)
        if ev.queue_name:
            q.name = ev.queue_name
        return QUEUES

    # ----------------------------------------------------------------- KPIs
    def longest_wait(self, q: Queue, now: float | None = None) -> float:
        now = self.now() if now is None else now
        best = 0.0
        for w in q.waiting.values():
            if w.type == "normal":
                wait = now - w.since
                if wait > best:
                    best = wait
        return best

    def service_level(self, q: Queue) -> float | None:
        s = q.stats
        denom = s.answered + s.abandoned
        if denom == 0:
            return None
        limit = self.sla_threshold(q)
        within = sum(1 for w in s.answer_waits if w <= limit)
        return 100.0 * within / denom

    def average_answer(self, q: Queue) -> float | None:
        waits = q.stats.answer_waits
        return sum(waits) / len(waits) if waits else None
