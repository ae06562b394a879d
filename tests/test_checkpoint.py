"""Checkpoint + the frames after it = all the frames (DESIGN.md's one idea for store and hub)."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hostile import FIXTURE as HOSTILE
from ui_helpers import REPLAY
from wallboard.bench.stream import StreamGenerator
from wallboard.model import WallboardState, state_document
from wallboard.model.checkpoint import checkpoint, json_default, restore, restore_day
from wallboard.protocol.parse import parse_frame


def frames_of(path: Path) -> list[str]:
    out = []
    for line in path.read_text().splitlines():
        obj = json.loads(line) if line.strip().startswith("{") else None
        out.append(obj["frame"] if isinstance(obj, dict) and "frame" in obj else line)
    return out


V12 = frames_of(Path(REPLAY))
HOST = frames_of(Path(HOSTILE))
# The generator yields (receive time, frame) pairs: the frames are the second.
V16 = [frame for _t, frame in StreamGenerator(agents=60, queues=4, seed=3).frames(1500)]
STREAMS = {"v12-demo": V12, "hostile": HOST, "v16-stream": V16}


def test_the_streams_are_about_something() -> None:
    """Each stream builds queues, calls and agents' days: equal empty models prove nothing."""
    for name, frames in STREAMS.items():
        state = run(frames)
        assert state.events > len(frames) // 2, name
        assert state.queues and any(q.stats.offered for q in state.queues.values()), name
        assert state.calls, name
    v16 = run(V16)
    assert v16.day_calls and sum(d.answered for d in v16.agent_days.values()) > 0


def through_the_wire(state: WallboardState) -> WallboardState:
    """A new model from the checkpoint as it would travel: JSON bytes."""
    data = orjson.loads(orjson.dumps(checkpoint(state), default=json_default))
    fresh = WallboardState()
    result = restore(fresh, data)
    assert result.skipped == 0
    return fresh


def run(frames: list[str]) -> WallboardState:
    state = WallboardState()
    for f in frames:
        state.apply(parse_frame(f))
    return state


@pytest.mark.parametrize("stream", sorted(STREAMS))
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_checkpoint_then_the_rest_equals_all_frames(stream: str, data: st.DataObject) -> None:
    frames = STREAMS[stream]
    split = data.draw(st.integers(0, len(frames)))
    whole = run(frames)
    first = run(frames[:split])
    resumed = through_the_wire(first)
    for f in frames[split:]:
        resumed.apply(parse_frame(f))
    assert state_document(resumed) == state_document(whole)
    # The day's hidden parts too: intervals, agents' days, who was offered.
    for qid, q in whole.queues.items():
        r = resumed.queues[qid]
        assert r.intervals == q.intervals and r.seen == q.seen and r.stats == q.stats
    assert resumed.agent_days == whole.agent_days
    assert resumed.agent_counts == whole.agent_counts
    assert list(resumed.day_calls) == list(whole.day_calls)


def test_day_part_alone_restores_todays_totals_for_a_fresh_model() -> None:
    whole = run(V16)
    data = orjson.loads(orjson.dumps(checkpoint(whole, live=False), default=json_default))
    assert "live" not in data
    fresh = WallboardState()
    restore_day(fresh, data["day"])
    assert set(fresh.queues) == set(whole.queues)
    for qid, q in whole.queues.items():
        assert fresh.queues[qid].stats == q.stats
        assert fresh.queues[qid].intervals == q.intervals and fresh.queues[qid].seen == q.seen
        assert fresh.queues[qid].waiting == {}  # live state comes from the PBX again
    assert list(fresh.day_calls) == list(whole.day_calls)
    assert fresh.finished == whole.finished
    # Agents keep their day but no current state (unknown until the PBX says).
    assert {k: d.answered for k, d in fresh.agent_days.items()} == {
        k: d.answered for k, d in whole.agent_days.items()
    }
    assert fresh.agent_days and all(d.state == "" for d in fresh.agent_days.values())
    assert sum(fresh.agent_counts.values()) == 0


def test_a_damaged_checkpoint_is_skipped_not_fatal() -> None:
    whole = run(V12)
    data = orjson.loads(orjson.dumps(checkpoint(whole), default=json_default))
    data["live"]["calls"].append({"session_id": 5})
    data["live"]["extensions"].append("nonsense")
    data["day"]["queues"].append({"queue_id": ""})
    fresh = WallboardState()
    result = restore(fresh, data)
    assert result.skipped == 3
    assert len(fresh.calls) == len(whole.calls)
    assert restore(WallboardState(), {"checkpoint": 99}).skipped == 1
    assert restore(WallboardState(), "junk").skipped == 1
