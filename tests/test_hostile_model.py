"""Hostile and broken input at the core: never raises, always counted, memory bounded."""

from __future__ import annotations

import json
import tracemalloc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wallboard.model import WallboardState, state_document
from wallboard.model import calls as calls_mod
from wallboard.protocol import parse_frame
from wallboard.protocol.events import CallEvent, Invalid

NORMAL = json.dumps({"event_type": "trunk_connected", "trunk_name": "after", "time": 1700000000})

RAW_FRAMES = [
    "[" * 100_000 + "]" * 100_000,  # json raises RecursionError in the stdlib
    '{"a":' * 50_000 + "1" + "}" * 50_000,
    "NaN",
    '{"event_type": "call_start", "session_id": "x", "time": NaN}',
    '{"event_type": "call_start", "session_id": "x", "time": Infinity}',
    '{"event_type": "call_start", "session_id": "y", "time": 1e999}',
    b"\xff\xfe\xfd",
    b'{"event_type": "call_start", "caller": "\xc3\x28"}',
    b"\x00\x01\x02",
    "",
    "   ",
    "\ufeff{}",
    '"just a string"',
    "12345",
    "null",
    "true",
    '{"event_type": null}',
    '{"event_type": ["x"]}',
    '{"event_type": "' + "x" * 100_000 + '"}',
    '{"status": {"nested": 1}}',
]


@pytest.mark.parametrize("frame", RAW_FRAMES, ids=range(len(RAW_FRAMES)))
def test_raw_frame_is_counted_and_next_event_applies(frame: str | bytes) -> None:
    state = WallboardState()
    state.apply_frame(frame)
    assert state.frames == 1
    assert state.frames == state.events + state.replies + state.unknown + state.invalid
    state.apply_frame(NORMAL)
    assert "after" in state.trunks
    json.dumps(state_document(state), allow_nan=False)


def test_unknown_event_type_is_bounded_in_the_log() -> None:
    parsed = parse_frame('{"event_type": "' + "x" * 100_000 + '"}')
    assert len(parsed.event_type) <= 200  # type: ignore[union-attr]


def test_nan_and_huge_times_never_become_the_clock() -> None:
    state = WallboardState()
    for frame in RAW_FRAMES[3:6]:
        state.apply_frame(frame)
    assert state.latest_event_time is None
    state.apply_frame(json.dumps({"event_type": "call_start", "session_id": "z", "time": 1e300}))
    assert state.latest_event_time is None
    assert state.now() == 0.0


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=10),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(st.text(max_size=8), children, max_size=4)
        ),
        max_leaves=30,
    ).flatmap(
        lambda junk: st.sampled_from(
            [
                "event_type",
                "session_id",
                "status",
                "registration_contacts",
                "updated_callers",
                "waiting_list",
                "agents",
                "agent_status",
                "time",
            ]
        ).map(lambda key: {"event_type": "queue_status", "queue_id": "q", key: junk})
    )
)
def test_nested_junk_in_any_field(msg: dict[str, object]) -> None:
    state = WallboardState()
    state.apply_frame(json.dumps(msg))  # NaN and Infinity included: json.dumps allows them
    assert state.frames == state.events + state.replies + state.unknown + state.invalid
    json.dumps(state_document(state), allow_nan=False)


def test_queue_with_100k_waiting_callers_stays_bounded() -> None:
    state = WallboardState()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    for i in range(100_000):
        state.apply_frame(
            json.dumps(
                {
                    "event_type": "queue_caller_status",
                    "queue_id": "q1",
                    "updated_callers": [
                        {
                            "session_id": f"s{i}",
                            "caller_number": "555",
                            "reason": "enqueue",
                            "timestamp": 1700000000 + i // 100,
                        }
                    ],
                }
            )
        )
    used = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    q = state.queues["q1"]
    assert len(q.waiting) == 100_000
    assert q.stats.offered == 100_000
    assert used < 120 * 1024 * 1024, used
    # One more cannot be listed but is still offered and accounted for.
    state.apply_frame(
        json.dumps(
            {
                "event_type": "queue_caller_status",
                "queue_id": "q1",
                "updated_callers": [{"session_id": "late", "reason": "enqueue"}],
            }
        )
    )
    assert len(q.waiting) == 100_000 and q.stats.offered == 100_001
    assert state.limits_dropped == 1
    assert state.longest_wait(q) == pytest.approx(999.0)


def _call(kind: str, sid: str, t: float) -> CallEvent:
    return CallEvent(kind, sid, "t", "101", "102", "", "", "internal", "", "", "", None, "", t)


def test_million_session_ids_churned_memory_returns_near_baseline() -> None:
    state = WallboardState()
    for i in range(1000):  # warm up every structure once
        state.apply(_call("call_start", f"w{i}", 1700000000.0))
        state.apply(_call("call_ended", f"w{i}", 1700000001.0))
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    peak_active = 0
    for i in range(1_000_000):
        state.apply(_call("call_start", f"s{i}", 1700000000.0 + i / 1000))
        if i >= 500:
            state.apply(_call("call_ended", f"s{i - 500}", 1700000000.0 + i / 1000))
        if i % 100_000 == 0:
            peak_active = max(peak_active, len(state.calls))
    for i in range(1_000_000 - 500, 1_000_000):
        state.apply(_call("call_ended", f"s{i}", 1700001000.0))
    after = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    assert state.calls == {}
    assert peak_active == 500
    assert state.finished["ended"] == 1_001_000
    # What remains is the bounded dedupe window and recent history, not a million calls.
    assert after < 8 * 1024 * 1024, after


def test_never_ending_calls_are_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(calls_mod, "MAX_CALLS", 1000)
    state = WallboardState()
    for i in range(5000):
        state.apply(_call("call_start", f"s{i}", 1700000000.0))
    assert len(state.calls) == 1000
    assert "s4999" in state.calls and "s0" not in state.calls
    assert state.limits_dropped == 4000


def test_log_and_history_are_bounded() -> None:
    state = WallboardState()
    for i in range(5000):
        state.apply(_call("call_start", f"s{i}", 1700000000.0))
        state.apply(_call("call_fail", f"s{i}", 1700000000.0))
        state.apply(Invalid("junk"))
    assert len(state.log) <= 300
    assert len(state.recent) <= 200
    assert state.finished["failed"] == 5000 and state.invalid == 5000


def test_hostile_fixture_is_current_and_fully_accounted(tmp_path: object) -> None:
    from hostile import FIXTURE, HOSTILE_INVALID, HOSTILE_NAMES, HOSTILE_UNKNOWN, hostile_lines
    from wallboard.feed.replay import replay_into

    assert FIXTURE.read_text(encoding="utf-8").splitlines() == hostile_lines()
    state = WallboardState()
    replay_into(state, FIXTURE)
    assert state.invalid == HOSTILE_INVALID
    assert state.unknown == HOSTILE_UNKNOWN
    assert state.frames == len(hostile_lines())
    assert "after-hostile" in state.trunks
    # Full values are kept in the model, byte for byte.
    names = {c.caller_name for c in state.calls.values()}
    assert names == set(HOSTILE_NAMES)
    doc = state_document(state)
    json.dumps(doc, allow_nan=False)
