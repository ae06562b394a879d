"""Hand-written scenarios whose state documents were worked out by hand."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from scenario import T0, TENANT, agent_status, call, caller_status, contact, register
from wallboard.model import WallboardState, state_document


def run(messages: list[dict[str, Any]], **kwargs: Any) -> dict[str, Any]:
    state = WallboardState(**kwargs)
    for m in messages:
        state.apply_frame(json.dumps(m))
    return state_document(state)


def by(items: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    return {i[key]: i for i in items}


V12_LIFECYCLE = [
    register("101", T0, [contact("101", 5060, T0 + 300), contact("101", 5062, T0 + 30)]),
    register("102", T0, [contact("102", 5070, T0 + 600)]),
    {"event_type": "trunk_connected", "trunk_name": "carrier-a", "time": str(int(T0 + 5))},
    {"event_type": "trunk_connected", "trunk_name": "carrier-b", "time": str(int(T0 + 5))},
    call("call_start", "s1", T0 + 10, "101", "102", direction="ext", caller_display_name="Alice"),
    call("target_add", "s1", T0 + 10, "101", "102", call_target="102"),
    call("target_ringing", "s1", T0 + 11, "101", "102", call_target="102"),
    call("call_established", "s1", T0 + 15, "101", "102", call_target="102"),
    call("call_hold", "s1", T0 + 20, aor="101", peer_aor="102"),
    call("call_unhold", "s1", T0 + 25, aor="101", peer_aor="102"),
    call("call_start", "s2", T0 + 30, "5551234", "101", direction="in"),
    call("call_noanswer", "s2", T0 + 50, "5551234", "101"),
    call("call_start", "s3", T0 + 60, "101", "103", direction="ext"),
    call("call_fail", "s3", T0 + 61, "101", "103", fail_code=480),
    # Joined mid-call: never saw s4 start.
    call("call_established", "s4", T0 + 70, "102", "104", call_target="104"),
    call("call_ended", "s1", T0 + 80, "101", "102"),
    call("call_ended", "s1", T0 + 81, "101", "102"),  # repeated: must not count twice
    {"event_type": "trunk_disconnected", "trunk_name": "carrier-b", "time": T0 + 90},
    register("102", T0 + 95, removed=[contact("102", 5070, T0 + 95)]),
    call("call_start", "s5", T0 + 100, "101", "8001", direction="ext"),
    call("call_reroute", "s5", T0 + 101, "101", "8001", call_target="105"),
]


def test_v12_call_lifecycle_document() -> None:
    doc = run(V12_LIFECYCLE)
    assert doc["schema"] == "wallboard.state/1"
    assert doc["clock"] == T0 + 101
    assert doc["counters"] == {
        "frames": 21,
        "events": 21,
        "unknown": 0,
        "invalid": 0,
        "replies": 0,
        "limits_dropped": 0,
    }
    assert doc["finished_calls"] == {"ended": 1, "noanswer": 1, "failed": 1, "rerouted": 1}
    calls = doc["calls"]
    assert [c["session_id"] for c in calls] == ["s4", "s5"]
    s4, s5 = calls
    assert (s4["state"], s4["caller"], s4["callee"], s4["started"], s4["answered"]) == (
        "established",
        "102",
        "104",
        T0 + 70,
        T0 + 70,
    )
    assert (s5["state"], s5["callee"], s5["direction"], s5["answered"]) == (
        "ringing",
        "105",
        "internal",
        None,
    )
    exts = by(doc["extensions"], "number")
    assert set(exts) == {"101", "102"}
    # 101: one contact expired at T0+30, the other lives until T0+300.
    assert (exts["101"]["online"], exts["101"]["contacts"], exts["101"]["call_status"]) == (
        True,
        1,
        "ON_CALL",
    )
    assert (exts["102"]["online"], exts["102"]["contacts"], exts["102"]["call_status"]) == (
        False,
        0,
        "ON_CALL",
    )
    assert exts["101"]["tenant_id"] == TENANT
    assert exts["101"]["presence"] is None
    trunks = by(doc["trunks"], "name")
    assert trunks["carrier-a"] == {
        "name": "carrier-a",
        "connected": True,
        "since": T0 + 5,
        "flaps": 0,
    }
    assert trunks["carrier-b"] == {
        "name": "carrier-b",
        "connected": False,
        "since": T0 + 90,
        "flaps": 1,
    }


def test_v12_hold_and_established_states() -> None:
    state = WallboardState()
    for m in V12_LIFECYCLE[:9]:
        state.apply_frame(json.dumps(m))
    assert state.calls["s1"].state == "held"
    assert state.calls["s1"].held_by == "101"
    assert state.calls["s1"].answered == T0 + 15
    state.apply_frame(json.dumps(V12_LIFECYCLE[9]))
    assert state.calls["s1"].state == "established"
    assert state_document(state)["extensions"][1]["call_status"] == "ON_CALL"


def test_ringing_callee_is_ringing() -> None:
    doc = run(V12_LIFECYCLE[:7])
    exts = by(doc["extensions"], "number")
    assert exts["101"]["call_status"] == "ON_CALL"
    assert exts["102"]["call_status"] == "RINGING"
    assert doc["calls"][0]["state"] == "ringing"


Q = "677046776364007424"


def queue_picture(
    t: float, waiting: list[dict[str, Any]], agents: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "event_type": "queue_status",
        "tenant_id": TENANT,
        "queue_id": Q,
        "queue_number": "8001",
        "queue_name": "Sales",
        "waiting_list": waiting,
        "agents": agents,
    } | ({"time": str(int(t))} if t else {})


V16_QUEUE = [
    queue_picture(
        0,
        [
            {
                "position": "1",
                "session_id": "c1",
                "caller_number": "5550001",
                "caller_name": "One",
                "timestamp": str(int(T0 - 5)),
                "type": "normal",
            }
        ],
        [
            {"state": "READY", "agent_extension_number": "101", "timestamp": str(int(T0 - 100))},
            {"state": "Not Ready", "agent_extension_number": "102", "timestamp": str(int(T0 - 50))},
        ],
    ),
    caller_status(Q, "c2", "enqueue", T0 + 2),
    caller_status(Q, "c1", "agent_answered", T0 + 10),
    agent_status(Q, "101", "QUEUE_CALL", T0 + 10, sid="c1", number="5550001"),
    caller_status(Q, "c3", "enqueue", T0 + 12),
    caller_status(Q, "c2", "hangup", T0 + 40),
    caller_status(Q, "c4", "enqueue", T0 + 41),
    caller_status(Q, "c5", "enqueue", T0 + 45),
    caller_status(Q, "c3", "agent_answered", T0 + 50),
    caller_status(Q, "c5", "callback", T0 + 60, type_="callback"),
    caller_status(Q, "c4", "overflow", T0 + 70),
    {
        "event_type": "queue_sla_breached",
        "queue_id": Q,
        "tenant_id": TENANT,
        "caller": "5550003",
        "total_callers_breached": 1,
        "sla_time_secs": 30,
        "waiting_callers": 2,
        "timestamp": str(int(T0 + 71)),
    },
    caller_status(Q, "c6", "enqueue", T0 + 80),
    agent_status(Q, "101", "WRAP_UP", T0 + 90),
]


def test_v16_queue_kpis_document() -> None:
    doc = run(V16_QUEUE)
    assert doc["clock"] == T0 + 90
    (q,) = doc["queues"]
    assert (q["queue_id"], q["number"], q["name"]) == (Q, "8001", "Sales")
    s = q["stats"]
    assert s["offered"] == 6
    assert s["answered"] == 2
    assert s["abandoned"] == 1
    assert s["overflowed"] == 1
    assert s["callbacks"] == 1
    assert s["sla_breaches"] == 1
    assert s["longest_wait_s"] == 10  # c6 since T0+80; c5 is a callback and does not count
    # Threshold 30 s from the PBX: c1 waited 15 s (in), c3 38 s (out); c2 abandoned.
    assert s["service_level_pct"] == pytest.approx(100 / 3, abs=0.001)
    assert s["average_answer_s"] == 26.5
    assert s["sla_threshold_s"] == 30
    assert q["waiting"] == [
        {
            "session_id": "c5",
            "caller_number": "5550000",
            "caller_name": "",
            "since": T0 + 45,
            "type": "callback",
        },
        {
            "session_id": "c6",
            "caller_number": "5550000",
            "caller_name": "",
            "since": T0 + 80,
            "type": "normal",
        },
    ]
    assert q["agents"] == [
        {"extension": "101", "state": "WRAP_UP", "since": T0 + 90, "name": None},
        {"extension": "102", "state": "NOT_READY", "since": T0 - 50, "name": None},
    ]
    # The call known only from the agent ended when the agent went to wrap-up.
    assert doc["calls"] == []
    assert doc["finished_calls"]["ended"] == 1


def test_service_level_default_threshold_and_config_override() -> None:
    without_breach = [m for m in V16_QUEUE if m["event_type"] != "queue_sla_breached"]
    s = run(without_breach)["queues"][0]["stats"]
    assert s["sla_threshold_s"] == 20
    assert s["service_level_pct"] == pytest.approx(100 / 3, abs=0.001)
    s = run(V16_QUEUE, sla_seconds=40)["queues"][0]["stats"]
    assert s["sla_threshold_s"] == 40
    assert s["service_level_pct"] == pytest.approx(200 / 3, abs=0.001)


def test_service_level_null_without_answers() -> None:
    s = run(V16_QUEUE[:2])["queues"][0]["stats"]
    assert s["service_level_pct"] is None
    assert (s["offered"], s["answered"], s["abandoned"]) == (2, 0, 0)


def test_v12_queue_pictures_derive_transitions() -> None:
    def w(sid: str, t: float) -> dict[str, Any]:
        return {
            "session_id": sid,
            "caller_number": "555" + sid,
            "timestamp": str(int(t)),
            "type": "normal",
        }

    ready = {"state": "READY", "agent_extension_number": "101", "timestamp": str(int(T0))}
    busy = {
        "state": "QUEUE_CALL",
        "agent_extension_number": "101",
        "session_id": "a",
        "caller_number": "555a",
        "timestamp": str(int(T0 + 8)),
    }
    doc = run(
        [
            queue_picture(T0, [w("a", T0), w("b", T0 + 1)], [ready]),
            queue_picture(T0 + 8, [w("b", T0 + 1)], [busy]),
            queue_picture(T0 + 30, [], [busy]),
        ]
    )
    s = doc["queues"][0]["stats"]
    assert (s["offered"], s["answered"], s["abandoned"]) == (2, 1, 1)
    assert s["service_level_pct"] == 50.0
    assert s["average_answer_s"] == 8


def test_repeated_pictures_do_not_double_count() -> None:
    picture = V16_QUEUE[0]
    doc = run([picture, picture, picture])
    assert doc["queues"][0]["stats"]["offered"] == 1


@pytest.fixture
def utc() -> Iterator[None]:
    import os

    old = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if old is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = old
    time.tzset()


def test_counters_reset_at_local_midnight(utc: None) -> None:
    midnight = 1_700_006_400.0  # 2023-11-15 00:00:00 UTC
    msgs = [
        call("call_start", "x1", midnight - 100, "101", "102"),
        call("call_ended", "x1", midnight - 50, "101", "102"),
        caller_status(Q, "c1", "enqueue", midnight - 40),
        call("call_start", "x2", midnight - 30, "101", "102"),
        call("call_ended", "x2", midnight + 10, "101", "102"),
    ]
    doc = run(msgs)
    assert doc["finished_calls"]["ended"] == 1
    assert doc["counting_since"] == midnight
    q = doc["queues"][0]
    # The caller still waiting stays listed and is one of today's offers.
    assert q["stats"]["offered"] == 1
    assert len(q["waiting"]) == 1


def test_v16_extension_pictures_and_presence() -> None:
    from conftest import example

    msgs = [
        example("v16/evt_extension_status"),
        example("v16/evt_extension_call"),
        example("v16/evt_extension_presence"),
    ]
    # The documents' examples come from different tenants; put them in one.
    doc = run([m | {"tenant_id": TENANT} for m in msgs])
    exts = by(doc["extensions"], "number")
    assert len(doc["extensions"]) == 2
    assert exts["101"]["presence"] == "AVAILABLE"
    assert exts["101"]["presence_note"] == "Driving"
    assert exts["102"]["call_status"] == "ON_CALL"
    assert exts["101"]["online"] is False


def test_v16_cdr_ends_call_once() -> None:
    from conftest import example

    doc = run([example("v22/evt_call_start"), example("v22/evt_call_update_info")])
    (c,) = doc["calls"]
    assert (c["callee"], c["callee_name"], c["direction"]) == ("8000", "Sales", "inbound")
    doc = run(
        [example("v22/evt_call_start"), example("v16/evt_call_cdr"), example("v16/evt_call_cdr")]
    )
    assert doc["calls"] == []
    assert doc["finished_calls"] == {"ended": 1, "noanswer": 0, "failed": 0, "rerouted": 0}


def test_counters_classify_every_frame() -> None:
    state = WallboardState()
    for frame in [
        '{"status":0}',
        '{"event_type":"brand_new"}',
        "not json",
        "[1,2]",
        '{"event_type":"call_start"}',
        "{}",
    ]:
        state.apply_frame(frame)
    assert (state.frames, state.events, state.replies, state.unknown, state.invalid) == (
        6,
        0,
        1,
        1,
        4,
    )


def test_management_names_extensions_and_queues() -> None:
    from conftest import example

    doc = run([example("v22/evt_extension_created"), example("v22/evt_queue_created")])
    assert doc["extensions"][0]["name"] == "Jason Wek"
    assert doc["queues"][0]["number"] == "8800"


def test_same_number_in_two_tenants_stays_apart() -> None:
    from conftest import example

    doc = run([example("v16/evt_extension_status"), example("v16/evt_extension_presence")])
    assert [(e["number"], e["tenant_id"]) for e in doc["extensions"]] == [
        ("101", "792406615960584192"),
        ("101", "794493068765036544"),
        ("102", "794493068765036544"),
    ]


def test_dirty_keys_are_tracked_once_asked_for() -> None:
    from wallboard.model import CALLS, EVERYTHING, FULL

    state = WallboardState()
    state.apply_frame(json.dumps(V12_LIFECYCLE[4]))
    flags, calls, _exts, _queues = state.take_dirty()
    assert flags == EVERYTHING and calls == set()  # first call: rebuild everything
    state.apply_frame(json.dumps(V12_LIFECYCLE[7]))
    flags, calls, _exts, _queues = state.take_dirty()
    assert flags & CALLS and calls == {"s1"}
    assert not flags & FULL
    assert state.take_dirty()[0] == 0


def test_malformed_picture_lists_keep_what_is_known() -> None:
    good = V16_QUEUE[0]
    broken = good | {"waiting_list": "not a list", "agents": None}
    doc = run([good, broken])
    q = doc["queues"][0]
    assert len(q["waiting"]) == 1 and len(q["agents"]) == 2
    assert q["stats"]["abandoned"] == 0


def test_v12_ivr_answered_caller_who_hangs_up_in_queue_is_abandoned() -> None:
    def w(sid: str, t: float) -> dict[str, Any]:
        return {
            "session_id": sid,
            "caller_number": "5551",
            "timestamp": str(int(t)),
            "type": "normal",
        }

    agent = {"state": "READY", "agent_extension_number": "101", "timestamp": str(int(T0))}
    doc = run(
        [
            call("call_start", "ivr1", T0, "5551", "5000", direction="in"),
            call("call_established", "ivr1", T0 + 1, "5551", "5000", call_target="5000"),
            queue_picture(T0 + 5, [w("ivr1", T0 + 5)], [agent]),
            queue_picture(T0 + 30, [], [agent]),
            call("call_ended", "ivr1", T0 + 30, "5551", "8001"),
        ]
    )
    s = doc["queues"][0]["stats"]
    assert (s["offered"], s["answered"], s["abandoned"]) == (1, 0, 1)
