"""Queues: callers waiting, offered to agents, answered, abandoning, overflowing.

A caller joins the back of its queue and is offered to the idle agent who has
been ready longest. While it waits, its fate is already scheduled: it may
abandon, breach the queue's SLA, overflow to voicemail at the queue's maximum
wait, or ask for a callback (then it stays queued, as a callback the agent
dials out). An agent who misses an offer goes not ready for a while and the
caller stays queued.
"""

from __future__ import annotations

from wallboard.sim.calls import Calls
from wallboard.sim.entities import Call, Caller, Ext, Leg, Queue

VOICEMAIL_NUMBER = "7000"


class Queues(Calls):
    """The queues' callers, from joining to being answered or leaving."""

    def _ivr_hangup(self, call: Call, token: int) -> None:
        if call.token == token and call.ended is None:
            self._end(call, "ended", status="answered", code=0, reason="caller_disconnect")

    def _enqueue(self, call: Call, queue: Queue, token: int) -> None:
        if call.token != token or call.ended is not None:
            return
        call.token += 1
        call.queue = queue
        call.phase = "waiting"
        if call.legs and call.legs[-1].ended_time is None:
            call.legs[-1].ended_time = self.now
            call.legs[-1].end_reason = "referred"
        # The queue answers at once (music on hold) and refers the caller on.
        leg = Leg(queue.number, f"sip:{queue.number}@127.0.0.1:8916", self.now)
        leg.answered_time, leg.status = self.now, "answered"
        call.legs.append(leg)
        call.queue_leg = leg
        if call.cur != queue.number:
            call.cur, call.cur_name = queue.number, queue.name
            self.emit("call", call=call, what="reroute", target=queue.number, code=None)
            self.emit("call_update", call=call)
        caller = Caller(call=call, number=call.caller, name=call.caller_name, since=self.now)
        queue.waiting.append(caller)
        self.emit(
            "queue_caller",
            queue=queue,
            caller=caller,
            reason="enqueue",
            position=len(queue.waiting),
        )
        self._queue_changed(queue)
        rng = self.rng
        self.after(rng.expovariate(1 / 80.0) + 8, self._abandon, caller)
        self.after(queue.sla, self._sla_check, caller)
        self.after(queue.max_wait, self._overflow, caller)
        if rng.random() < 0.12:
            self.after(rng.uniform(25, 70), self._callback_request, caller)
        self.after(0, self._dispatch, queue)

    def _dispatch(self, queue: Queue) -> None:
        waiting = [c for c in queue.waiting if c.offered_to is None]
        if not waiting:
            return
        idle = [
            a
            for a in queue.agents
            if a.logged_in
            and a.base == "READY"
            and a.activity == ""
            and a.call is None
            and a.online
        ]
        if not idle:
            return
        idle.sort(key=lambda a: a.agent_since)
        for caller, agent in zip(waiting, idle, strict=False):
            if caller.type == "callback":
                self._serve_callback(queue, caller, agent)
            else:
                caller.offered_to = agent
                call = caller.call
                call.phase = "queue_offer"
                call.agent = agent
                self._ring(call, agent, p_answer=0.9, p_reject=0.0, timeout=15.0, ring=(2, 7))

    def _position(self, queue: Queue, caller: Caller) -> int:
        return queue.waiting.index(caller) + 1

    def _remove_caller(self, queue: Queue, caller: Caller, reason: str) -> None:
        position = self._position(queue, caller)
        queue.waiting.remove(caller)
        self.emit("queue_caller", queue=queue, caller=caller, reason=reason, position=position)
        self._queue_changed(queue)

    def _queue_answered(self, call: Call, ext: Ext) -> None:
        queue = call.queue
        assert queue is not None
        caller = next((c for c in queue.waiting if c.call is call), None)
        ext.activity = "queue"
        call.agent = ext
        if call.queue_leg is not None and call.queue_leg.ended_time is None:
            call.queue_leg.ended_time = self.now
            call.queue_leg.end_reason = "referred"
        if caller is not None:
            self._remove_caller(queue, caller, "agent_answered")

    def _queue_offer_failed(self, call: Call, ext: Ext) -> None:
        """The agent missed the call: the caller stays queued, the agent goes not ready."""
        queue = call.queue
        assert queue is not None
        call.phase = "waiting"
        call.agent = None
        for c in queue.waiting:
            if c.call is call:
                c.offered_to = None
        ext.base = "NOT_READY"
        ext.brk_token += 1
        self.after(self.rng.uniform(15, 60), self._break_end, ext, ext.brk_token)
        self._refresh_agent(ext)
        self.after(0, self._dispatch, queue)

    def _still_waiting(self, caller: Caller) -> bool:
        q = caller.call.queue
        return (
            q is not None
            and caller.type == "normal"
            and caller in q.waiting
            and caller.call.ended is None
        )

    def _abandon(self, caller: Caller) -> None:
        if not self._still_waiting(caller):
            return
        queue = caller.call.queue
        assert queue is not None
        self._remove_caller(queue, caller, "hangup")
        self._end(caller.call, "ended", status="noanswer", code=0, reason="caller_disconnect")

    def _sla_check(self, caller: Caller) -> None:
        if not self._still_waiting(caller) or caller.breached:
            return
        queue = caller.call.queue
        assert queue is not None
        caller.breached = True
        queue.breaches += 1
        self.emit("sla", queue=queue, caller=caller)

    def _overflow(self, caller: Caller) -> None:
        if not self._still_waiting(caller):
            return
        if caller.offered_to is not None:
            self.after(10.0, self._overflow, caller)
            return
        queue = caller.call.queue
        assert queue is not None
        call = caller.call
        self._remove_caller(queue, caller, "overflow")
        call.token += 1
        call.phase = "voicemail"
        if call.queue_leg is not None:
            call.queue_leg.ended_time = self.now
            call.queue_leg.end_reason = "overflow"
        call.legs.append(Leg(VOICEMAIL_NUMBER, f"sip:{VOICEMAIL_NUMBER}@127.0.0.1:5067", self.now))
        call.cur, call.cur_name = VOICEMAIL_NUMBER, "Voicemail"
        self.emit("call", call=call, what="reroute", target=VOICEMAIL_NUMBER, code=None)
        self.emit("call_update", call=call)
        call.legs[-1].answered_time = self.now
        call.legs[-1].status = "answered"
        call.target = VOICEMAIL_NUMBER
        self.after(self.rng.uniform(10, 40), self._ivr_hangup, call, call.token)

    def _callback_request(self, caller: Caller) -> None:
        if not self._still_waiting(caller) or caller.offered_to is not None:
            return
        queue = caller.call.queue
        assert queue is not None
        caller.type = "callback"
        self.emit(
            "queue_caller",
            queue=queue,
            caller=caller,
            reason="callback",
            position=self._position(queue, caller),
        )
        self._queue_changed(queue)
        self._end(caller.call, "ended", status="answered", code=0, reason="callback_requested")

    def _serve_callback(self, queue: Queue, caller: Caller, agent: Ext) -> None:
        self._remove_caller(queue, caller, "agent_answered")
        agent.activity = "queue"
        self._outbound_call(agent, caller.number, caller.name, caller)
