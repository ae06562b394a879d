"""A v16 contact center: queue calls, agents in several queues, CDRs (the `queues` mix).

v16 tells a call's life through `cdr_events` (`call_start`, `call_cdr`) and
what happens around it: `queue_caller_status` (enqueue, agent_answered,
hangup, overflow, callback), `queue_agent_status` and `extension_agent_status`
as agents go QUEUE_CALL / OTHER_CALL / WRAP_UP / READY in each of their
queues, `extension_call` as phones ring and talk, `queue_sla_breached`, and
agents' breaks (`extension_presence`, NOT_READY). Shapes follow
shared/protocol/examples/v16 (type drift included: string timestamps and
positions, a numeric top-level CDR `talk_duration`). A transfer shows as the
new party's `extension_call` and a second `call_targets` leg (end_reason
`referred`), as in the documented CDR.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wallboard.bench.tenant import (
    BREAK,
    IDLE,
    OTHER,
    QUEUE,
    RINGING,
    WRAP,
    Episode,
    Tenant,
    dump,
    dwell,
)


class ContactCenterV16(Tenant):
    dialect = "v16"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        n = len(self.exts)
        # What each agent last told per queue (so only changes are sent).
        self.told: list[dict[int, str]] = [{} for _ in range(n)]
        self.breaches = [0] * len(self.queue_ids)

    def pictures(self) -> Iterator[str]:
        """extension_status (100 per frame) and every queue's queue_status, as after a subscribe."""
        for lo in range(0, len(self.exts), 100):
            yield dump(
                {
                    "event_type": "extension_status",
                    "tenant_id": self.tenant_id,
                    "status": [
                        {
                            "extension": self.uri(self.exts[i]),
                            "extension_id": self.ext_ids[i],
                            "call_status": "",
                            "online": True,
                            "presence": "AVAILABLE",
                            "presence_note": "",
                            "push_online": False,
                            "time": self.ts,
                        }
                        for i in range(lo, min(len(self.exts), lo + 100))
                    ],
                }
            )
        for a in range(self.n_agents):
            for q in self.queues_of[a]:
                self.told[a][q] = "READY"
            self.since[a] = self.ts
        for q in range(len(self.queue_ids)):
            yield self.queue_status(q)

    def new_episode(self) -> Episode:
        r = self.rng.random()
        if r < 0.80:
            return self._queue_call()
        if r < 0.90:
            return self._outbound()
        if r < 0.97:
            return self._break()
        return self._device_flap()

    # ---------------------------------------------------------------- frames
    def _ext_call(self, e: int, status: str) -> str:
        return dump(
            {
                "event_type": "extension_call",
                "extension": self.uri(self.exts[e]),
                "call_status": status,
                "tenant_id": self.tenant_id,
                "extension_id": self.ext_ids[e],
                "time": self.ts,
            }
        )

    def _caller_status(
        self, q: int, sid: str, number: str, name: str, reason: str, position: int, kind: str
    ) -> str:
        entry: dict[str, Any] = {"position": str(position), "session_id": sid}
        entry["caller_number"] = number
        if name:
            entry["caller_name"] = name
        entry |= {"reason": reason, "timestamp": self.ts, "type": kind}
        return dump(
            {
                "event_type": "queue_caller_status",
                "tenant_id": self.tenant_id,
                "queue_id": self.queue_ids[q],
                "updated_callers": [entry],
            }
        )

    def _agent_frames(self, a: int) -> Iterator[str]:
        """What agent `a`'s queues now show, for the queues where it changed."""
        told = self.told[a]
        changed = [q for q in self.queues_of[a] if told.get(q) != self.agent_state(a, q)]
        if not changed:
            return
        for q in changed:
            told[q] = self.agent_state(a, q)
        if len(self.queues_of[a]) > 1:
            yield dump(
                {
                    "agent_status": [
                        {"queue_number": self.queue_numbers[q], "status": told[q]}
                        for q in self.queues_of[a]
                    ],
                    "event_type": "extension_agent_status",
                    "extension": self.uri(self.exts[a]),
                    "extension_id": self.ext_ids[a],
                    "tenant_id": self.tenant_id,
                    "time": self.ts,
                }
            )
        for q in changed:
            yield dump(
                {
                    "event_type": "queue_agent_status",
                    "queue_id": self.queue_ids[q],
                    "tenant_id": self.tenant_id,
                    "updated_agents": [self.agent_entry(a, q)],
                    "removed_agents": [],
                }
            )

    def _call_start(
        self, sid: str, cdr_id: str, call_id: str, caller: str, name: str, callee: str, **kw: str
    ) -> str:
        return dump(
            {
                "event_type": "call_start",
                "time": self.ts,
                "session_id": sid,
                "cdr_id": cdr_id,
                "direction": kw.get("direction", "inbound"),
                "user_data": "",
                "call_id": call_id,
                "caller_display_name": name,
                "caller": caller,
                "callee_display_name": kw.get("callee_name", ""),
                "callee": callee,
                "tenant_id": self.tenant_id,
                "did": kw.get("did", ""),
                "outbound_caller_id": "",
            }
        )

    # -------------------------------------------------------------- episodes
    def _queue_call(self) -> Episode:
        rng = self.rng
        q = rng.randrange(len(self.queue_ids))
        sid, cdr_id, call_id = self.new_id(), self.new_id(), self.call_id()
        number = self.external_number()
        name = self.caller_name(number)
        did = "1880" + self.queue_numbers[q][-4:]
        trunk = "carrier-1" if rng.random() < 0.7 else "carrier-2"
        start = self.ts
        legs: list[dict[str, Any]] = []
        yield self._call_start(
            sid,
            cdr_id,
            call_id,
            number,
            name,
            self.queue_numbers[q],
            callee_name=self.queue_names[q],
            did=did,
        )
        yield from dwell(rng, 0, 2)  # the greeting
        self.waiting[q].append((sid, number, name, self.ts))
        yield self._caller_status(q, sid, number, name, "enqueue", len(self.waiting[q]), "normal")
        queued_at = self.ts
        patience = rng.randint(3, 16)
        overflowed = breached = False
        waited = 0
        agent: int | None = None
        while agent is None:
            agent = self.free_agent(q)
            if agent is not None:
                break
            waited += 1
            if waited == 5 and not breached and rng.random() < 0.5:
                breached = True
                self.breaches[q] += 1
                yield dump(
                    {
                        "event_type": "queue_sla_breached",
                        "queue_id": self.queue_ids[q],
                        "tenant_id": self.tenant_id,
                        "caller": number,
                        "total_callers_breached": self.breaches[q],
                        "sla_time_secs": (20, 30, 45, 60)[q % 4],
                        "waiting_callers": len(self.waiting[q]),
                        "timestamp": self.ts,
                    }
                )
                continue
            if waited < patience:
                yield None
                continue
            u = rng.random()
            pos = self.leave_queue(q, sid)
            if u < 0.2 and not overflowed and len(self.queue_ids) > 1:
                # Overflow into another queue and wait there once more.
                overflowed = True
                yield self._caller_status(q, sid, number, "", "overflow", pos, "normal")
                legs.append(
                    self.leg(
                        caller=number,
                        callee=self.queue_numbers[q],
                        did=did,
                        ring=queued_at,
                        answered=queued_at,
                        status="answered",
                        reason="overflow",
                        cdr_id=cdr_id,
                        trunk=trunk,
                    )
                )
                q = (q + 1 + rng.randrange(len(self.queue_ids) - 1)) % len(self.queue_ids)
                self.waiting[q].append((sid, number, name, self.ts))
                yield self._caller_status(
                    q, sid, number, name, "enqueue", len(self.waiting[q]), "normal"
                )
                queued_at = self.ts
                waited, patience = 0, rng.randint(3, 12)
                continue
            if u < 0.3:
                # A booked callback: listed until an agent calls back.
                yield self._caller_status(q, sid, number, name, "callback", pos, "callback")
                yield self.cdr(
                    sid=sid, call_id=call_id, caller=number, caller_name=name,
                    callee=self.queue_numbers[q], direction="inbound", did=did, start=start,
                    answered=None, status="noanswer", status_code=0,
                    reason="callback_requested", legs=legs, trunk=trunk,
                )  # fmt: skip
                yield from dwell(rng, 2, 8)
                yield self._caller_status(q, sid, number, name, "agent_answered", 1, "callback")
                return
            yield self._caller_status(q, sid, number, "", "hangup", pos, "normal")
            yield self.cdr(
                sid=sid, call_id=call_id, caller=number, caller_name=name,
                callee=self.queue_numbers[q], direction="inbound", did=did, start=start,
                answered=None, status="noanswer", status_code=0, reason="caller_disconnect",
                legs=legs, trunk=trunk,
            )  # fmt: skip
            return
        # An agent takes it: offered (ringing), answered, talk, maybe a transfer, CDR, wrap-up.
        self.set_activity(agent, RINGING, q)
        ring = self.ts
        yield self._ext_call(agent, "RINGING")
        yield from dwell(rng, 0, 2)
        pos = self.leave_queue(q, sid)
        answered = self.ts
        yield self._caller_status(q, sid, number, "", "agent_answered", pos, "normal")
        self.set_activity(agent, QUEUE, q)
        self.call_sid[agent] = sid
        self.call_caller[agent] = (number, name)
        yield from self._agent_frames(agent)
        yield self._ext_call(agent, "ON_CALL")
        yield from dwell(rng, 3, 14)
        party = agent
        if rng.random() < 0.12:
            other = self.free_ext(exclude=agent)
            if other is not None:
                self.set_activity(other, RINGING)
                legs.append(
                    self.leg(
                        caller=number, callee=self.exts[agent], did=did, ring=ring,
                        answered=answered, status="answered", reason="referred",
                        cdr_id=cdr_id, trunk=trunk,
                    )
                )  # fmt: skip
                ring = self.ts
                yield self._ext_call(other, "RINGING")
                yield self._ext_call(agent, "")
                self.set_activity(agent, WRAP, q)
                yield from self._agent_frames(agent)
                yield from dwell(rng, 0, 2)
                self.set_activity(other, OTHER)
                leg_answered = self.ts
                yield self._ext_call(other, "ON_CALL")
                yield from self._agent_frames(other)
                yield from dwell(rng, 2, 8)
                party = other
                answered_leg = leg_answered
            else:
                answered_leg = answered
        else:
            answered_leg = answered
        legs.append(
            self.leg(
                caller=number, callee=self.exts[party], did=did, ring=ring,
                answered=answered_leg, status="answered", reason="None",
                cdr_id=cdr_id, trunk=trunk,
            )
        )  # fmt: skip
        yield self.cdr(
            sid=sid, call_id=call_id, caller=number, caller_name=name,
            callee=self.queue_numbers[q], direction="inbound", did=did, start=start,
            answered=answered, status="answered", status_code=0,
            reason=rng.choice(("caller_disconnect", "callee_disconnect")), legs=legs,
            trunk=trunk,
        )  # fmt: skip
        yield self._ext_call(party, "")
        if party != agent:
            self.set_activity(party, IDLE)
            yield from self._agent_frames(party)
        else:
            self.set_activity(agent, WRAP, q)
            yield from self._agent_frames(agent)
        yield from dwell(rng, 1, 5)
        self.set_activity(agent, IDLE)
        yield from self._agent_frames(agent)

    def _outbound(self) -> Episode:
        """An agent (or any extension) calls out: OTHER_CALL in its queues, a CDR."""
        rng = self.rng
        e = self.free_ext()
        if e is None:
            return
        sid, cdr_id, call_id = self.new_id(), self.new_id(), self.call_id()
        number = self.external_number()
        start = self.ts
        self.set_activity(e, OTHER)
        yield self._call_start(
            sid, cdr_id, call_id, self.exts[e], self.names[e], number, direction="outbound"
        )
        yield self._ext_call(e, "ON_CALL")
        yield from self._agent_frames(e)
        yield from dwell(rng, 1, 3)
        u = rng.random()
        answered = self.ts if u < 0.75 else None
        if answered is not None:
            yield from dwell(rng, 2, 10)
        status, code, reason = (
            ("answered", 0, "caller_disconnect")
            if answered
            else (("noanswer", 408, "no_answer") if u < 0.9 else ("busy", 486, "callee_busy"))
        )
        leg = self.leg(
            caller=self.exts[e], callee=number, did="", ring=start, answered=answered,
            status="answered" if answered else "failed", reason="None", cdr_id=cdr_id,
            trunk="carrier-1", code=code,
        )  # fmt: skip
        yield self.cdr(
            sid=sid, call_id=call_id, caller=self.exts[e], caller_name=self.names[e],
            callee=number, direction="outbound", did="", start=start, answered=answered,
            status=status, status_code=code, reason=reason, legs=[leg], trunk="carrier-1",
        )  # fmt: skip
        yield self._ext_call(e, "")
        self.set_activity(e, IDLE)
        yield from self._agent_frames(e)

    def _break(self) -> Episode:
        rng = self.rng
        a = self.free_ext()
        if a is None or a >= self.n_agents:
            return
        self.set_activity(a, BREAK)
        presence = rng.choice(("AWAY", "LUNCH", "DO_NOT_DISTURB"))
        yield self._presence(a, presence, {"AWAY": "Back soon", "LUNCH": "Lunch"}.get(presence, ""))
        yield from self._agent_frames(a)
        yield from dwell(rng, 4, 20)
        self.set_activity(a, IDLE)
        yield from self._agent_frames(a)
        yield self._presence(a, "AVAILABLE", "")

    def _presence(self, e: int, presence: str, note: str) -> str:
        return dump(
            {
                "event_type": "extension_presence",
                "extension": self.uri(self.exts[e]),
                "presence": presence,
                "presence_note": note,
                "tenant_id": self.tenant_id,
                "extension_id": self.ext_ids[e],
                "time": self.ts,
            }
        )

    def _device_flap(self) -> Episode:
        """A phone drops off the network and comes back (extension_status of one entry)."""
        e = self.free_ext()
        if e is None:
            return
        self.set_activity(e, BREAK if e < self.n_agents else OTHER)
        for online in (False, True):
            yield dump(
                {
                    "event_type": "extension_status",
                    "status": [
                        {
                            "extension": self.uri(self.exts[e]),
                            "extension_id": self.ext_ids[e],
                            "call_status": "",
                            "online": online,
                            "presence": "AVAILABLE",
                            "presence_note": "",
                            "push_online": False,
                            "time": self.ts,
                        }
                    ],
                    "tenant_id": self.tenant_id,
                }
            )
            if not online:
                yield from dwell(self.rng, 2, 8)
        self.set_activity(e, IDLE)
