"""A v12 PBX whose traffic is mostly call lifecycles with `sip:` AORs (the `calls` mix).

Calls are direct inbound (DID → extension), internal, outbound, and a few
through small queues (hunt groups); each tells its life the v12 way:
`call_start` → `target_add` / `target_ringing` (a missed target:
`target_noanswer`, then the next one or voicemail by `call_reroute`) →
`call_established` (`call_target` = who answered) → `call_hold` /
`call_unhold` (`aor`, `peer_aor`) → maybe a transfer (`call_reroute` to the
new party, `target_ended` for the one who left, ringing, established) →
`call_ended` / `call_noanswer` / `call_fail` (`fail_code`), then the CDR
(`cdr_events`). Around them: `extension_register` refreshes, queues'
`queue_status` pictures on each change of a call's queue, and
`queue_member_state` for agents' breaks. Every address is `sip:NUM@domain`.
Shapes: shared/protocol/examples/v12; the undocumented ones (target_*,
call_reroute, queue_member_state) as the simulator renders them
(wallboard/sim/dialects.py).
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

VOICEMAIL = "7000"
USER_AGENTS = (
    "Yealink SIP-T46U 108.86.0.75",
    "PortSIP UC Client iOS - v16.0.001",
    "MicroSIP/3.21.3",
)


class CallsPbxV12(Tenant):
    dialect = "v12"

    def pictures(self) -> Iterator[str]:
        for q in range(len(self.queue_ids)):
            yield self.queue_status(q)

    def new_episode(self) -> Episode:
        r = self.rng.random()
        if r < 0.38:
            return self._inbound()
        if r < 0.63:
            return self._internal()
        if r < 0.85:
            return self._outbound()
        if r < 0.90:
            return self._queue_call()
        if r < 0.985:
            return self._register()
        return self._break()

    # ---------------------------------------------------------------- frames
    def _ev(
        self, c: dict[str, Any], event_type: str, target: str | None = None, **extra: Any
    ) -> str:
        """A v12 call event: the call's fields, `call_target` when it has one, the tail."""
        p: dict[str, Any] = {"call_id": c["call_id"]}
        if target is not None:
            p["call_target"] = self.uri(target) if target else ""
        p["callee"] = c["callee_uri"]
        p["caller"] = c["caller_uri"]
        p["event_type"] = event_type
        p |= extra
        p["session_id"] = c["sid"]
        p["tenant_id"] = self.tenant_id
        p["tenant_name"] = self.tenant_name
        p["time"] = self.ts
        return dump(p)

    def _start(self, c: dict[str, Any], direction: str) -> str:
        return dump(
            {
                "call_id": c["call_id"],
                "callee": c["callee_uri"],
                "caller": c["caller_uri"],
                "caller_display_name": c["name"],
                "cdr_id": c["cdr_id"],
                "direction": direction,
                "event_type": "call_start",
                "request_id": "0",
                "session_id": c["sid"],
                "tenant_id": self.tenant_id,
                "tenant_name": self.tenant_name,
                "time": self.ts,
            }
        )

    def _hold(self, c: dict[str, Any], aor: str, peer: str, held: bool) -> str:
        return dump(
            {
                "aor": self.uri(aor),
                "call_id": c["call_id"],
                "event_type": "call_hold" if held else "call_unhold",
                "peer_aor": self.uri(peer),
                "session_id": c["sid"],
                "tenant_id": self.tenant_id,
                "tenant_name": self.tenant_name,
                "time": self.ts,
            }
        )

    def _new_call(self, caller: str, name: str, callee: str) -> dict[str, Any]:
        return {
            "sid": self.new_id(),
            "cdr_id": self.new_id(),
            "call_id": self.call_id(),
            "caller": caller,
            "name": name,
            "callee": callee,
            "caller_uri": self.uri(caller),
            "callee_uri": self.uri(callee),
            "start": self.ts,
            "legs": [],
        }

    def _cdr(
        self,
        c: dict[str, Any],
        direction: str,
        answered: str | None,
        status: str,
        code: int,
        reason: str,
    ) -> str:
        return self.cdr(
            sid=c["sid"], call_id=c["call_id"], caller=c["caller"], caller_name=c["name"],
            callee=c["callee"], direction=direction, did=c.get("did", ""), start=c["start"],
            answered=answered, status=status, status_code=code, reason=reason, legs=c["legs"],
            trunk=c.get("trunk", ""),
        )  # fmt: skip

    def _leg(
        self,
        c: dict[str, Any],
        callee: str,
        ring: str,
        answered: str | None,
        status: str,
        reason: str,
        code: int = 0,
    ) -> None:
        c["legs"].append(
            self.leg(
                caller=c["caller"], callee=callee, did=c.get("did", ""), ring=ring,
                answered=answered, status=status, reason=reason, cdr_id=c["cdr_id"],
                trunk=c.get("trunk", ""), code=code,
            )
        )  # fmt: skip

    # -------------------------------------------------------------- episodes
    def _talk(self, c: dict[str, Any], who: str, peer: str) -> Episode:
        """Talking, sometimes with a hold in the middle."""
        rng = self.rng
        yield from dwell(rng, 2, 10)
        if rng.random() < 0.22:
            yield self._hold(c, who, peer, True)
            yield from dwell(rng, 1, 4)
            yield self._hold(c, who, peer, False)
            yield from dwell(rng, 1, 5)

    def _ring_ext(self, c: dict[str, Any], e: int) -> Episode:
        """Ring extension `e` (one or two devices): target_add, target_ringing."""
        n = 2 if self.rng.random() < 0.3 else 1
        for _ in range(n):
            yield self._ev(c, "target_add", self.exts[e])
        for _ in range(n):
            yield self._ev(c, "target_ringing", self.exts[e])
        yield from dwell(self.rng, 0, 3)

    def _end(
        self, c: dict[str, Any], direction: str, answered: str | None, parties: list[int]
    ) -> Episode:
        yield self._ev(c, "call_ended", "")
        yield self._cdr(
            c,
            direction,
            answered,
            "answered",
            0,
            self.rng.choice(("caller_disconnect", "callee_disconnect")),
        )
        for e in parties:
            if self.activity[e] == QUEUE:
                self.set_activity(e, WRAP, self.call_queue[e])  # the queue's agent wraps up
            elif self.activity[e] != WRAP:
                self.set_activity(e, IDLE)

    def _answered_call(
        self, c: dict[str, Any], direction: str, e: int, ring: str, parties: list[int]
    ) -> Episode:
        """`e` picked up: established, talk, maybe a transfer, the end."""
        rng = self.rng
        answered = self.ts
        self.set_activity(e, OTHER if self.activity[e] != QUEUE else QUEUE, self.call_queue[e])
        yield self._ev(c, "call_established", self.exts[e])
        other_party = c["caller"] if c["caller"] != self.exts[e] else c["callee"]
        yield from self._talk(c, self.exts[e], other_party)
        leg_answered = answered
        if rng.random() < 0.1:
            t2 = self.free_ext(exclude=e)
            if t2 is not None:
                # Blind transfer: the PBX reroutes the call to the new party.
                self._leg(c, self.exts[e], ring, leg_answered, "answered", "referred")
                self.set_activity(t2, RINGING)
                parties.append(t2)
                yield self._ev(c, "call_reroute", self.exts[t2])
                yield self._ev(c, "target_ended", self.exts[e])
                self.set_activity(
                    e, WRAP if self.activity[e] == QUEUE else IDLE, self.call_queue[e]
                )
                ring = self.ts
                yield self._ev(c, "target_ringing", self.exts[t2])
                yield from dwell(rng, 0, 2)
                self.set_activity(t2, OTHER)
                leg_answered = self.ts
                yield self._ev(c, "call_established", self.exts[t2])
                yield from self._talk(c, self.exts[t2], c["caller"])
                e = t2
        self._leg(c, self.exts[e], ring, leg_answered, "answered", "None")
        yield from self._end(c, direction, answered, parties)

    def _inbound(self) -> Episode:
        """DID → extension: answered, missed (to voicemail or not), or busy."""
        rng = self.rng
        # Mostly someone free (callers call who answers), sometimes whoever it is.
        e = self.free_ext() if rng.random() < 0.9 else None
        if e is None:
            e = rng.randrange(len(self.exts))
        number = self.external_number()
        c = self._new_call(number, self.caller_name(number), self.exts[e])
        c["did"] = "1880" + self.exts[e][-4:]
        c["trunk"] = "carrier-1"
        yield self._start(c, "in")
        if self.activity[e] != IDLE:
            self._leg(c, self.exts[e], c["start"], None, "failed", "callee_busy", 486)
            yield self._ev(c, "call_fail", "", fail_code=486)
            yield self._cdr(c, "inbound", None, "busy", 486, "callee_busy")
            return
        self.set_activity(e, RINGING)
        ring = self.ts
        yield from self._ring_ext(c, e)
        u = rng.random()
        if u < 0.78:
            yield from self._answered_call(c, "inbound", e, ring, [e])
            return
        yield self._ev(c, "target_noanswer", self.exts[e])
        self._leg(c, self.exts[e], ring, None, "noanswer", "no_answer", 408)
        self.set_activity(e, IDLE)
        if u < 0.9:
            # Forwarded on no answer to voicemail.
            yield self._ev(c, "call_reroute", VOICEMAIL)
            answered = self.ts
            yield self._ev(c, "call_established", VOICEMAIL)
            yield from dwell(rng, 1, 5)
            self._leg(c, VOICEMAIL, answered, answered, "answered", "None")
            yield self._ev(c, "call_ended", "")
            yield self._cdr(c, "inbound", answered, "answered", 0, "caller_disconnect")
            return
        yield self._ev(c, "call_noanswer", "")
        yield self._cdr(c, "inbound", None, "noanswer", 408, "no_answer")

    def _internal(self) -> Episode:
        rng = self.rng
        a = self.free_ext()
        if a is None:
            return
        b = self.free_ext(exclude=a) if rng.random() < 0.9 else None
        if b is None:
            b = rng.randrange(len(self.exts))
        if b == a:
            return
        self.set_activity(a, OTHER)
        c = self._new_call(self.exts[a], self.names[a], self.exts[b])
        yield self._start(c, "ext")
        if self.activity[b] != IDLE or rng.random() < 0.05:
            code = 486 if self.activity[b] != IDLE else 480
            self._leg(c, self.exts[b], c["start"], None, "failed", "failed", code)
            yield self._ev(c, "call_fail", "", fail_code=code)
            yield self._cdr(c, "internal", None, "failed", code, "failed")
            self.set_activity(a, IDLE)
            return
        self.set_activity(b, RINGING)
        ring = self.ts
        yield from self._ring_ext(c, b)
        if rng.random() < 0.85:
            yield from self._answered_call(c, "internal", b, ring, [a, b])
            return
        yield self._ev(c, "target_noanswer", self.exts[b])
        self._leg(c, self.exts[b], ring, None, "noanswer", "no_answer", 408)
        yield self._ev(c, "call_noanswer", "")
        yield self._cdr(c, "internal", None, "noanswer", 408, "no_answer")
        self.set_activity(a, IDLE)
        self.set_activity(b, IDLE)

    def _outbound(self) -> Episode:
        rng = self.rng
        a = self.free_ext()
        if a is None:
            return
        number = self.external_number()
        self.set_activity(a, OTHER)
        c = self._new_call(self.exts[a], self.names[a], number)
        c["trunk"] = "carrier-1"
        yield self._start(c, "out")
        ring = self.ts
        yield self._ev(c, "target_add", number)
        yield self._ev(c, "target_ringing", number)
        yield from dwell(rng, 0, 3)
        u = rng.random()
        if u < 0.75:
            answered = self.ts
            yield self._ev(c, "call_established", number)
            yield from self._talk(c, self.exts[a], number)
            self._leg(c, number, ring, answered, "answered", "None")
            yield from self._end(c, "outbound", answered, [a])
            return
        if u < 0.88:
            yield self._ev(c, "target_noanswer", number)
            self._leg(c, number, ring, None, "noanswer", "no_answer", 408)
            yield self._ev(c, "call_noanswer", "")
            yield self._cdr(c, "outbound", None, "noanswer", 408, "no_answer")
        else:
            code = rng.choice((486, 404, 503))
            yield self._ev(c, "target_fail", number, fail_code=code)
            self._leg(c, number, ring, None, "failed", "failed", code)
            yield self._ev(c, "call_fail", "", fail_code=code)
            yield self._cdr(
                c, "outbound", None, "busy" if code == 486 else "failed", code, "failed"
            )
        self.set_activity(a, IDLE)

    def _queue_call(self) -> Episode:
        """DID → a small queue: pictures on each change, the agents rung in turn."""
        rng = self.rng
        q = rng.randrange(len(self.queue_ids))
        number = self.external_number()
        c = self._new_call(number, self.caller_name(number), self.queue_numbers[q])
        c["did"] = "1880" + self.queue_numbers[q][-4:]
        c["trunk"] = "carrier-1"
        sid = c["sid"]
        yield self._start(c, "in")
        self.waiting[q].append((sid, number, c["name"], self.ts))
        yield self.queue_status(q)
        patience = rng.randint(3, 14)
        for _turn in range(patience):
            a = self.free_agent(q)
            if a is None:
                yield None
                continue
            self.set_activity(a, RINGING, q)
            ring = self.ts
            yield from self._ring_ext(c, a)
            if rng.random() < 0.1:
                yield self._ev(c, "target_noanswer", self.exts[a])
                self._leg(c, self.exts[a], ring, None, "noanswer", "no_answer", 408)
                self.set_activity(a, IDLE)
                continue
            self.leave_queue(q, sid)
            self.set_activity(a, QUEUE, q)
            self.call_sid[a] = sid
            self.call_caller[a] = (number, c["name"])
            yield self.queue_status(q)
            yield from self._answered_call(c, "inbound", a, ring, [a])
            yield self.queue_status(q)  # the agent in wrap-up
            yield from dwell(rng, 1, 4)
            self.set_activity(a, IDLE)
            yield self.queue_status(q)
            return
        self.leave_queue(q, sid)
        yield self.queue_status(q)
        yield self._ev(c, "call_ended", "")
        yield self._cdr(c, "inbound", None, "noanswer", 0, "caller_disconnect")

    def _register(self) -> Episode:
        """A phone refreshes its registration (sometimes one device goes away)."""
        rng = self.rng
        e = rng.randrange(len(self.exts))
        number = self.exts[e]
        now = int(self.ts)
        contacts = []
        for k in range(rng.choice((1, 1, 1, 2))):
            addr = f"10.{e % 200}.{k}.{e % 250 + 2}:{5060 + k}"
            inst = f"<urn:uuid:{e:08X}-{k:04X}-4E7A-9EB7-DA940E56513C>"
            contacts.append(
                {
                    "contact_uri": f'<sip:{number}@{addr}>;+sip.instance="{inst}"',
                    "expires": now + 300,
                    "instance": inst,
                    "last_update": now,
                    "public_address": addr,
                    "received_from": addr,
                    "reg_id": 0,
                    "user_agent": USER_AGENTS[(e + k) % len(USER_AGENTS)],
                }
            )
        p: dict[str, Any] = {
            "event_type": "extension_register",
            "extension": self.uri(number),
            "extension_id": self.ext_ids[e],
            "registration_contacts": contacts,
        }
        if len(contacts) == 1 and rng.random() < 0.1:
            gone = dict(contacts[0], contact_uri=contacts[0]["contact_uri"] + ";expires=0")
            gone["instance"] = gone["instance"].replace("4E7A", "5F8B")
            p["removed_contacts"] = [gone]
        p |= {"tenant_id": self.tenant_id, "tenant_name": self.tenant_name, "time": self.ts}
        yield dump(p)

    def _break(self) -> Episode:
        """An agent sets itself not ready in its queues, and later ready again."""
        a = self.free_agent(self.rng.randrange(len(self.queue_ids)))
        if a is None:
            return
        self.set_activity(a, BREAK)
        for state in ("NOT_READY", "READY"):
            for q in self.queues_of[a]:
                yield dump(
                    {
                        "event_type": "queue_member_state",
                        "tenant_id": self.tenant_id,
                        "queue_id": self.queue_ids[q],
                        "queue_number": self.queue_numbers[q],
                        "agent_extension_number": self.exts[a],
                        "state": state,
                        "time": self.ts,
                    }
                )
            if state == "NOT_READY":
                yield from dwell(self.rng, 4, 16)
        self.set_activity(a, IDLE)
