"""Helpers for the store tests: a hand-computable day, PBX pictures, a Berlin calendar.

`scenario()` is one queue's morning in Berlin (2025-03-10, CET) whose every
report value is worked out by hand in `test_report.py`. `pictures(state)`
builds the v16 `queue_status` pictures a PBX sends after a subscribe, from
what a model knows now (who waits since when, which agent is in which state):
what a restarted wallboard hears first.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from wallboard.model import WallboardState
from wallboard.model.calendar import Calendar
from wallboard.protocol.parse import parse_frame

BERLIN = ZoneInfo("Europe/Berlin")
CAL = Calendar(tz=BERLIN)
T0 = 1_741_597_200.0  # 2025-03-10 10:00:00 Europe/Berlin (09:00 UTC)
DAY = "2025-03-10"
TENANT = "1"
QID = "900"

CONFIG = 'timezone = "Europe/Berlin"\n'


def berlin_state(**kw: Any) -> WallboardState:
    return WallboardState(calendar=CAL, **kw)


def _dump(obj: dict[str, Any]) -> str:
    return json.dumps(obj, separators=(",", ":"))


def caller(sid: str, reason: str, t: float, number: str = "", name: str = "") -> str:
    return _dump(
        {
            "event_type": "queue_caller_status",
            "tenant_id": TENANT,
            "queue_id": QID,
            "updated_callers": [
                {
                    "session_id": sid,
                    "caller_number": number,
                    "caller_name": name,
                    "reason": reason,
                    "type": "normal",
                    "time": str(int(t)),
                }
            ],
        }
    )


def agent(ext: str, state: str, t: float, sid: str = "", number: str = "", name: str = "") -> str:
    return _dump(
        {
            "event_type": "queue_agent_status",
            "tenant_id": TENANT,
            "queue_id": QID,
            "updated_agents": [
                {
                    "state": state,
                    "agent_extension_number": ext,
                    "session_id": sid,
                    "caller_number": number,
                    "caller_name": name,
                    "timestamp": str(int(t)),
                }
            ],
        }
    )


def picture(t: float, waiting: list[dict[str, Any]], agents: list[dict[str, Any]]) -> str:
    return _dump(
        {
            "event_type": "queue_status",
            "tenant_id": TENANT,
            "queue_id": QID,
            "queue_number": "8001",
            "queue_name": "Sales",
            "time": str(int(t)),
            "waiting_list": waiting,
            "agents": agents,
        }
    )


def cdr(sid: str, caller_no: str, answered: float, ended: float) -> str:
    return _dump(
        {
            "event_type": "call_cdr",
            "tenant_id": TENANT,
            "session_id": sid,
            "caller": caller_no,
            "callee": "8001",
            "call_status": "answered",
            "start_time": str(int(answered - 30)),
            "answered_time": str(int(answered)),
            "ended_time": str(int(ended)),
            "time": str(int(ended)),
        }
    )


def scenario() -> list[str]:
    """Four callers of queue 8001 (target 20 s, short abandons ≤ 5 s), two agents.

    c1 waits 10 s, answered by 101 (talk 120 s, wrap 30 s); c2 hangs up after
    3 s; c3 waits 30 s, answered by 102 (talk 100 s, wrap 10 s); c4 (10:16)
    hangs up after 40 s. The CDRs repeat call ends already known.
    """
    t = T0
    ready = {"state": "READY", "timestamp": str(int(t))}
    return [
        picture(
            t,
            [],
            [
                dict(ready, agent_extension_number="101"),
                dict(ready, agent_extension_number="102"),
            ],
        ),
        caller("c1", "enqueue", t + 60, "0301111", "Ada One"),
        caller("c1", "agent_answered", t + 70, "0301111", "Ada One"),
        agent("101", "QUEUE_CALL", t + 70, "c1", "0301111", "Ada One"),
        caller("c2", "enqueue", t + 120, "0302222", "Bo Two"),
        caller("c2", "hangup", t + 123, "0302222", "Bo Two"),
        caller("c3", "enqueue", t + 130, "0303333", "Cy Three"),
        caller("c3", "agent_answered", t + 160, "0303333", "Cy Three"),
        agent("102", "QUEUE_CALL", t + 160, "c3", "0303333", "Cy Three"),
        agent("101", "WRAP_UP", t + 190),
        cdr("c1", "0301111", t + 70, t + 190),
        agent("101", "READY", t + 220),
        agent("102", "WRAP_UP", t + 260),
        cdr("c3", "0303333", t + 160, t + 260),
        agent("102", "READY", t + 270),
        caller("c4", "enqueue", t + 960, "0304444", "Di Four"),
        caller("c4", "hangup", t + 1000, "0304444", "Di Four"),
    ]


def write_jsonl(path: Path, frames: list[str]) -> Path:
    path.write_text("".join(f + "\n" for f in frames))
    return path


def run(frames: list[str], state: WallboardState) -> WallboardState:
    for f in frames:
        state.apply(parse_frame(f))
    return state


def pictures(state: WallboardState) -> list[str]:
    """The v16 pictures a PBX sends on subscribe, of what `state` holds now."""
    out = []
    for q in state.queues.values():
        out.append(
            _dump(
                {
                    "event_type": "queue_status",
                    "tenant_id": q.tenant_id,
                    "queue_id": q.queue_id,
                    "queue_number": q.number,
                    "queue_name": q.name,
                    "waiting_list": [
                        {
                            "session_id": w.session_id,
                            "caller_number": w.caller_number,
                            "caller_name": w.caller_name,
                            "position": w.position,
                            "time": w.since,
                            "type": w.type,
                        }
                        for w in q.waiting.values()
                    ],
                    "agents": [
                        {
                            "agent_extension_number": a.extension,
                            "state": a.state,
                            "time": a.since,
                            "session_id": a.session_id,
                            "caller_number": a.caller_number,
                            "caller_name": a.caller_name,
                        }
                        for a in q.agents.values()
                    ],
                }
            )
        )
    return out
