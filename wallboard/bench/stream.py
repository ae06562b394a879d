"""A deterministic contact-center event stream for benchmarks.

It produces the v16 frames a busy tenant sends (call starts and CDRs, queue
callers entering and being answered or abandoning, agents cycling through
queue call / wrap-up / ready, extension call status and presence), starting
with the status pictures a PBX sends after a subscribe. It runs on a virtual
clock and needs no server, so ingest and UI benchmarks measure our code and
not a simulator's.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

TENANT = "883611252155219968"
BASE_TIME = 1_760_000_000.0
QUEUE_NAMES = ("Sales", "Support", "Billing", "Returns", "Tech", "VIP", "Claims", "Renewals")


@dataclass(slots=True)
class _Call:
    sid: str
    queue: int
    caller: str
    name: str
    agent: str = ""
    stage: int = 0
    enqueued: float = 0.0
    abandoned: bool = False


@dataclass
class StreamGenerator:
    """`frames()` yields (virtual time, frame text); same seed, same frames."""

    agents: int = 5000
    queues: int = 50
    seed: int = 1
    rate: float = 2000.0  # events per virtual second
    target_calls: int | None = None  # calls in flight in the generator
    start: float = BASE_TIME
    _rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        if self.target_calls is None:
            # Calls in wrap-up no longer count as active in the model: aim above
            # half the agents so the board holds about agents / 2 active calls.
            self.target_calls = max(1, self.agents * 4 // 5)

    def queue_id(self, q: int) -> str:
        return str(900_000_000_000_000_000 + q)

    def queue_number(self, q: int) -> str:
        return str(8001 + q)

    def extension(self, i: int) -> str:
        return str(1000 + i)

    def _dump(self, obj: dict[str, object]) -> str:
        return json.dumps(obj, separators=(",", ":"))

    def pictures(self, t: float) -> Iterator[str]:
        """What a v16 PBX sends right after a subscribe."""
        ts = str(int(t))
        for lo in range(0, self.agents, 100):
            yield self._dump(
                {
                    "event_type": "extension_status",
                    "tenant_id": TENANT,
                    "status": [
                        {
                            "extension": f"sip:{self.extension(i)}@bench.local",
                            "extension_id": str(700_000_000_000 + i),
                            "call_status": "",
                            "online": True,
                            "presence": "AVAILABLE",
                            "presence_note": "",
                            "push_online": False,
                            "time": ts,
                        }
                        for i in range(lo, min(self.agents, lo + 100))
                    ],
                }
            )
        for q in range(self.queues):
            yield self._dump(
                {
                    "event_type": "queue_status",
                    "tenant_id": TENANT,
                    "queue_id": self.queue_id(q),
                    "queue_number": self.queue_number(q),
                    "queue_name": f"{QUEUE_NAMES[q % len(QUEUE_NAMES)]} {q + 1}",
                    "waiting_list": [],
                    "agents": [
                        {
                            "state": "READY",
                            "agent_extension_number": self.extension(i),
                            "timestamp": ts,
                        }
                        for i in range(q, self.agents, self.queues)
                    ],
                }
            )

    def frames(self, count: int, *, with_pictures: bool = True) -> Iterator[tuple[float, str]]:
        rng = self._rng
        t = self.start
        step = 1.0 / self.rate
        n = 0
        if with_pictures:
            for frame in self.pictures(t):
                yield t, frame
                n += 1
        free: list[list[str]] = [
            [self.extension(i) for i in range(q, self.agents, self.queues)]
            for q in range(self.queues)
        ]
        active: list[_Call] = []
        seq = 0
        target = self.target_calls or 1
        dump = self._dump
        while n < count:
            t += step
            ts = str(int(t))
            if len(active) < target and rng.random() < 0.6:
                q = rng.randrange(self.queues)
                seq += 1
                c = _Call(
                    sid=str(885_337_248_273_000_000 + seq),
                    queue=q,
                    caller=str(rng.randrange(2_000_000, 9_999_999)),
                    name=rng.choice(("Thomas Young", "Ana Ruiz", "Wei Chen", "", "Priya N.")),
                    enqueued=t,
                )
                active.append(c)
                frame = dump(
                    {
                        "event_type": "call_start",
                        "time": ts,
                        "session_id": c.sid,
                        "direction": "inbound",
                        "caller": c.caller,
                        "caller_display_name": c.name,
                        "callee": self.queue_number(q),
                        "tenant_id": TENANT,
                    }
                )
            elif active:
                i = rng.randrange(len(active))
                c = active[i]
                frame, done = self._advance(c, t, ts, free, rng)
                if done:
                    active[i] = active[-1]
                    active.pop()
            else:
                continue
            yield t, frame
            n += 1

    def _advance(
        self, c: _Call, t: float, ts: str, free: list[list[str]], rng: random.Random
    ) -> tuple[str, bool]:
        qid = self.queue_id(c.queue)
        dump = self._dump
        c.stage += 1
        if c.abandoned:
            return dump(
                {
                    "event_type": "call_cdr",
                    "session_id": c.sid,
                    "call_status": "noanswer",
                    "caller": c.caller,
                    "callee": self.queue_number(c.queue),
                    "direction": "inbound",
                    "start_time": str(int(c.enqueued)),
                    "ended_time": ts,
                    "talk_duration": 0,
                    "tenant_id": TENANT,
                }
            ), True
        if c.stage == 1:
            return dump(
                {
                    "event_type": "queue_caller_status",
                    "tenant_id": TENANT,
                    "queue_id": qid,
                    "updated_callers": [
                        {
                            "position": "1",
                            "session_id": c.sid,
                            "caller_number": c.caller,
                            "caller_name": c.name,
                            "reason": "enqueue",
                            "timestamp": ts,
                            "type": "normal",
                        }
                    ],
                }
            ), False
        if c.stage == 2:
            pool = free[c.queue]
            if not pool or rng.random() < 0.08:
                c.abandoned = True
                return dump(
                    {
                        "event_type": "queue_caller_status",
                        "tenant_id": TENANT,
                        "queue_id": qid,
                        "updated_callers": [
                            {
                                "session_id": c.sid,
                                "caller_number": c.caller,
                                "reason": "hangup",
                                "timestamp": ts,
                                "type": "normal",
                            }
                        ],
                    }
                ), False
            c.agent = pool.pop(rng.randrange(len(pool)))
            return dump(
                {
                    "event_type": "queue_caller_status",
                    "tenant_id": TENANT,
                    "queue_id": qid,
                    "updated_callers": [
                        {
                            "session_id": c.sid,
                            "caller_number": c.caller,
                            "reason": "agent_answered",
                            "timestamp": ts,
                            "type": "normal",
                        }
                    ],
                }
            ), False
        if c.stage in (3, 7, 8):
            state = {3: "QUEUE_CALL", 7: "WRAP_UP", 8: "READY"}[c.stage]
            agent: dict[str, str] = {
                "state": state,
                "agent_extension_number": c.agent,
                "timestamp": ts,
            }
            if state == "QUEUE_CALL":
                agent |= {"session_id": c.sid, "caller_number": c.caller, "caller_name": c.name}
            if c.stage == 8:
                free[c.queue].append(c.agent)
            return dump(
                {
                    "event_type": "queue_agent_status",
                    "queue_id": qid,
                    "tenant_id": TENANT,
                    "updated_agents": [agent],
                }
            ), c.stage == 8
        if c.stage in (4, 6):
            return dump(
                {
                    "event_type": "extension_call",
                    "extension": f"sip:{c.agent}@bench.local",
                    "call_status": "ON_CALL" if c.stage == 4 else "",
                    "tenant_id": TENANT,
                    "time": ts,
                }
            ), False
        # stage 5: the call ends with its CDR.
        return dump(
            {
                "event_type": "call_cdr",
                "session_id": c.sid,
                "call_status": "answered",
                "caller": c.caller,
                "caller_display_name": c.name,
                "callee": c.agent,
                "direction": "inbound",
                "start_time": str(int(c.enqueued)),
                "answered_time": ts,
                "ended_time": ts,
                "talk_duration": int(t - c.enqueued),
                "status_code": "0",
                "tenant_id": TENANT,
                "trunk_name": "carrier-1",
            }
        ), False


def write_recording(path: str, frames: Iterator[tuple[float, str]], dialect: str = "v16") -> int:
    """Write frames in the recording format of CONTRACT.md; returns the count."""
    n = 0
    with open(path, "w", encoding="utf-8") as f:
        f.write(
            json.dumps(
                {
                    "wallboard_recording": 1,
                    "dialect": dialect,
                    "source": "bench://generated",
                    "started": BASE_TIME,
                }
            )
            + "\n"
        )
        for t, frame in frames:
            f.write(json.dumps({"t": round(t, 4), "frame": frame}) + "\n")
            n += 1
    return n
