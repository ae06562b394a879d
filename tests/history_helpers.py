"""States with a day behind them: a simulated morning, and hand-written multi-tenant days.

`morning_state` runs the simulator's traffic in-process (no sockets) on its
virtual clock and applies every v16 payload it renders to a fresh state,
after the pictures a v16 PBX sends on subscribe, ticking the model every ten
virtual seconds as the app's timer would: a few hours of calls, the
same every time (seeded). The hand-written days are small enough that every
number in a test can be computed by hand.
"""

from __future__ import annotations

from typing import Any

from wallboard.model import WallboardState
from wallboard.protocol.parse import parse_object
from wallboard.sim.accounts import Roster
from wallboard.sim.dialects import Renderer
from wallboard.sim.traffic import Traffic

NOON = 1_699_963_200.0  # 2023-11-14 12:00:00 UTC
MORNING_END = NOON + 800.0  # 12:13:20


def morning_state(
    hours: float = 4.0,
    *,
    agents: int = 12,
    queues: int = 3,
    seed: int = 3,
    end: float = MORNING_END,
) -> WallboardState:
    st = WallboardState()
    roster = Roster(agents, queues)
    box: dict[str, Renderer] = {}

    def sink(kind: str, data: dict[str, Any]) -> None:
        for out in box["r"].render(kind, data):
            st.apply(parse_object(out.payload))

    traffic = Traffic(roster, seed=seed, rate=None, start_epoch=end - hours * 3600, sink=sink)
    renderer = box["r"] = Renderer("v16", roster, traffic)
    for payload in renderer.extension_status(list(roster.extensions)):
        st.apply(parse_object(payload))
    for q in traffic.queue_list:
        st.apply(parse_object(renderer.queue_status(q)))
    st.names.set_pbx_names(roster.tenant_id, roster.ext_names)
    st.names.set_tenant_names({roster.tenant_id: roster.tenant_name})
    # The app's timer ticks the model (minute samples of the trend, midnight); so do we.
    t = traffic.now
    while t < end:
        t = min(end, t + 10.0)
        traffic.advance_to(t)
        st.tick(t)
    return st


# ------------------------------------------------------------- by hand
def queue_status(tenant: str, qid: str, number: str, name: str, t: float) -> dict[str, Any]:
    return {
        "event_type": "queue_status",
        "tenant_id": tenant,
        "queue_id": qid,
        "queue_number": number,
        "queue_name": name,
        "sla_time_secs": 20,
        "waiting_list": [],
        "agents": [],
        "timestamp": str(int(t)),
    }


def caller(
    tenant: str, qid: str, sid: str, reason: str, t: float, number: str = "", name: str = ""
) -> dict[str, Any]:
    return {
        "event_type": "queue_caller_status",
        "tenant_id": tenant,
        "queue_id": qid,
        "updated_callers": [
            {
                "session_id": sid,
                "caller_number": number or f"+4930{sid}",
                "caller_name": name or f"Caller {sid}",
                "reason": reason,
                "timestamp": str(int(t)),
                "type": "normal",
            }
        ],
    }


def apply_all(st: WallboardState, messages: list[dict[str, Any]]) -> WallboardState:
    for m in messages:
        st.apply(parse_object(m))
    return st


def visit(
    tenant: str, qid: str, sid: str, start: float, wait: float, outcome: str, **who: str
) -> list[dict[str, Any]]:
    """One caller: enqueued at `start`, answered or hung up after `wait` seconds."""
    reason = {"answered": "agent_answered", "abandoned": "hangup"}[outcome]
    return [
        caller(tenant, qid, sid, "enqueue", start, **who),
        caller(tenant, qid, sid, reason, start + wait, **who),
    ]


T1, T2 = "111", "222"


def two_tenants_state(t0: float = NOON) -> WallboardState:
    """Tenant 111 "Acme" (queue 8001) and tenant 222 "Globex" (queue 9001), by hand.

    8001, interval 12:00: 4 answered within 20 s (waits 5, 10, 15, 20), 1 after
    40 s, 1 abandoned after 30 s, 1 short abandon (3 s) → SL 4 / (5 + 2) = 57 %,
    ASA (5 + 10 + 15 + 20 + 40) / 5 = 18 s. Interval 12:15: 2 answered (waits 8,
    12) → SL 100 %, ASA 10 s. Day: 6 within / (7 + 2) = 67 %.
    9001, interval 12:00: 1 answered after 30 s, 2 abandoned after 25 s and 60 s
    → SL 0 / 3 = 0 %.
    """
    st = WallboardState()
    st.names.set_tenant_names({T1: "Acme", T2: "Globex"})
    msgs = [
        queue_status(T1, "qa", "8001", "Acme Sales", t0),
        queue_status(T2, "qb", "9001", "Globex Help", t0),
    ]
    for i, wait in enumerate((5, 10, 15, 20, 40)):
        msgs += visit(T1, "qa", f"a{i}", t0 + 10 + 60 * i, wait, "answered")
    msgs += visit(T1, "qa", "a5", t0 + 400, 30, "abandoned")
    msgs += visit(T1, "qa", "a6", t0 + 500, 3, "abandoned")
    msgs += visit(T1, "qa", "a7", t0 + 910, 8, "answered")
    msgs += visit(T1, "qa", "a8", t0 + 1000, 12, "answered")
    msgs += visit(T2, "qb", "b0", t0 + 20, 30, "answered")
    msgs += visit(T2, "qb", "b1", t0 + 100, 25, "abandoned")
    msgs += visit(T2, "qb", "b2", t0 + 200, 60, "abandoned")
    msgs.sort(key=lambda m: int(m.get("timestamp") or m["updated_callers"][0]["timestamp"]))
    return apply_all(st, msgs)


__all__ = [
    "MORNING_END",
    "NOON",
    "T1",
    "T2",
    "apply_all",
    "caller",
    "morning_state",
    "queue_status",
    "two_tenants_state",
    "visit",
]
