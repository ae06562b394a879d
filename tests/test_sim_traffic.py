"""The simulator's traffic: every kind of event, documented shapes, determinism."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest

from sim_helpers import ALL_TOPICS, AUTH, EPOCH, EXAMPLES, config, open_peer, run, settle
from wallboard.sim import TENANT_ID, Simulator


def _examples(dialect: str) -> dict[str, list[dict[str, Any]]]:
    """Documented event examples by event_type; v12 falls back on v16 (as the docs say)."""
    found: dict[str, list[dict[str, Any]]] = {}
    order = {"v12": ["v12", "v16"], "v16": ["v16"], "v22": ["v22", "v16"]}[dialect]
    for d in order:
        for path in sorted((EXAMPLES / d).glob("evt_*.json")):
            ev = json.loads(path.read_text())
            found.setdefault(ev["event_type"], []).append(ev)
    return found


def _keys_match(event: dict[str, Any], example: dict[str, Any]) -> str | None:
    """None if `event` has the example's keys with the example's JSON types (recursively)."""
    for key, want in example.items():
        if key not in event:
            return f"missing {key!r}"
        got = event[key]
        if type(got) is not type(want) and not (want is None or got is None):
            return f"{key!r} is {type(got).__name__}, documented {type(want).__name__}"
        if isinstance(want, list) and want and isinstance(want[0], dict):
            for item in got:
                why = _keys_match(item, want[0])
                if why:
                    return f"{key}[]: {why}"
    return None


# What a tenant subscribed to everything must see, per dialect.
EXPECTED = {
    "v12": {
        "extension_register",
        "call_start",
        "call_fail",
        "call_reroute",
        "call_noanswer",
        "call_hold",
        "call_unhold",
        "call_ended",
        "call_established",
        "target_add",
        "target_fail",
        "target_noanswer",
        "target_ringing",
        "target_ended",
        "call_cdr",
        "queue_status",
        "queue_member_state",
        "trunk_connected",
        "trunk_disconnected",
    },
    "v16": {
        "extension_status",
        "extension_call",
        "extension_presence",
        "extension_agent_status",
        "call_start",
        "call_cdr",
        "queue_status",
        "queue_caller_status",
        "queue_agent_status",
        "queue_sla_breached",
    },
}
EXPECTED["v22"] = EXPECTED["v16"] | {"call_update_info"}


async def _everything(dialect: str, seconds: float = 900, **kw: Any) -> list[dict[str, Any]]:
    """Frames a tenant subscribed to everything receives over `seconds` of busy traffic."""
    async with Simulator(config(dialect, rate=1.0, **kw)) as sim:
        peer = await open_peer(sim)
        reply = await peer.command({"command": "subscribe", "topics": ALL_TOPICS[dialect]})
        assert reply["status"] == 0, reply
        await run(sim, [peer], seconds, step=30)
        await peer.close()
        return [m for m in peer.messages if "event_type" in m]


@pytest.mark.parametrize("dialect", ["v12", "v16", "v22"])
async def test_every_kind_of_traffic_with_documented_shapes(dialect: str) -> None:
    events = await _everything(dialect)
    kinds = Counter(e["event_type"] for e in events)
    assert EXPECTED[dialect] <= set(kinds), EXPECTED[dialect] - set(kinds)

    examples = _examples(dialect)
    for ev in events:
        docs = examples.get(ev["event_type"])
        if not docs:
            continue  # undocumented payloads (v12 target_*, trunk_*, ...): checked below
        problems = [_keys_match(ev, doc) for doc in docs]
        assert None in problems, (ev["event_type"], problems, ev)
        assert ev["tenant_id"] == TENANT_ID

    if dialect == "v12":
        for ev in events:
            if ev["event_type"] not in ("queue_status", "call_cdr"):  # v16 shapes
                assert isinstance(ev["time"], str) and ev["time"].isdigit(), ev
            if ev["event_type"].startswith(("call_", "target_")) and ev["event_type"] not in (
                "call_cdr",
                "call_hold",
                "call_unhold",
            ):
                assert ev["caller"].startswith("sip:") and ev["caller"].endswith("@demo.local")
                assert ev["session_id"].isdigit() and len(ev["session_id"]) >= 18
            if ev["event_type"].startswith("target_") or ev["event_type"] == "call_reroute":
                assert ev["call_target"].startswith("sip:"), ev
            if ev["event_type"] in ("call_fail", "target_fail"):
                assert isinstance(ev["fail_code"], int) and ev["fail_code"] >= 400
            if ev["event_type"] == "call_start":
                assert ev["direction"] in ("ext", "in", "out", "in2out")
            if ev["event_type"] == "queue_member_state":
                assert set(ev) >= {"queue_id", "queue_number", "agent_extension_number", "state"}
            if ev["event_type"].startswith("trunk_"):
                assert ev["trunk_name"]
        multi = [e for e in events if e["event_type"] == "extension_register"]
        assert any(len(e.get("registration_contacts", [])) >= 2 for e in multi)
        assert any("removed_contacts" in e for e in multi)
        assert any("registration_contacts" in e for e in multi)
    else:
        reasons = Counter(
            c["reason"]
            for e in events
            if e["event_type"] == "queue_caller_status"
            for c in e["updated_callers"]
        )
        assert {"enqueue", "agent_answered", "overflow", "hangup", "callback"} <= set(reasons)
        states = Counter(
            a["state"]
            for e in events
            if e["event_type"] == "queue_agent_status"
            for a in e["updated_agents"]
        )
        assert {"READY", "QUEUE_CALL", "WRAP_UP", "NOT_READY", "OTHER_CALL"} <= set(states)
        assert any(
            e.get("removed_agents") for e in events if e["event_type"] == "queue_agent_status"
        )
        assert any(e.get("presence") for e in events if e["event_type"] == "extension_presence")
        cdrs = [e for e in events if e["event_type"] == "call_cdr"]
        assert all(isinstance(c["talk_duration"], int) for c in cdrs)
        assert {c["direction"] for c in cdrs} >= {"inbound", "internal", "outbound"}


async def test_v22_management_events() -> None:
    events = await _everything("v22", seconds=1500, agents=12, queues=2)
    mgmt = {
        e["event_type"]
        for e in events
        if e["event_type"].startswith(("extension_created", "extension_updated", "queue_"))
        and e["event_type"] not in ("queue_status", "queue_caller_status", "queue_agent_status")
    }
    assert mgmt & {"extension_created", "extension_updated", "extension_destroyed"}
    assert mgmt & {"queue_created", "queue_updated", "queue_destroy"}
    created = [e for e in events if e["event_type"] == "extension_created"]
    doc = json.loads((EXAMPLES / "v22" / "evt_extension_created.json").read_text())
    assert all(set(doc) <= set(e) for e in created)


async def test_time_is_the_virtual_clock() -> None:
    events = await _everything("v16", seconds=120)
    times = [int(e["time"]) for e in events if "time" in e]
    assert times and all(EPOCH - 1 <= t <= EPOCH + 121 for t in times)


async def _transcript(seed: int, dialect: str = "v12") -> list[str]:
    async with Simulator(config(dialect, seed=seed)) as sim:
        peer = await open_peer(sim)
        await peer.command({"command": "subscribe", "topics": ALL_TOPICS[dialect]})
        await run(sim, [peer], 300, step=7)
        await peer.close()
        return peer.frames


@pytest.mark.parametrize("dialect", ["v12", "v22"])
async def test_same_seed_same_events(dialect: str) -> None:
    a = await _transcript(3, dialect)
    b = await _transcript(3, dialect)
    assert len(a) > 200
    assert a == b
    c = await _transcript(4, dialect)
    assert c != a


async def test_step_size_does_not_change_the_sequence() -> None:
    async def frames(step: float) -> list[str]:
        async with Simulator(config("v16", seed=9)) as sim:
            peer = await open_peer(sim)
            await peer.command({"command": "subscribe", "topics": ALL_TOPICS["v16"]})
            await run(sim, [peer], 200, step=step)
            await peer.close()
            return peer.frames

    assert await frames(1.0) == await frames(50.0)


async def test_unsubscribe_stops_the_events() -> None:
    async with Simulator(config("v16", rate=1.0)) as sim:
        peer = await open_peer(sim)
        await peer.command({"command": "subscribe", "topics": ["cdr_events", "queue_events"]})
        await run(sim, [peer], 120)
        kinds = {e["event_type"] for e in peer.events()}
        assert "call_cdr" in kinds and "queue_caller_status" in kinds
        reply = await peer.command({"command": "unsubscribe", "topics": ["cdr_events"]})
        assert reply["status"] == 0
        mark = len(peer.frames)
        await run(sim, [peer], 120)
        later = {json.loads(f)["event_type"] for f in peer.frames[mark:]}
        assert "call_cdr" not in later and "call_start" not in later
        assert "queue_caller_status" in later
        await peer.command({"command": "unsubscribe", "topics": ["queue_events"]})
        mark = len(peer.frames)
        await run(sim, [peer], 60)
        assert peer.frames[mark:] == []
        await peer.close()


async def test_v12_unsubscribe_keys_and_extensions() -> None:
    async with Simulator(config("v12", rate=1.0)) as sim:
        peer = await open_peer(sim)
        sub = {"command": "subscribe", "topics": ALL_TOPICS["v12"][:1]}
        assert (await peer.command(sub))["status"] == 0
        await run(sim, [peer], 60)
        assert {e["event_type"] for e in peer.events()} >= {"call_start", "extension_register"}
        unsub = {
            "command": "unsubscribe",
            "topics": [{"topic": "extension_events", "keys": ["extension_register"]}],
        }
        assert (await peer.command(unsub))["status"] == 0
        mark = len(peer.frames)
        await run(sim, [peer], 120)
        later = [json.loads(f) for f in peer.frames[mark:]]
        assert later and all(e["event_type"] != "extension_register" for e in later)
        # Narrow to two extensions, then drop them: nothing left.
        await peer.command({"command": "unsubscribe", "topics": ALL_TOPICS["v12"][:1]})
        await peer.command(
            {"command": "subscribe", "topics": ALL_TOPICS["v12"][:1], "extensions": ["102", "103"]}
        )
        mark = len(peer.frames)
        await run(sim, [peer], 300)
        narrowed = [json.loads(f) for f in peer.frames[mark:]]
        regs = {e["extension"] for e in narrowed if e["event_type"] == "extension_register"}
        assert regs <= {"sip:102@demo.local", "sip:103@demo.local"}
        await peer.command(
            {
                "command": "unsubscribe",
                "topics": ALL_TOPICS["v12"][:1],
                "extensions": ["102", "103"],
            }
        )
        mark = len(peer.frames)
        await run(sim, [peer], 120)
        assert peer.frames[mark:] == []
        await peer.close()


async def test_extension_sees_only_its_group() -> None:
    async with Simulator(config("v16", rate=1.5)) as sim:
        peer = await open_peer(sim, "ext")  # extension 101: group 101-110
        reply = await peer.command({"command": "subscribe", "topics": ["extension_events"]})
        assert reply["status"] == 0
        await run(sim, [peer], 300)
        events = peer.events()
        assert events
        group = {f"sip:{n}@demo.local" for n in range(101, 111)}
        for e in events:
            if e["event_type"] == "extension_status":
                assert {s["extension"] for s in e["status"]} <= group
            else:
                assert e["extension"] in group, e
        await peer.close()


async def test_v16_pictures_after_subscribe() -> None:
    async with Simulator(config("v16", agents=450, queues=3)) as sim:
        peer = await open_peer(sim)
        await peer.command({"command": "subscribe", "topics": ["extension_events", "queue_events"]})
        await settle(sim, [peer])
        events = peer.events()
        statuses = [e for e in events if e["event_type"] == "extension_status"]
        seen = [s["extension"] for e in statuses for s in e["status"]]
        assert len(seen) == 450 and len(statuses) == 3  # chunked
        queues = [e for e in events if e["event_type"] == "queue_status"]
        assert [q["queue_number"] for q in queues] == ["8001", "8002", "8003"]
        assert [q["queue_name"] for q in queues] == ["Sales", "Support", "Billing"]
        assert all(q["agents"] for q in queues)
        # Filters narrow the pictures too.
        peer2 = await open_peer(sim)
        await peer2.command(
            {
                "command": "subscribe",
                "topics": ["extension_events", "queue_events"],
                "extensions": ["102", "103"],
                "queues": ["8002"],
            }
        )
        await settle(sim, [peer, peer2])
        ev2 = peer2.events()
        assert [s["extension"] for e in ev2 if "status" in e for s in e["status"]] == [
            "sip:102@demo.local",
            "sip:103@demo.local",
        ]
        assert [e["queue_number"] for e in ev2 if e["event_type"] == "queue_status"] == ["8002"]
        await peer.close()
        await peer2.close()


async def test_v22_global_topics_for_sysadmin() -> None:
    async with Simulator(config("v22", rate=1.0)) as sim:
        peer = await open_peer(sim, "sysadmin")
        reply = await peer.command(
            {
                "command": "subscribe",
                "topics": ["global_cdr_events", "global_queue_events", "global_extension_events"],
                "tenants": [TENANT_ID],
            }
        )
        assert reply["status"] == 0, reply
        await run(sim, [peer], 120)
        kinds = {e["event_type"] for e in peer.events()}
        assert {"call_start", "call_cdr", "queue_status", "extension_status"} <= kinds
        await peer.close()


async def test_auth_sends_no_events_before_subscribe() -> None:
    async with Simulator(config("v16", rate=2.0)) as sim:
        peer = await open_peer(sim)
        await run(sim, [peer], 60)
        assert peer.events() == []
        assert AUTH  # keep the import honest
        await peer.close()
