"""Calls: ringing, talking, holding, transferring and ending, and calls out over a trunk.

How a ring ends (answered, rejected, not answered in time) is decided when it
starts, and scheduled. Every scheduled action of a call carries the call's
`token` as it was then; anything that moves the call on bumps it, so an
action whose moment has passed (the ring of a caller who hung up, the end of
a talk that was transferred) finds a stale token and does nothing.
"""

from __future__ import annotations

from wallboard.sim.agents import Agents
from wallboard.sim.entities import Call, Caller, Ext, Leg
from wallboard.sim.trunks import Trunks


class Calls(Agents, Trunks):
    """A call's life from its first ring to its CDR."""

    def _new_call(
        self,
        caller: str,
        caller_name: str,
        callee: str,
        callee_name: str,
        direction: str,
    ) -> Call:
        sid = self.new_id()
        call = Call(
            session_id=sid,
            cdr_id=self.new_id(),
            call_id=self._call_id(),
            caller=caller,
            caller_name=caller_name,
            callee=callee,
            callee_name=callee_name,
            direction=direction,
            started=self.now,
            cur=callee,
            cur_name=callee_name,
        )
        self.calls[sid] = call
        return call

    def _ring(
        self,
        call: Call,
        ext: Ext,
        *,
        p_answer: float,
        p_reject: float,
        timeout: float,
        ring: tuple[float, float] = (2.0, 9.0),
    ) -> None:
        """Ring every registered device of `ext`; decide now how it ends."""
        call.token += 1
        call.ringing = ext
        call.add_party(ext.number)
        ext.call = call
        call.legs.append(
            Leg(
                callee=ext.number,
                destination=self._destination(ext),
                ring_time=self.now,
            )
        )
        for _ in ext.contacts:
            self.emit("target", call=call, what="add", target=ext.number, code=None)
        for _ in ext.contacts:
            self.emit("target", call=call, what="ringing", target=ext.number, code=None)
        self._set_call_status(ext, "RINGING")
        u = self.rng.random()
        if u < p_answer:
            self.after(self.rng.uniform(*ring), self._answered, call, ext, call.token)
        elif u < p_answer + p_reject:
            self.after(self.rng.uniform(1, 5), self._rejected, call, ext, call.token)
        else:
            self.after(timeout, self._no_answer, call, ext, call.token)

    @staticmethod
    def _destination(ext: Ext) -> str:
        addr = ext.contacts[0].address if ext.contacts else "0.0.0.0:0"
        return f"sip:{ext.number}@{addr}"

    def _stop_ringing(self, call: Call, ext: Ext, what: str, code: int | None) -> None:
        """The ringing devices of `ext` stop: noanswer / fail / ended."""
        for _ in ext.contacts or [None]:
            self.emit("target", call=call, what=what, target=ext.number, code=code)
        call.ringing = None
        if ext.call is call:
            ext.call = None
        self._set_call_status(ext, "")
        leg = call.legs[-1]
        leg.ended_time = self.now
        leg.status = {"noanswer": "noanswer", "fail": "failed", "ended": "cancelled"}[what]
        leg.status_code = code or 0
        if ext.queue is not None:
            self._refresh_agent(ext)
            self.after(0, self._dispatch, ext.queue)

    def _answered(self, call: Call, ext: Ext, token: int) -> None:
        if call.token != token or call.ended is not None:
            return
        call.token += 1
        call.ringing = None
        # Other devices of the extension stop ringing when one picks up.
        for _ in ext.contacts[1:]:
            self.emit("target", call=call, what="ended", target=ext.number, code=None)
        leg = call.legs[-1]
        leg.answered_time = self.now
        leg.status = "answered"
        if call.answered is None:
            call.answered = self.now
        call.target = ext.number
        phase = call.phase
        if phase == "queue_offer":
            self._queue_answered(call, ext)
        else:
            ext.activity = "other"
        self._set_call_status(ext, "ON_CALL")
        call.phase = "talk"
        self.emit("call", call=call, what="established", target=ext.number, code=None)
        if phase in ("queue_offer", "transfer"):
            call.cur, call.cur_name = ext.number, ext.name
            self.emit("call_update", call=call)
        if ext.queue is not None:
            self._refresh_agent(ext)
        mean = 35.0 if phase == "queue_offer" else 25.0
        self._talk(call, ext, self.rng.expovariate(1 / mean) + 8)

    def _talk(self, call: Call, ext: Ext, talk: float) -> None:
        talk = min(talk, 900.0)
        if self.rng.random() < 0.22:
            hold_at = talk * self.rng.uniform(0.2, 0.6)
            hold_len = self.rng.uniform(5, 40)
            self.after(hold_at, self._hold, call, ext, call.token, True)
            self.after(hold_at + hold_len, self._hold, call, ext, call.token, False)
            talk += hold_len
        self.after(talk, self._talk_end, call, ext, call.token)

    def _hold(self, call: Call, ext: Ext, token: int, held: bool) -> None:
        if call.token != token or call.ended is not None:
            return
        call.held = held
        peer = call.caller if call.caller != ext.number else call.callee
        self.emit("hold", call=call, aor=ext.number, peer=peer, held=held)

    def _rejected(self, call: Call, ext: Ext, token: int) -> None:
        if call.token != token or call.ended is not None:
            return
        call.token += 1
        self._stop_ringing(call, ext, "fail", 486)
        if call.phase == "queue_offer":
            self._queue_offer_failed(call, ext)
        else:
            self._end(call, "fail", status="busy", code=486, reason="callee_busy")

    def _no_answer(self, call: Call, ext: Ext, token: int) -> None:
        if call.token != token or call.ended is not None:
            return
        call.token += 1
        self._stop_ringing(call, ext, "noanswer", 408)
        if call.phase == "queue_offer":
            self._queue_offer_failed(call, ext)
        else:
            self._end(call, "noanswer", status="noanswer", code=408, reason="no_answer")

    def _talk_end(self, call: Call, ext: Ext, token: int) -> None:
        if call.token != token or call.ended is not None:
            return
        if call.held:
            self._hold(call, ext, token, False)
        if (
            call.agent is ext
            and call.direction == "inbound"
            and self.rng.random() < 0.1
            and self._transfer(call, ext)
        ):
            return
        self.emit("target", call=call, what="ended", target=call.target, code=None)
        self._end(
            call,
            "ended",
            status="answered",
            code=0,
            reason=self.rng.choice(("caller_disconnect", "callee_disconnect")),
        )

    def _hangup_party(self, call: Call, ext: Ext, end_reason: str) -> None:
        """`ext` leaves the call: its device ends, the agent wraps up."""
        self.emit("target", call=call, what="ended", target=ext.number, code=None)
        leg = call.legs[-1] if call.legs else None
        if leg is not None and leg.ended_time is None:
            leg.ended_time = self.now
            leg.end_reason = end_reason
        if ext.call is call:
            ext.call = None
        self._set_call_status(ext, "")
        self._release(ext, wrap=ext.activity == "queue")

    def _end(self, call: Call, what: str, *, status: str, code: int, reason: str) -> None:
        """The call is over: final call event, idle parties, CDR."""
        if call.ended is not None:
            return
        call.token += 1
        call.ended = self.now
        call.status = status
        call.status_code = code
        call.end_reason = reason
        if call.ringing is not None:
            self._stop_ringing(call, call.ringing, "ended", None)
        for leg in call.legs:
            if leg.ended_time is None:
                leg.ended_time = self.now
        self.emit("call", call=call, what=what, target="", code=code if what == "fail" else None)
        for num in call.parties:
            ext = self.exts.get(num)
            if ext is not None and ext.call is call:
                ext.call = None
                self._set_call_status(ext, "")
                self._release(ext, wrap=ext.activity == "queue")
        self.emit("cdr", call=call)
        del self.calls[call.session_id]

    def _fail_now(self, call: Call, code: int, reason: str) -> None:
        if call.legs:
            call.legs[-1].status = "failed"
            call.legs[-1].status_code = code
        self._end(call, "fail", status="failed", code=code, reason=reason)

    def _transfer(self, call: Call, agent: Ext) -> bool:
        """Blind transfer by the agent to another free extension."""
        target = self._pick_free_ext(exclude=agent)
        if target is None:
            return False
        call.token += 1
        call.cur, call.cur_name = target.number, target.name
        self.emit("call", call=call, what="reroute", target=target.number, code=None)
        self._hangup_party(call, agent, "referred")
        call.phase = "transfer"
        call.agent = None
        self._ring(call, target, p_answer=0.8, p_reject=0.0, timeout=20.0)
        return True

    # --- calls to the outside world -----------------------------------------

    def _outbound_call(self, a: Ext, number: str, name: str, caller: Caller | None = None) -> None:
        call = self._new_call(a.number, a.name, number, name or number, "outbound")
        call.phase = "callback" if caller else "outbound"
        call.add_party(a.number)
        a.call = call
        if caller is None:
            a.activity = "other"
        self.emit("call_start", call=call)
        self._set_call_status(a, "ON_CALL")
        if a.queue is not None:
            self._refresh_agent(a)
        trunk = self._connected_trunk()
        call.legs.append(Leg(number, f"sip:{number}@trunk", self.now))
        if trunk is None:
            self.after(0.5, self._fail_now, call, 503, "trunk_unavailable")
            return
        call.trunk = trunk.name
        self.emit("target", call=call, what="add", target=number, code=None)
        self.emit("target", call=call, what="ringing", target=number, code=None)
        u = self.rng.random()
        if u < 0.72:
            self.after(self.rng.uniform(3, 14), self._remote_answer, call, a, call.token)
        elif u < 0.86:
            self.after(30.0, self._remote_noanswer, call, number, call.token)
        elif u < 0.96:
            self.after(self.rng.uniform(1, 4), self._remote_fail, call, number, 486, call.token)
        else:
            self.after(self.rng.uniform(1, 4), self._remote_fail, call, number, 404, call.token)

    def _remote_answer(self, call: Call, a: Ext, token: int) -> None:
        if call.token != token or call.ended is not None:
            return
        call.token += 1
        call.answered = self.now
        call.target = call.callee
        call.legs[-1].answered_time = self.now
        call.legs[-1].status = "answered"
        call.phase = "talk"
        self.emit("call", call=call, what="established", target=call.callee, code=None)
        self._talk(call, a, self.rng.expovariate(1 / 30.0) + 8)

    def _remote_noanswer(self, call: Call, number: str, token: int) -> None:
        if call.token != token or call.ended is not None:
            return
        self.emit("target", call=call, what="noanswer", target=number, code=None)
        self._end(call, "noanswer", status="noanswer", code=408, reason="no_answer")

    def _remote_fail(self, call: Call, number: str, code: int, token: int) -> None:
        if call.token != token or call.ended is not None:
            return
        self.emit("target", call=call, what="fail", target=number, code=code)
        call.legs[-1].status = "failed"
        call.legs[-1].status_code = code
        self._end(
            call, "fail", status="busy" if code == 486 else "failed", code=code, reason="failed"
        )

    # --- queue hooks ---------------------------------------------------------

    def _queue_answered(self, call: Call, ext: Ext) -> None:
        """An agent picked up a caller its queue offered it.

        The queue layer (sim/queues.py) takes the caller off the queue; it is
        declared here because this layer sees the answer.
        """
        raise NotImplementedError

    def _queue_offer_failed(self, call: Call, ext: Ext) -> None:
        """An agent rejected or missed a caller its queue offered it.

        What follows (the caller stays queued, the agent pauses) is the queue
        layer's (sim/queues.py) to decide.
        """
        raise NotImplementedError
