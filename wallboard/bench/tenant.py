"""What the generated PBXs share: a virtual clock, episodes, ids, agents in several queues.

A tenant's traffic is a set of *episodes* in flight (a call, an agent's
break, a re-registration), each a Python generator that yields the frames it
sends in order, or ``None`` for "nothing yet" (ringing, talking, waiting).
Every step the stream either starts a new episode or advances a random one,
so episodes interleave the way a busy PBX's do, and each frame reads the
clock when it is made: times within a call are therefore consistent (start
≤ answer ≤ end, CDR durations = the differences). Everything comes from one
`random.Random`; no set is ever iterated, so string hashing cannot change the
order and the same seed gives the same bytes.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import orjson

Episode = Iterator[str | None]

FIRST_NAMES = ("Thomas", "Maria", "James", "Lena", "Omar", "Sofia", "Peter", "Aiko", "Wei", "Ana")
LAST_NAMES = ("Young", "Schmidt", "Brown", "Moreau", "Haddad", "Rossi", "Novak", "Chen", "Ruiz")
QUEUE_NAMES = ("Sales", "Support", "Billing", "Returns", "Tech", "VIP", "Claims", "Renewals")
_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

# What an agent is doing (per extension), and how that reads in each of its queues.
IDLE, RINGING, QUEUE, OTHER, WRAP, BREAK = "", "ringing", "queue", "other", "wrap", "break"


def dump(obj: dict[str, Any]) -> str:
    return orjson.dumps(obj).decode()


class Tenant:
    """One PBX tenant: extensions (some of them agents of one to three queues) and episodes."""

    dialect = "v16"

    def __init__(
        self,
        rng: random.Random,
        *,
        tenant_id: str,
        tenant_name: str,
        domain: str,
        extensions: int,
        queues: int,
        agents: int,
        ext_base: int,
        queue_base: int,
        target: int,
    ) -> None:
        self.rng = rng
        self.tenant_id = tenant_id
        self.tenant_name = tenant_name
        self.domain = domain
        self.now = 0.0
        self.ts = "0"
        self.target = max(1, target)
        self.active: list[Episode] = []
        self._seq = 0
        self._id_base = int(tenant_id[:6]) * 10**12
        n_ext = max(1, extensions)
        n_q = max(1, queues)
        self.exts = [str(ext_base + i) for i in range(n_ext)]
        self.ext_ids = [str(int(tenant_id) + 1000 + i) for i in range(n_ext)]
        self.names = [
            f"{FIRST_NAMES[i % len(FIRST_NAMES)]} {LAST_NAMES[(i // 7) % len(LAST_NAMES)]}"
            for i in range(n_ext)
        ]
        self.queue_numbers = [str(queue_base + q) for q in range(n_q)]
        self.queue_ids = [str(int(tenant_id) + 500 + q) for q in range(n_q)]
        self.queue_names = [f"{QUEUE_NAMES[q % len(QUEUE_NAMES)]} {q + 1}" for q in range(n_q)]
        # Agents: the first `agents` extensions, each in one to three queues.
        n_agents = min(n_ext, max(1, agents))
        self.n_agents = n_agents
        self.members: list[list[int]] = [[] for _ in range(n_q)]
        self.queues_of: list[list[int]] = [[] for _ in range(n_ext)]
        for a in range(n_agents):
            mine = [a % n_q]
            extra = rng.choices((0, 1, 2), (50, 35, 15))[0]
            for _ in range(min(extra, n_q - 1)):
                q = rng.randrange(n_q)
                while q in mine:
                    q = (q + 1) % n_q
                mine.append(q)
            self.queues_of[a] = mine
            for q in mine:
                self.members[q].append(a)
        self.activity = [IDLE] * n_ext
        self.call_queue = [-1] * n_ext
        self.call_sid = [""] * n_ext
        self.call_caller = [("", "")] * n_ext
        self.since = ["0"] * n_ext
        self.waiting: list[list[tuple[str, str, str, str]]] = [[] for _ in range(n_q)]

    # ------------------------------------------------------------- stepping
    def step(self) -> str | None:
        """One frame: start an episode or advance one in flight (None: nothing to send)."""
        rng = self.rng
        active = self.active
        if len(active) < self.target and rng.random() < 0.6:
            active.append(self.new_episode())
            i = len(active) - 1
        elif active:
            i = rng.randrange(len(active))
        else:
            return None
        try:
            return next(active[i])
        except StopIteration:
            active[i] = active[-1]
            active.pop()
            return None

    def new_episode(self) -> Episode:
        raise NotImplementedError

    def pictures(self) -> Iterator[str]:
        """What the PBX sends right after a subscribe (nothing, unless a dialect resyncs)."""
        return iter(())

    # ------------------------------------------------------------------ ids
    def new_id(self) -> str:
        self._seq += 1
        return str(self._id_base + self._seq)

    def call_id(self) -> str:
        return "".join(self.rng.choice(_B64) for _ in range(22)) + ".."

    def external_number(self) -> str:
        return "0" + str(self.rng.randrange(10**8, 10**10))

    def caller_name(self, number: str) -> str:
        rng = self.rng
        if rng.random() < 0.25:
            return number
        return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"

    def uri(self, number: str) -> str:
        return f"sip:{number}@{self.domain}"

    # --------------------------------------------------------------- agents
    def free_agent(self, q: int) -> int | None:
        """A random idle member of queue `q`, if a few tries find one."""
        members = self.members[q]
        if not members:
            return None
        rng = self.rng
        activity = self.activity
        for _ in range(6):
            a = members[rng.randrange(len(members))]
            if activity[a] == IDLE:
                return a
        return None

    def free_ext(self, exclude: int = -1) -> int | None:
        rng = self.rng
        activity = self.activity
        for _ in range(6):
            e = rng.randrange(len(self.exts))
            if e != exclude and activity[e] == IDLE:
                return e
        return None

    def set_activity(self, a: int, what: str, q: int = -1) -> None:
        self.activity[a] = what
        self.call_queue[a] = q
        self.since[a] = self.ts
        if what != QUEUE:
            self.call_sid[a] = ""
            self.call_caller[a] = ("", "")

    def agent_state(self, a: int, q: int) -> str:
        """The state agent `a` shows in queue `q`."""
        what = self.activity[a]
        if what == QUEUE:
            return "QUEUE_CALL" if self.call_queue[a] == q else "OTHER_CALL"
        if what == WRAP:
            return "WRAP_UP" if self.call_queue[a] == q else "OTHER_CALL"
        if what == OTHER:
            return "OTHER_CALL"
        if what == BREAK:
            return "NOT_READY"
        return "READY"

    def agent_entry(self, a: int, q: int) -> dict[str, Any]:
        state = self.agent_state(a, q)
        entry: dict[str, Any] = {"state": state, "agent_extension_number": self.exts[a]}
        if state == "QUEUE_CALL":
            number, name = self.call_caller[a]
            entry |= {"session_id": self.call_sid[a], "caller_number": number, "caller_name": name}
        entry["timestamp"] = self.since[a]
        return entry

    def queue_status(self, q: int) -> str:
        """The full picture of one queue (v16 shape, which v12 also sends)."""
        return dump(
            {
                "event_type": "queue_status",
                "tenant_id": self.tenant_id,
                "queue_id": self.queue_ids[q],
                "queue_number": self.queue_numbers[q],
                "queue_name": self.queue_names[q],
                "waiting_list": [
                    {
                        "position": str(i),
                        "session_id": sid,
                        "caller_number": number,
                        "caller_name": name,
                        "timestamp": since,
                        "type": "normal",
                    }
                    for i, (sid, number, name, since) in enumerate(self.waiting[q], 1)
                ],
                "agents": [self.agent_entry(a, q) for a in self.members[q]],
            }
        )

    def leave_queue(self, q: int, sid: str) -> int:
        """Remove a caller from the waiting list; returns the position it had (1-based)."""
        w = self.waiting[q]
        for i, entry in enumerate(w):
            if entry[0] == sid:
                del w[i]
                return i + 1
        return 0

    # ------------------------------------------------------------------ CDR
    def cdr(
        self,
        *,
        sid: str,
        call_id: str,
        caller: str,
        caller_name: str,
        callee: str,
        direction: str,
        did: str,
        start: str,
        answered: str | None,
        status: str,
        status_code: int,
        reason: str,
        legs: list[dict[str, Any]],
        trunk: str,
    ) -> str:
        """`call_cdr` (the documented v16 shape, also v12's) with times that add up."""
        end = self.ts
        ring_end = answered if answered is not None else end
        talk = int(end) - int(answered) if answered is not None else 0
        p: dict[str, Any] = {}
        if answered is not None:
            p["answered_time"] = answered
        p |= {
            "call_id": call_id,
            "call_status": status,
            "call_targets": legs,
            "callee": callee,
            "callee_domain": self.domain,
            "caller": caller,
            "caller_display_name": caller_name,
            "caller_domain": "198.51.100.7" if direction == "inbound" else self.domain,
            "did": did,
            "direction": direction,
            "ended_reason": reason,
            "ended_time": end,
            "event_type": "call_cdr",
            "outbound_caller_id": "",
            "ring_duration": str(max(0, int(ring_end) - int(start))),
            "ring_time": start,
            "session_id": sid,
            "start_time": start,
            "status_code": str(status_code),
            "talk_duration": talk,
            "tenant_id": self.tenant_id,
            "tenant_name": self.tenant_name,
            "trunk_name": trunk,
            "user_data": "",
        }
        return dump(p)

    def leg(
        self,
        *,
        caller: str,
        callee: str,
        did: str,
        ring: str,
        answered: str | None,
        status: str,
        reason: str,
        cdr_id: str,
        trunk: str,
        code: int = 0,
    ) -> dict[str, Any]:
        """One `call_targets` entry of a CDR, ended now."""
        end = self.ts
        ring_end = answered if answered is not None else end
        return {
            "answered_time": answered if answered is not None else "0",
            "call_type": "normal_call",
            "callee": callee,
            "caller": caller,
            "destination": f"sip:{callee}@10.0.0.{int(callee) % 250 + 2}:5060"
            if callee.isdigit()
            else f"sip:{callee}@trunk",
            "did": did,
            "end_reason": reason,
            "ended_time": end,
            "id": cdr_id,
            "outbound_caller_id": "",
            "ring_duration": str(max(0, int(ring_end) - int(ring))),
            "ring_time": ring,
            "start_time": ring,
            "status": status,
            "status_code": code,
            "talk_duration": str(int(end) - int(answered) if answered is not None else 0),
            "trunk_name": trunk,
        }


def dwell(rng: random.Random, lo: int, hi: int) -> Iterator[None]:
    """Stay in the current phase for a few of this episode's turns."""
    for _ in range(rng.randint(lo, hi)):
        yield None
