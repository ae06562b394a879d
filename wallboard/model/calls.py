"""Active calls: the v12 lifecycle events, v16+ call_start / update_info / CDR.

A call is keyed by `session_id`. An event for a call never seen start
creates it (the wallboard joined mid-call); an end counts once, however
often the PBX repeats it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wallboard.model.changes import CALLS, EXTENSIONS
from wallboard.model.entities import Call, FinishedCall
from wallboard.protocol.events import CallCdr, CallEvent

if TYPE_CHECKING:
    from wallboard.model.state import WallboardState

MAX_FINISHED_IDS = 20_000  # dedupe window for repeated call ends
MAX_CALLS = 50_000  # beyond this the oldest call is forgotten (never-ending calls)

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


def evict_oldest(d: dict[object, object], limit: int) -> None:
    """Insertion-ordered dicts serve as bounded sets: drop the oldest tenth when full."""
    if len(d) > limit:
        for k in list(d)[: max(1, limit // 10)]:
            del d[k]


class CallHandlers:
    """Mixin of WallboardState: call events and call ends."""

    def _call(self: WallboardState, ev: CallEvent, t: float) -> Call:
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

    def _add_call(self: WallboardState, call: Call) -> None:
        self.calls[call.session_id] = call
        if len(self.calls) > MAX_CALLS:
            # Calls that never end (lost ends, hostile input) must not grow memory forever.
            oldest = next(iter(self.calls))
            del self.calls[oldest]
            self.dirty_calls.add(oldest)
            self.limits_dropped += 1

    def _call_event(self: WallboardState, ev: CallEvent, t: float) -> int:
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
            who = ev.call_target or call.answered_by or call.callee
            if who != call.answered_by or call.connected is None:
                call.connected = t
            call.answered_by = who
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
            if kind != "target_ended" and ev.call_target:
                self.missed_call(call.tenant_id, ev.call_target)
        elif kind == "call_reroute":
            if ev.call_target:
                call.callee = ev.call_target
            call.targets.clear()
            call.answered_by = ""
            call.connected = None
            call.state = "ringing"
            call.reroutes += 1
            self.reroutes += 1
        return CALLS | EXTENSIONS

    def _finish(self: WallboardState, call: Call, outcome: str, t: float, reason: str = "") -> None:
        sid = call.session_id
        self.calls.pop(sid, None)
        self._finished_ids[sid] = None
        evict_oldest(self._finished_ids, MAX_FINISHED_IDS)  # type: ignore[arg-type]
        self.finished[outcome] += 1
        self.dirty_calls.add(sid)
        self._record_call_end(
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
                agent=call.answered_by,
            )
        )

    def _call_cdr(self: WallboardState, ev: CallCdr, t: float) -> int:
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


__all__ = ["MAX_CALLS", "MAX_FINISHED_IDS", "CallHandlers", "evict_oldest"]
