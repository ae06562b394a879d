"""The edge rules of "How the numbers are computed", each with hand-computed values.

Unknown waits, unknown reasons, midnight on the clock (in the call center's
time zone), the PBX clock's offset, and the v12 answer time.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

from scenario import T0, TENANT, agent_status, call, caller_status
from wallboard.model import WallboardState, state_document
from wallboard.model.calendar import Calendar
from wallboard.model.entities import Notice
from wallboard.model.targets import QueueTarget, Targets

Q = "677046776364007424"


def apply(state: WallboardState, msgs: list[dict[str, Any]], **kw: Any) -> None:
    for m in msgs:
        state.apply_frame(json.dumps(m), **kw)


def stats(state: WallboardState) -> dict[str, Any]:
    (q,) = state_document(state)["queues"]
    return q["stats"]


class Clock:
    """A clock the test moves by hand (live mode: the model asks it for "now")."""

    def __init__(self, t: float) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


# --------------------------------------------------------------- unknown wait
def test_an_answer_whose_enqueue_was_never_seen_is_left_out_of_sl_and_asa() -> None:
    state = WallboardState()
    apply(
        state,
        [
            caller_status(Q, "c1", "enqueue", T0),
            caller_status(Q, "c1", "agent_answered", T0 + 5),  # known wait: 5 s
            caller_status(Q, "c2", "agent_answered", T0 + 30),  # joined while c2 waited
        ],
    )
    s = stats(state)
    assert (s["offered"], s["answered"], s["answered_unknown_wait"]) == (2, 2, 1)
    # 1 answered within 20 s / (1 answered with a known wait + 0 abandoned), not 1/2.
    assert s["service_level_pct"] == 100.0
    assert s["average_answer_s"] == 5.0
    assert s["answered_within_sla"] == 1


def test_an_abandon_with_unknown_wait_still_counts_in_the_denominator() -> None:
    state = WallboardState()
    apply(
        state,
        [
            caller_status(Q, "c1", "enqueue", T0),
            caller_status(Q, "c1", "agent_answered", T0 + 5),
            caller_status(Q, "c2", "hangup", T0 + 9),  # enqueue never seen
        ],
    )
    s = stats(state)
    assert (s["abandoned"], s["short_abandoned"]) == (1, 0)  # unknown wait: not "short"
    assert s["service_level_pct"] == 50.0  # 1 / (1 + 1)


# ------------------------------------------------------------- unknown reason
def test_an_unknown_reason_ends_the_wait_and_counts_as_other() -> None:
    state = WallboardState()
    apply(
        state,
        [
            caller_status(Q, "c1", "enqueue", T0),
            caller_status(Q, "c2", "enqueue", T0 + 1),
            caller_status(Q, "c1", "transferred_to_ivr", T0 + 12),
            # Repeated: counted once.
            caller_status(Q, "c1", "transferred_to_ivr", T0 + 13),
        ],
    )
    s = stats(state)
    assert (s["offered"], s["answered"], s["abandoned"], s["other"]) == (2, 0, 0, 1)
    (q,) = state_document(state)["queues"]
    assert [w["session_id"] for w in q["waiting"]] == ["c2"]
    # c2 has waited 12 s at the latest event time (T0 + 13); c1 no longer counts.
    assert s["longest_wait_s"] == 12.0
    notices = [ev.text for _t, ev in state.log if isinstance(ev, Notice)]
    assert len(notices) == 1 and "'transferred_to_ivr'" in notices[0]


def test_position_updates_without_a_reason_keep_the_caller_waiting() -> None:
    state = WallboardState()
    apply(state, [caller_status(Q, "c1", "enqueue", T0), caller_status(Q, "c1", "", T0 + 3)])
    s = stats(state)
    assert (s["offered"], s["other"]) == (1, 0)
    assert len(state_document(state)["queues"][0]["waiting"]) == 1


# ------------------------------------------------------------------- midnight
def test_midnight_rolls_over_on_the_clock_without_any_event() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    # 23:50 in Berlin on 2024-01-15 is 22:50 UTC.
    before = dt.datetime(2024, 1, 15, 23, 50, tzinfo=berlin).timestamp()
    clock = Clock(before)
    state = WallboardState(clock, calendar=Calendar(tz=berlin))
    trunk = {"event_type": "trunk_disconnected", "trunk_name": "carrier", "time": str(int(before))}
    apply(
        state,
        [
            {"event_type": "trunk_connected", "trunk_name": "carrier", "time": str(int(before))},
            trunk,
            caller_status(Q, "c1", "enqueue", before),
            caller_status(Q, "c1", "agent_answered", before + 5),
            caller_status(Q, "c2", "enqueue", before + 60),  # still waiting at midnight
            call("call_start", "s1", before, "101", "102"),
            call("call_ended", "s1", before + 30, "101", "102"),
        ],
    )
    doc = state_document(state)
    assert doc["day"] == "2024-01-15"
    assert doc["trunks"][0]["flaps"] == 1
    assert doc["finished_calls"]["ended"] == 1
    assert stats(state)["answered"] == 1

    # 00:00:01 Berlin: only junk and a reply arrive, then the clock ticks.
    clock.t = dt.datetime(2024, 1, 16, 0, 0, 1, tzinfo=berlin).timestamp()
    state.apply_frame("not json")
    state.apply_frame('{"status": 0}')
    state.tick()
    doc = state_document(state)
    assert doc["day"] == "2024-01-16"
    assert doc["counting_since"] == dt.datetime(2024, 1, 16, tzinfo=berlin).timestamp()
    assert doc["trunks"][0]["flaps"] == 0
    assert doc["finished_calls"]["ended"] == 0
    s = stats(state)
    # The caller waiting across midnight is today's offer; nothing else happened yet.
    assert (s["offered"], s["answered"], s["abandoned"]) == (1, 0, 0)
    assert s["longest_wait_s"] > 0


def test_midnight_is_the_call_centers_not_the_servers() -> None:
    """UTC midnight is 01:00 in Berlin (winter): no rollover at UTC midnight."""
    berlin = ZoneInfo("Europe/Berlin")
    utc_midnight = dt.datetime(2024, 1, 16, tzinfo=dt.UTC).timestamp()
    clock = Clock(utc_midnight - 7200)  # 23:00 Berlin on the 15th
    state = WallboardState(clock, calendar=Calendar(tz=berlin))
    apply(state, [caller_status(Q, "c1", "hangup", clock.t)])
    assert state.day == "2024-01-15"
    clock.t = utc_midnight - 1800  # 00:30 Berlin on the 16th, 23:30 UTC on the 15th
    state.tick()
    assert state.day == "2024-01-16"
    assert stats(state)["abandoned"] == 0
    clock.t = utc_midnight + 60  # UTC midnight passed: Berlin's day is unchanged
    apply(state, [caller_status(Q, "c2", "hangup", clock.t)])
    state.tick()
    assert state.day == "2024-01-16" and stats(state)["abandoned"] == 1


# ------------------------------------------------------------------ clock skew
def test_live_waits_use_the_pbx_clock_when_it_is_a_minute_behind() -> None:
    local0 = 1_800_000_000.0
    clock = Clock(local0)
    state = WallboardState(clock)
    behind = 60.0
    # Each event is stamped by the PBX (60 s behind) and received 50 ms later.
    for i in range(10):
        clock.t = local0 + i
        pbx_t = clock.t - behind - 0.05
        state.apply_frame(json.dumps(call("call_start", f"s{i}", pbx_t, "101", "102")), clock.t)
    clock.t = local0 + 10
    state.apply_frame(
        json.dumps(caller_status(Q, "c1", "enqueue", clock.t - behind)), received=clock.t
    )
    clock.t = local0 + 25  # 15 s after the enqueue, on either clock
    doc = state_document(state)
    # PBX times are whole seconds: the estimate is good to about a second.
    assert abs(doc["pbx_clock_offset_s"] - behind) <= 1.0
    assert abs(doc["queues"][0]["stats"]["longest_wait_s"] - 15.0) <= 1.0  # not 75 s
    assert state.skew.shown


def test_a_pbx_clock_in_step_shows_no_offset() -> None:
    clock = Clock(1_800_000_000.0)
    state = WallboardState(clock)
    state.apply_frame(json.dumps(caller_status(Q, "c1", "enqueue", clock.t - 0.02)), clock.t)
    assert abs(state.skew.offset) <= 1.0 and not state.skew.shown


# -------------------------------------------------------------- v12 answer time
def _v12_picture(t: float, waiting: list[str], agents: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "event_type": "queue_status",
        "tenant_id": TENANT,
        "queue_id": Q,
        "queue_number": "8001",
        "waiting_list": [
            {"session_id": sid, "caller_number": "555", "timestamp": str(int(T0)), "type": "normal"}
            for sid in waiting
        ],
        "agents": agents,
        "time": str(int(t)),
    }


def test_v12_answer_time_is_the_agents_not_the_next_pictures() -> None:
    state = WallboardState()
    agent = {"agent_extension_number": "101", "state": "READY", "timestamp": str(int(T0 - 60))}
    on_call = {
        "agent_extension_number": "101",
        "state": "QUEUE_CALL",
        "session_id": "c1",
        "caller_number": "555",
        "timestamp": str(int(T0 + 4)),
    }
    apply(state, [_v12_picture(T0, ["c1"], [agent]), _v12_picture(T0 + 30, [], [on_call])])
    s = stats(state)
    assert s["answered"] == 1
    assert s["average_answer_s"] == 4.0  # the agent took it at T0 + 4, not at T0 + 30


def test_v12_answer_time_from_the_call_when_the_picture_has_no_agent_time() -> None:
    state = WallboardState()
    agent = {"agent_extension_number": "101", "state": "READY", "timestamp": str(int(T0 - 60))}
    apply(
        state,
        [
            call("call_start", "c1", T0 - 20, "555", "8001"),
            call("call_established", "c1", T0 - 15, "555", "8001", call_target="8001"),  # IVR
            _v12_picture(T0, ["c1"], [agent]),
            call("call_established", "c1", T0 + 7, "555", "8001", call_target="101"),
            _v12_picture(T0 + 40, [], [agent]),
        ],
    )
    s = stats(state)
    assert s["answered"] == 1 and s["average_answer_s"] == 7.0


# ------------------------------------------------------------ targets per queue
def test_a_queues_own_target_wins_over_the_global_and_the_pbx() -> None:
    targets = Targets(sla_seconds=30, queues={"8001": QueueTarget(sla_seconds=10)})
    state = WallboardState(targets=targets)
    picture = _v12_picture(T0, [], [])
    apply(
        state,
        [
            picture,
            caller_status(Q, "c1", "enqueue", T0),
            caller_status(Q, "c1", "agent_answered", T0 + 15),  # within 30, not within 10
            agent_status(Q, "101", "READY", T0 + 16),
        ],
    )
    s = stats(state)
    assert s["sla_threshold_s"] == 10 and s["service_level_pct"] == 0.0


# ---------------------------------------------------------------- two tenants
def test_two_tenants_may_use_the_same_queue_numbers() -> None:
    state = WallboardState()

    def pic(tenant: str, qid: str) -> dict[str, Any]:
        return {
            "event_type": "queue_status",
            "tenant_id": tenant,
            "queue_id": qid,
            "queue_number": "8001",
            "queue_name": f"Sales {tenant}",
            "waiting_list": [],
            "agents": [{"agent_extension_number": "101", "state": "READY"}],
            "time": str(int(T0)),
        }

    apply(state, [pic("A", "qa"), pic("B", "qb")])
    assert set(state.queues) == {"qa", "qb"}
    # An event naming only the tenant and the number finds that tenant's queue.
    apply(
        state,
        [
            {
                "event_type": "extension_agent_status",
                "tenant_id": "B",
                "extension": "sip:101@b.local",
                "agent_status": [{"queue_number": "8001", "status": "NOT_READY"}],
                "time": str(int(T0 + 5)),
            }
        ],
    )
    assert state.queues["qb"].agents["101"].state == "NOT_READY"
    assert state.queues["qa"].agents["101"].state == "READY"
    assert state.agent_totals() == (1, 0, 1)  # two people, one per tenant


def test_a_queue_seen_by_number_then_by_id_is_one_queue() -> None:
    """A stream joined mid-way: an agent status names queue 8002 by number, a caller
    event by id only; the first picture links the two. One queue, nothing lost."""
    from wallboard.protocol.parse import parse_object

    st = WallboardState()
    agent = {
        "event_type": "extension_agent_status",
        "agent_status": [{"queue_number": "8002", "status": "READY"}],
        "extension": "sip:102@demo.local",
        "tenant_id": TENANT,
        "time": str(int(T0)),
    }
    for m in (
        agent,
        caller_status("Q2", "c1", "enqueue", T0 + 1),
        caller_status("Q2", "c1", "agent_answered", T0 + 6),
    ):
        st.apply(parse_object(m))
    assert len(st.queues) == 2  # not linked yet: nothing says 8002 is Q2
    picture = {
        "event_type": "queue_status",
        "tenant_id": TENANT,
        "queue_id": "Q2",
        "queue_number": "8002",
        "queue_name": "Support",
        "waiting_list": [],
        "agents": [],
    }
    # The number-only queue's agent is in the picture's queue too: kept once.
    picture["agents"] = [
        {"state": "READY", "agent_extension_number": "102", "timestamp": str(int(T0 + 7))}
    ]
    st.apply(parse_object(picture))
    assert list(st.queues) == ["Q2"]
    q = st.queues["Q2"]
    assert (q.number, q.name) == ("8002", "Support")
    assert q.stats.offered == 1 and q.stats.answered == 1
    assert "102" in q.agents and st.members[(TENANT, "102")] == {"Q2"}
    doc = state_document(st)
    assert [x["number"] for x in doc["queues"]] == ["8002"]
