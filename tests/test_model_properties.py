"""Hypothesis: any sequence of frames never raises and keeps the model's invariants."""

from __future__ import annotations

import json
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
    for name in ("ended", "noanswer", "failed"):
        assert state.finished[name] >= 0
    for call in state.calls.values():
        assert call.state in CALL_STATES
    for q in state.queues.values():
        s = q.stats
        for v in (s.offered, s.answered, s.abandoned, s.overflowed, s.callbacks, s.sla_breaches):
            assert v >= 0
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
