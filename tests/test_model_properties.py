"""Hypothesis: any sequence of frames never raises and keeps the model's invariants."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import EXAMPLES
from wallboard.model import WallboardState, kpi, state_document
from wallboard.model.entities import CALL_STATES
from wallboard.model.tally import Tally
from wallboard.model.targets import SL_DEFINITIONS

DOCUMENTED = [
    json.loads(p.read_text())
    for p in sorted(EXAMPLES.glob("*/*.json"))
    if not p.name.startswith("cmd_")
]
EVENT_TYPES = [
    *sorted({d["event_type"] for d in DOCUMENTED if "event_type" in d}),
    "queue_member_state",
    "trunk_connected",
    "trunk_disconnected",
    "call_reroute",
    "target_add",
    "target_ringing",
    "target_ended",
]
IDS = st.sampled_from(["1", "2", "3", "s1", "8001", "101", "102", "677046776364007424"])
TIMES = st.one_of(
    st.integers(1_600_000_000, 1_800_000_000),
    st.integers(1_600_000_000, 1_800_000_000).map(str),
    st.floats(allow_nan=True, allow_infinity=True),
    st.none(),
    st.text(max_size=5),
)
JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=20),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)
REASONS = st.sampled_from(
    ["enqueue", "agent_answered", "hangup", "overflow", "callback", "weird", ""]
)
STATES = st.sampled_from(
    ["READY", "QUEUE_CALL", "Wrap Up", "NOT_READY", "Logout", "Online", "OFFLINE", "odd"]
)


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    """A documented message with ids, times and other fields swapped, dropped or made junk."""
    msg = dict(draw(st.sampled_from(DOCUMENTED)))
    if "event_type" in msg and draw(st.booleans()):
        msg["event_type"] = draw(st.sampled_from(EVENT_TYPES))
    for key in list(msg):
        choice = draw(st.integers(0, 9))
        if choice == 0:
            del msg[key]
        elif choice == 1:
            msg[key] = draw(JUNK)
        elif key in ("session_id", "queue_id", "extension", "queue_number") and choice < 5:
            msg[key] = draw(IDS)
        elif key in ("time", "timestamp") and choice < 6:
            msg[key] = draw(TIMES)
    if draw(st.booleans()):
        entry = {
            "session_id": draw(IDS),
            "reason": draw(REASONS),
            "timestamp": draw(TIMES),
            "type": draw(st.sampled_from(["normal", "callback", "x"])),
            "state": draw(STATES),
            "agent_extension_number": draw(IDS),
        }
        key = draw(
            st.sampled_from(
                ["updated_callers", "waiting_list", "agents", "updated_agents", "removed_agents"]
            )
        )
        msg[key] = [entry]
    return msg


FRAMES = st.one_of(
    mutated().map(json.dumps),
    st.text(max_size=40),
    st.binary(max_size=40),
    JUNK.map(json.dumps),
    st.sampled_from(
        ["", "[", '{"event_type": 5}', '{"status": "x"}', "NaN", "1e999", "[" * 5000 + "]" * 5000]
    ),
)


def check_invariants(state: WallboardState) -> None:
    assert state.frames == state.events + state.replies + state.unknown + state.invalid
    for call in state.calls.values():
        assert call.state in CALL_STATES
    # The tiles' agent counts are kept incrementally: they must equal a recount, and each
    # agent's day must be in the agent's most telling state across its queues now.
    assert state.agent_counts == Counter(d.state for d in state.agent_days.values() if d.state)
    for (tenant, number), day in state.agent_days.items():
        assert day.state == state.agent_best(tenant, number)[0], (tenant, number)
    for (tenant, number), qids in state.members.items():
        assert qids and all(number in state.queues[qid].agents for qid in qids), (tenant, number)
    for q in state.queues.values():
        s = q.stats
        # Every caller waiting now was offered today; the callback count is kept exactly.
        assert set(q.waiting) <= q.seen
        assert q.callbacks_waiting == sum(w.type == "callback" for w in q.waiting.values())
        # Each offered caller has at most one outcome per queue and day.
        assert s.answered + s.abandoned + s.overflowed + s.callbacks + s.other <= s.offered
        assert s.answered_within + s.answered_unknown_wait <= s.answered
        assert s.short_abandoned <= s.abandoned_known_wait <= s.abandoned
        # A day is the sum of its intervals.
        day = Tally()
        for t in q.intervals.values():
            day.add(t)
        assert (day.offered, day.answered, day.abandoned) == (s.offered, s.answered, s.abandoned)
        for definition in SL_DEFINITIONS:
            sl = kpi.service_level(s, definition)
            assert sl is None or 0.0 <= sl <= 100.0
    doc = state_document(state)
    json.dumps(doc, allow_nan=False)
    assert doc["counters"]["frames"] == state.frames


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(FRAMES, max_size=40))
def test_any_frames_never_raise_and_keep_invariants(frames: list[Any]) -> None:
    state = WallboardState()
    for f in frames:
        state.apply_frame(f)
    check_invariants(state)


@settings(max_examples=100, deadline=None)
@given(st.lists(mutated().map(json.dumps), min_size=1, max_size=30))
def test_valid_event_after_junk_still_applies(frames: list[str]) -> None:
    state = WallboardState()
    for f in frames:
        state.apply_frame(f)
    before = state.finished["ended"]
    state.apply_frame(
        json.dumps(
            {
                "event_type": "call_ended",
                "session_id": "fresh-session-after-junk",
                # The latest event's moment: a new day would reset the counters.
                "time": state.latest_event_time or 1700000000,
            }
        )
    )
    assert state.finished["ended"] == before + 1
    check_invariants(state)


# The generic frames above seldom make an agent (a documented message's agent list
# rarely survives the mutations), so the agents' bookkeeping gets traffic of its own:
# a few agents in a few queues, known by id or only by number, with or without a
# tenant, moving between states, removed, in pictures, queues destroyed, midnights.
QUEUE_IDS = {"q1": "8001", "q2": "8002", "q3": "8003"}
AGENT_NUMBERS = st.sampled_from(["101", "102", "103", "104"])
AGENT_STATES = st.sampled_from(["READY", "QUEUE_CALL", "WRAP_UP", "NOT_READY", "LOGGED_OUT", "x"])
TENANT = "236047118140313600"


@st.composite
def agent_message(draw: st.DrawFn, t: int) -> dict[str, Any]:
    qid = draw(st.sampled_from(sorted(QUEUE_IDS)))
    ident: dict[str, Any] = {}
    if draw(st.integers(0, 4)):  # mostly by id; sometimes only by number
        ident["queue_id"] = qid
    if not ident or draw(st.booleans()):
        ident["queue_number"] = QUEUE_IDS[qid]
    if draw(st.integers(0, 3)):
        ident["tenant_id"] = TENANT

    def agent() -> dict[str, Any]:
        a: dict[str, Any] = {
            "agent_extension_number": draw(AGENT_NUMBERS),
            "state": draw(AGENT_STATES),
            "timestamp": str(t - draw(st.integers(0, 30))),
        }
        if a["state"] == "QUEUE_CALL" and draw(st.booleans()):
            a["session_id"] = f"s{draw(st.integers(0, 5))}"
        return a

    kind = draw(st.sampled_from(["agents", "agents", "agents", "picture", "member", "mgmt"]))
    if kind == "agents":
        msg = {"event_type": "queue_agent_status", **ident, "updated_agents": [agent()]}
        if draw(st.booleans()):
            msg["removed_agents"] = [{"agent_extension_number": draw(AGENT_NUMBERS)}]
        return msg
    if kind == "picture":
        agents = [agent() for _ in range(draw(st.integers(0, 3)))]
        return {"event_type": "queue_status", **ident, "waiting_list": [], "agents": agents}
    if kind == "member":
        a = agent()
        return {"event_type": "queue_member_state", **ident, **a, "time": str(t)}
    event = draw(st.sampled_from(["queue_created", "queue_destroy"]))
    return {"event_type": event, "queue_number": QUEUE_IDS[qid], "tenant_id": TENANT}


@st.composite
def agent_traffic(draw: st.DrawFn) -> list[str]:
    t = 1_700_000_000 - 1_700_000_000 % 86400 + 86400 - 600  # ten minutes before midnight
    frames = []
    for _ in range(draw(st.integers(1, 40))):
        t += draw(st.sampled_from([0, 1, 5, 60, 400]))
        frames.append(json.dumps(draw(agent_message(t)) | {"time": str(t)}))
    return frames


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(agent_traffic())
def test_agent_counts_follow_any_agent_traffic(frames: list[str]) -> None:
    state = WallboardState()
    for f in frames:
        state.apply_frame(f)
        check_invariants(state)
