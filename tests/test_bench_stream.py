"""The benchmark streams are deterministic and look like the PBX traffic they claim to be."""

from __future__ import annotations

import collections
import json
from typing import Any

import pytest

from wallboard.bench.stream import MIXES, StreamGenerator
from wallboard.model import WallboardState
from wallboard.protocol import parse_frame
from wallboard.protocol.events import Invalid, Unknown

N = 6000


def _frames(mix: str, seed: int = 1, n: int = N) -> list[str]:
    return [f for _, f in StreamGenerator(agents=300, queues=8, seed=seed, mix=mix).frames(n)]


def _kinds(frames: list[str]) -> collections.Counter[str]:
    return collections.Counter(json.loads(f)["event_type"] for f in frames)


@pytest.mark.parametrize("mix", MIXES)
def test_same_seed_same_frames_other_seed_other_frames(mix: str) -> None:
    a = _frames(mix, 1, 1500)
    assert a == _frames(mix, 1, 1500)
    assert a != _frames(mix, 2, 1500)


def test_unknown_mix_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown mix"):
        StreamGenerator(mix="nope")


@pytest.mark.parametrize("mix", MIXES)
def test_every_frame_is_a_known_well_formed_event(mix: str) -> None:
    state = WallboardState()
    for f in _frames(mix):
        ev = parse_frame(f)
        assert not isinstance(ev, Invalid | Unknown), f
        state.apply(ev)
    assert state.frames == state.events == N
    assert state.limits_dropped == 0


@pytest.mark.parametrize("mix", MIXES)
def test_virtual_clock_advances_one_rate_step_per_frame(mix: str) -> None:
    gen = StreamGenerator(agents=100, queues=4, mix=mix, rate=500.0)
    times = [t for t, _ in gen.frames(2000)]
    assert times == sorted(times)
    assert times[-1] - times[0] == pytest.approx(1999 / 500.0, rel=0.01)


def test_calls_mix_is_mostly_v12_call_lifecycles_with_sip_addresses() -> None:
    frames = _frames("calls")
    kinds = _kinds(frames)
    life = sum(
        v for k, v in kinds.items() if k.startswith(("call_", "target_")) and k != "call_cdr"
    )
    assert 0.75 <= life / N <= 0.87, kinds
    for k in (
        "call_start",
        "target_add",
        "target_ringing",
        "target_noanswer",
        "target_ended",
        "call_established",
        "call_hold",
        "call_unhold",
        "call_reroute",
        "call_ended",
        "call_noanswer",
        "call_fail",
        "call_cdr",
        "extension_register",
        "queue_status",
        "queue_member_state",
    ):
        assert kinds[k] > 0, k
    for f in frames:
        d = json.loads(f)
        if d["event_type"].startswith(("call_", "target_")) and d["event_type"] != "call_cdr":
            addresses = [d[k] for k in ("caller", "callee", "aor", "peer_aor") if k in d]
            assert addresses and all(a.startswith("sip:") for a in addresses), f


def test_queues_mix_is_a_v16_contact_center() -> None:
    frames = _frames("queues")
    kinds = _kinds(frames)
    for k in (
        "extension_status",
        "queue_status",
        "call_start",
        "call_cdr",
        "queue_caller_status",
        "queue_agent_status",
        "extension_agent_status",
        "extension_call",
        "extension_presence",
    ):
        assert kinds[k] > 0, k
    reasons = collections.Counter(
        c["reason"]
        for f in frames
        if '"queue_caller_status"' in f
        for c in json.loads(f)["updated_callers"]
    )
    assert set(reasons) == {"enqueue", "agent_answered", "hangup", "overflow", "callback"}, reasons
    states = collections.Counter(
        a["state"]
        for f in frames
        if '"queue_agent_status"' in f
        for a in json.loads(f)["updated_agents"]
    )
    assert {"QUEUE_CALL", "WRAP_UP", "READY", "OTHER_CALL", "NOT_READY"} <= set(states), states


def test_agents_sit_in_several_queues() -> None:
    membership: collections.Counter[str] = collections.Counter()
    for f in StreamGenerator(agents=300, queues=8, mix="queues").pictures(1.76e9):
        d = json.loads(f)
        if d["event_type"] == "queue_status":
            membership.update(a["agent_extension_number"] for a in d["agents"])
    assert len(membership) == 300  # every agent is in a queue
    several = sum(1 for n in membership.values() if n > 1)
    assert 0.3 * 300 < several < 0.7 * 300
    assert max(membership.values()) <= 3


def _cdrs(frames: list[str]) -> list[dict[str, Any]]:
    return [json.loads(f) for f in frames if '"event_type":"call_cdr"' in f]


@pytest.mark.parametrize("mix", MIXES)
def test_cdr_times_make_sense(mix: str) -> None:
    frames = _frames(mix)
    starts = {}
    for f in frames:
        d = json.loads(f)
        if d["event_type"] == "call_start":
            starts[d["session_id"]] = int(d["time"])
    cdrs = _cdrs(frames)
    assert cdrs
    answered = 0
    for c in cdrs:
        start, end = int(c["start_time"]), int(c["ended_time"])
        assert start <= end
        if c["session_id"] in starts:
            assert start == starts[c["session_id"]]
        if "answered_time" in c:
            answered += 1
            ans = int(c["answered_time"])
            assert start <= ans <= end
            assert c["talk_duration"] == end - ans
            assert int(c["ring_duration"]) == ans - start
        else:
            assert c["talk_duration"] == 0 and c["call_status"] != "answered"
        for leg in c["call_targets"]:
            ring, leg_end, leg_ans = (
                int(leg["ring_time"]),
                int(leg["ended_time"]),
                int(leg["answered_time"]),
            )
            assert start <= ring <= leg_end <= end
            if leg_ans:
                assert ring <= leg_ans <= leg_end
                assert int(leg["talk_duration"]) == leg_end - leg_ans
    assert 0.5 * len(cdrs) < answered < len(cdrs)


def test_transfers_show_in_both_dialects() -> None:
    calls = _frames("calls")
    assert any('"event_type":"call_reroute"' in f for f in calls)
    queues = _cdrs(_frames("queues"))
    referred = [c for c in queues if any(t["end_reason"] == "referred" for t in c["call_targets"])]
    assert referred, "a v16 transfer leaves a 'referred' leg in the CDR"


def test_mixed_is_both_tenants_interleaved() -> None:
    frames = _frames("mixed")
    tenants = collections.Counter(json.loads(f).get("tenant_id") for f in frames)
    assert len(tenants) == 2 and min(tenants.values()) > 0.3 * N, tenants
    kinds = _kinds(frames)
    assert kinds["call_established"] > 0 and kinds["queue_caller_status"] > 0
