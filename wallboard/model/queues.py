"""Queues: waiting callers, agents, and the outcomes that every queue KPI counts.

v16+ reports each caller's outcome (`queue_caller_status` reasons); v12
sends only pictures of the queue (`queue_status`), so there an outcome is
derived from who left the picture and what the calls and agents say. Every
outcome lands in the queue's day tally and in the tally of the interval it
happened in (both in `tally.py`), once per caller per queue and day.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wallboard.model.changes import CALLS, QUEUES
from wallboard.model.entities import (
    TALKING_STATES,
    Agent,
    Call,
    FinishedCall,
    Notice,
    Queue,
    Waiter,
)
from wallboard.model.queueids import MAX_QUEUES, QueueIdentity
from wallboard.model.tally import Tally
from wallboard.protocol.events import (
    QueueAgent,
    QueueAgentStatus,
    QueueCallerStatus,
    QueueMemberState,
    QueueSlaBreached,
    QueueStatus,
)

if TYPE_CHECKING:
    from wallboard.model.state import WallboardState

MAX_WAITING_PER_QUEUE = 100_000
# Sessions remembered per queue as already offered; twice the waiting limit so a
# trim (back to the callers still waiting) happens rarely, never per event.
MAX_SEEN_PER_QUEUE = 2 * MAX_WAITING_PER_QUEUE
MAX_AGENTS_PER_QUEUE = 20_000
# A talk or wrap-up longer than this is a lost event, not a call: not counted.
MAX_HANDLE_SECONDS = 12 * 3600.0

_TALKING = TALKING_STATES


class QueueHandlers(QueueIdentity):
    """Mixin of WallboardState: queue events and the queue outcome counts."""

    def sla_threshold(self: WallboardState, q: Queue) -> float:
        """The answer target of a queue: its own in the config, the global one, the PBX's, 20 s."""
        return self.targets.sla_seconds_for(q.number, q.sla_threshold)

    def sl_definition(self: WallboardState, q: Queue) -> str:
        return self.targets.sl_definition_for(q.number)

    # ------------------------------------------------------------ tallies
    def _interval(self: WallboardState, q: Queue) -> Tally:
        """The tally of the interval "now" falls in (created on first use)."""
        start = self._interval_start
        t = q.intervals.get(start)
        if t is None:
            t = q.intervals[start] = Tally(peak_waiting=len(q.waiting) - q.callbacks_waiting)
        if self.outbox is not None:
            self.outbox.intervals.add((q.queue_id, start))
        return t

    def _offer(self: WallboardState, q: Queue, sid: str) -> None:
        if sid not in q.seen:
            q.seen.add(sid)
            q.stats.offered += 1
            self._interval(q).offered += 1
            if self.outbox is not None:
                self.outbox.offered.append((q.queue_id, sid))
            if len(q.seen) > MAX_SEEN_PER_QUEUE:
                q.seen = set(q.waiting) | {sid}

    def _wait_of(self: WallboardState, w: Waiter | None, t: float) -> float | None:
        return None if w is None else max(0.0, t - w.since)

    def _answered(self: WallboardState, q: Queue, w: Waiter | None, t: float, sid: str) -> None:
        if w is not None and w.type == "callback":
            return  # a completed callback is not a new answer of a waiting caller
        wait = self._wait_of(w, t)
        target = self.sla_threshold(q)
        q.stats.answer(wait, target)
        self._interval(q).answer(wait, target)
        self._visit(q, sid, "answered", wait)

    def _abandoned(self: WallboardState, q: Queue, w: Waiter | None, t: float, sid: str) -> None:
        if w is not None and w.type == "callback":
            return
        wait = self._wait_of(w, t)
        target, short = self.sla_threshold(q), self.targets.short_abandon_for(q.number)
        q.stats.abandon(wait, target, short)
        self._interval(q).abandon(wait, target, short)
        call = self.calls.get(sid)
        self._record_abandon(
            FinishedCall(
                session_id=sid,
                outcome="abandoned",
                caller=w.caller_number if w is not None else (call.caller if call else ""),
                callee=q.number,
                caller_name=w.caller_name if w is not None else (call.caller_name if call else ""),
                direction=call.direction if call is not None else "inbound",
                started=w.since if w is not None else t,
                answered=None,
                ended=t,
                queue=q.number or q.queue_id,
                queue_outcome="abandoned",
                wait=wait,
            )
        )

    def _left(
        self: WallboardState, q: Queue, w: Waiter | None, t: float, sid: str, outcome: str
    ) -> None:
        """Overflowed or left for an unknown reason: offered, neither answered nor abandoned."""
        if w is not None and w.type == "callback":
            return
        wait = self._wait_of(w, t)
        interval = self._interval(q)
        for tally in (q.stats, interval):
            if outcome == "overflowed":
                tally.overflowed += 1
            else:
                tally.other += 1
            tally.waited(wait)
        self._visit(q, sid, outcome, wait)

    def _booked_callback(self: WallboardState, q: Queue, w: Waiter, t: float) -> None:
        """A waiting caller asked to be called back: their wait ends, they stay listed."""
        w.type = "callback"
        q.callbacks_waiting += 1
        wait = self._wait_of(w, t)
        for tally in (q.stats, self._interval(q)):
            tally.callbacks += 1
            tally.waited(wait)
        self._visit(q, w.session_id, "callback", wait)

    # ------------------------------------------------------------ waiting
    def _enqueue(self: WallboardState, q: Queue, w: Waiter) -> bool:
        if len(q.waiting) >= MAX_WAITING_PER_QUEUE:
            self.limits_dropped += 1
            return False
        q.waiting[w.session_id] = w
        if w.type == "callback":
            q.callbacks_waiting += 1
        n = len(q.waiting) - q.callbacks_waiting
        interval = self._interval(q)
        if n > interval.peak_waiting:
            interval.peak_waiting = n
        if n > q.stats.peak_waiting:
            q.stats.peak_waiting = n
        self._sample_trend(q)
        return True

    def _dequeue(self: WallboardState, q: Queue, sid: str) -> Waiter | None:
        w = q.waiting.pop(sid, None)
        if w is not None and w.type == "callback":
            q.callbacks_waiting -= 1
        return w

    def _sample_trend(self: WallboardState, q: Queue) -> None:
        """The most callers waiting in each minute (the queue table's sparkline)."""
        minute = self._minute
        n = len(q.waiting) - q.callbacks_waiting
        trend = q.trend
        if trend and trend[-1][0] == minute:
            if n > trend[-1][1]:
                trend[-1] = (minute, n)
        else:
            trend.append((minute, n))

    def longest_wait(self: WallboardState, q: Queue, now: float | None = None) -> float:
        """The longest current wait of a caller actively waiting (booked callbacks don't count)."""
        now = self.pbx_now() if now is None else now
        best = 0.0
        for w in q.waiting.values():
            if w.type == "normal":
                wait = now - w.since
                if wait > best:
                    best = wait
        return best

    def waiting_now(self: WallboardState, q: Queue) -> int:
        return len(q.waiting) - q.callbacks_waiting

    def oldest_waiting(self: WallboardState, q: Queue) -> float | None:
        """`since` of the longest-waiting normal caller, or None."""
        oldest: float | None = None
        for w in q.waiting.values():
            if w.type == "normal" and (oldest is None or w.since < oldest):
                oldest = w.since
        return oldest

    # ------------------------------------------------------------- agents
    def _set_agent(self: WallboardState, q: Queue, ext: str, state: str | None, t: float) -> Agent:
        agent = q.agents.get(ext)
        if agent is None:
            agent = Agent(extension=ext, state=state or "", since=t)
            if len(q.agents) < MAX_AGENTS_PER_QUEUE:
                q.agents[ext] = agent
                self._join_queue(q, ext, t)
            else:
                self.limits_dropped += 1
                return agent
        elif state is not None and agent.state != state:
            self._handled(q, agent, t)
            if agent.state == "QUEUE_CALL" and agent.session_id:
                self._agent_call_over(agent, t)
            agent.state = state
            agent.since = t
            self._agent_changed(q.tenant_id, ext, t)
        if state is not None and q.number:
            ext_obj = self.extension(q.tenant_id, ext, create=False)
            if ext_obj is not None:
                ext_obj.agent_states[q.number] = state
        return agent

    def _handled(self: WallboardState, q: Queue, agent: Agent, t: float) -> None:
        """Talk and wrap-up time of this queue's calls, counted as each ends."""
        spent = t - agent.since
        if not 0 <= spent <= MAX_HANDLE_SECONDS:
            return
        if agent.state == "QUEUE_CALL":
            for tally in (q.stats, self._interval(q)):
                tally.handled += 1
                tally.talk_sum += spent
        elif agent.state == "WRAP_UP":
            for tally in (q.stats, self._interval(q)):
                tally.wrap_sum += spent

    def _agent_call_over(self: WallboardState, agent: Agent, t: float) -> None:
        """A call we only knew from a queue agent ends when the agent leaves QUEUE_CALL."""
        call = self.calls.get(agent.session_id)
        if call is not None and call.queue == "agent-only":
            self._finish(call, "ended", t)
        agent.session_id = ""
        agent.caller_number = ""
        agent.caller_name = ""

    def _apply_agent(self: WallboardState, q: Queue, a: QueueAgent, t: float) -> None:
        at = a.time if a.time is not None else t
        agent = self._set_agent(q, a.extension, a.state, at)
        if a.state == "QUEUE_CALL" and a.session_id and a.session_id not in self._finished_ids:
            new_session = agent.session_id != a.session_id
            agent.session_id = a.session_id
            agent.caller_number = a.caller_number or agent.caller_number
            agent.caller_name = a.caller_name or agent.caller_name
            if new_session:
                self._agent_changed(q.tenant_id, a.extension, at)
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
            if call.state not in _TALKING:
                call.state = "established"
            if call.answered is None:
                call.answered = at
            if not call.answered_by:
                call.answered_by = a.extension
                call.connected = at
            call.updated = at
            call.stale = False
            self.dirty_calls.add(a.session_id)

    def _remove_agent(self: WallboardState, q: Queue, ext: str, t: float) -> None:
        agent = q.agents.pop(ext, None)
        if agent is not None:
            self._handled(q, agent, t)
            if agent.session_id:
                self._agent_call_over(agent, t)
            self._leave_queue(q, ext, t)
        e = self.extension(q.tenant_id, ext, create=False)
        if e is not None:
            e.agent_states.pop(q.number, None)

    # ------------------------------------------------------------- events
    def _queue_status(self: WallboardState, ev: QueueStatus, t: float) -> int:
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

    def _answer_time(
        self: WallboardState, q: Queue, sid: str, agent_times: dict[str, float], w: Waiter, t: float
    ) -> float:
        """When a caller who left a v12 picture was answered: the best time known.

        The agent's state change for that session (in this picture, or already
        known), else the moment the answering agent joined the call, and the
        picture's own time only as a last resort (it can be much later).
        """
        at = agent_times.get(sid)
        if at is None:
            for a in q.agents.values():
                if a.session_id == sid and a.state == "QUEUE_CALL":
                    at = a.since
                    break
        if at is None:
            call = self.calls.get(sid)
            if call is not None and call.connected is not None and call.answered_by in q.agents:
                at = call.connected
        if at is None or at < w.since or at > t:
            return t
        return at

    def _waiting_picture(self: WallboardState, q: Queue, ev: QueueStatus, t: float) -> None:
        assert ev.waiting is not None
        now_waiting = {c.session_id: c for c in ev.waiting}
        agent_times: dict[str, float] = {}
        for a in ev.agents or ():
            if a.session_id and a.state == "QUEUE_CALL":
                agent_times[a.session_id] = a.time if a.time is not None else t
        # Callers gone since the last picture: derive what happened (v12 sends only pictures).
        for sid in [s for s in q.waiting if s not in now_waiting]:
            w = self._dequeue(q, sid)
            assert w is not None
            call = self.calls.get(sid)
            # Answered only if one of this queue's agents took it: an inbound call
            # is often already "established" by the IVR before it queues.
            if sid in agent_times or (
                call is not None and call.state in _TALKING and call.answered_by in q.agents
            ):
                self._answered(q, w, self._answer_time(q, sid, agent_times, w, t), sid)
            elif (
                call is not None
                and call.callee
                and call.callee != q.number
                and self.queue_key(q.tenant_id, call.callee) is not None
            ):
                self._left(q, w, t, sid, "overflowed")
            else:
                self._abandoned(q, w, t, sid)
        for sid, c in now_waiting.items():
            w = q.waiting.get(sid)
            if w is None:
                self._offer(q, sid)
                self._enqueue(
                    q,
                    Waiter(
                        session_id=sid,
                        caller_number=c.caller_number,
                        caller_name=c.caller_name,
                        since=c.time if c.time is not None else t,
                        type=c.type if c.type in ("normal", "callback") else "normal",
                        position=c.position,
                    ),
                )
            else:
                w.position = c.position
                w.caller_name = c.caller_name or w.caller_name
                if c.type == "callback" and w.type != "callback":
                    w.type = "callback"
                    q.callbacks_waiting += 1

    def _queue_caller_status(self: WallboardState, ev: QueueCallerStatus, t: float) -> int:
        q = self.queue(ev.tenant_id, ev.queue_id, "")
        for c in ev.callers:
            ct = c.time if c.time is not None else t
            sid = c.session_id
            reason = c.reason
            w = q.waiting.get(sid)
            if reason in ("", "enqueue", "callback"):
                # Still listed: a new caller, a position update, or a booked callback.
                if w is None:
                    if reason != "enqueue" and sid in q.seen:
                        continue  # an update for a caller already resolved
                    self._offer(q, sid)
                    w = Waiter(
                        session_id=sid,
                        caller_number=c.caller_number,
                        caller_name=c.caller_name,
                        since=ct,
                        type="normal",
                    )
                    if not self._enqueue(q, w):
                        continue
                w.position = c.position
                if c.caller_name:
                    w.caller_name = c.caller_name
                if (reason == "callback" or c.type == "callback") and w.type != "callback":
                    self._booked_callback(q, w, ct)
                continue
            # Any other reason ends the wait.
            if w is None:
                if sid in q.seen:
                    continue  # already resolved: a repeated report must not count twice
                self._offer(q, sid)
            else:
                self._dequeue(q, sid)
            if reason == "agent_answered":
                self._answered(q, w, ct, sid)
                call = self.calls.get(sid)
                if call is not None and call.answered is None:
                    call.answered = ct
                    self.dirty_calls.add(sid)
            elif reason == "hangup":
                self._abandoned(q, w, ct, sid)
            elif reason == "overflow":
                self._left(q, w, ct, sid, "overflowed")
            else:
                self._left(q, w, ct, sid, "other")
                self.log.append(
                    (
                        t,
                        Notice(
                            f"queue {q.number or q.queue_id}: caller left for unknown reason {reason!r}",
                            t,
                        ),
                    )
                )
        q.updated = t
        return QUEUES

    def _queue_agent_status(self: WallboardState, ev: QueueAgentStatus, t: float) -> int:
        q = self.queue(ev.tenant_id, ev.queue_id, "")
        for a in ev.updated:
            self._apply_agent(q, a, t)
        for ext in ev.removed:
            self._remove_agent(q, ext, t)
        q.updated = t
        return QUEUES | CALLS

    def _queue_sla_breached(self: WallboardState, ev: QueueSlaBreached, t: float) -> int:
        q = self.queue(ev.tenant_id, ev.queue_id, "")
        q.stats.sla_breaches += 1
        self._interval(q).sla_breaches += 1
        if ev.sla_time_secs is not None and ev.sla_time_secs > 0:
            q.sla_threshold = ev.sla_time_secs
        return QUEUES

    def _queue_member_state(self: WallboardState, ev: QueueMemberState, t: float) -> int:
        q = self.queue(ev.tenant_id, ev.queue_id, ev.queue_number)
        self._set_agent(q, ev.extension, ev.state, t)
        return QUEUES


__all__ = ["MAX_AGENTS_PER_QUEUE", "MAX_QUEUES", "MAX_WAITING_PER_QUEUE", "QueueHandlers"]
