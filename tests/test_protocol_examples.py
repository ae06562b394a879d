"""Every documented example parses to the right event, and our commands match the documents."""

from __future__ import annotations

import json

import pytest

from conftest import EXAMPLES, example, example_text
from wallboard.protocol import build_auth, build_subscribe, build_unsubscribe, parse_frame
from wallboard.protocol import events as ev

ALL_INCOMING = sorted(
    p.relative_to(EXAMPLES).with_suffix("").as_posix()
    for p in EXAMPLES.glob("*/*.json")
    if not p.name.startswith("cmd_")
)


def test_every_incoming_example_is_covered() -> None:
    assert set(ALL_INCOMING) == set(EXPECTED), set(ALL_INCOMING) ^ set(EXPECTED)


EXPECTED: dict[str, tuple[type, dict[str, object]]] = {
    "v12/evt_call_ended": (
        ev.CallEvent,
        {
            "kind": "call_ended",
            "session_id": "494535522404798464",
            "caller": "102",
            "callee": "103",
            "time": 1632671272.0,
        },
    ),
    "v12/evt_call_established": (
        ev.CallEvent,
        {"kind": "call_established", "call_target": "103", "tenant_id": "236047118140313600"},
    ),
    "v12/evt_call_fail": (ev.CallEvent, {"kind": "call_fail", "fail_code": 480}),
    "v12/evt_call_hold": (
        ev.CallEvent,
        {"kind": "call_hold", "aor": "102", "peer_aor": "103", "time": 1632669389.0},
    ),
    "v12/evt_call_noanswer": (
        ev.CallEvent,
        {"kind": "call_noanswer", "session_id": "494536565997965312"},
    ),
    "v12/evt_call_start": (
        ev.CallEvent,
        {
            "kind": "call_start",
            "direction": "internal",
            "caller": "102",
            "callee": "103",
            "caller_name": "",
        },
    ),
    "v12/evt_call_unhold": (ev.CallEvent, {"kind": "call_unhold", "aor": "102"}),
    "v12/evt_extension_register_online": (
        ev.ExtensionRegister,
        {"number": "102", "extension_id": "494521070842286080", "removed": []},
    ),
    "v12/evt_extension_register_removed": (
        ev.ExtensionRegister,
        {"number": "102", "contacts": None},
    ),
    "v12/resp_auth_error": (
        ev.Reply,
        {"status": -1, "error": "name or password error", "command": ""},
    ),
    "v12/resp_auth_ok": (ev.Reply, {"status": 0}),
    "v16/evt_call_cdr": (
        ev.CallCdr,
        {
            "session_id": "885337248273272832",
            "call_status": "answered",
            "direction": "inbound",
            "talk_duration": 21.0,
            "answered_time": 1725845648.0,
            "ended_time": 1725845669.0,
            "status_code": 0,
            "caller_name": "1888722",
        },
    ),
    "v16/evt_extension_agent_status": (
        ev.ExtensionAgentStatus,
        {"number": "102", "statuses": [("8002", "READY")]},
    ),
    "v16/evt_extension_call": (ev.ExtensionCall, {"number": "101", "call_status": "ON_CALL"}),
    "v16/evt_extension_presence": (
        ev.ExtensionPresence,
        {"number": "101", "presence": "AVAILABLE", "presence_note": "Driving"},
    ),
    "v16/evt_extension_presence_early": (
        ev.ExtensionPresence,
        {"number": "101", "presence": "AWAY", "presence_note": "Away"},
    ),
    "v16/evt_extension_status": (
        ev.ExtensionStatus,
        {"tenant_id": "794493068765036544", "time": 1704186780.0},
    ),
    "v16/evt_extension_status_early": (ev.ExtensionStatus, {"tenant_id": "794493068765036544"}),
    "v16/evt_queue_agent_status": (
        ev.QueueAgentStatus,
        {"queue_id": "677046776364007424", "removed": ["102"]},
    ),
    "v16/evt_queue_caller_status": (
        ev.QueueCallerStatus,
        {"queue_id": "677046776364007424", "time": 1676206249.0},
    ),
    "v16/evt_queue_sla_breached": (
        ev.QueueSlaBreached,
        {
            "sla_time_secs": 90.0,
            "total_callers_breached": 6,
            "waiting_callers": 100,
            "caller": "00431334081002",
        },
    ),
    "v16/evt_queue_status": (
        ev.QueueStatus,
        {
            "queue_id": "677046776364007424",
            "queue_number": "8001",
            "queue_name": "Sales Department",
        },
    ),
    "v16/resp_auth_error": (ev.Reply, {"status": -1, "command": "auth", "id": "2"}),
    "v16/resp_auth_ok": (ev.Reply, {"status": 0, "command": "auth", "id": "1"}),
    "v22/evt_call_start": (
        ev.CallEvent,
        {"kind": "call_start", "callee_name": "IVR", "did": "18800606", "direction": "inbound"},
    ),
    "v22/evt_call_update_info": (
        ev.CallEvent,
        {"kind": "call_update_info", "callee": "8000", "callee_name": "Sales"},
    ),
    "v22/evt_extension_call_cleared": (ev.ExtensionCall, {"number": "101", "call_status": ""}),
    "v22/evt_extension_created": (
        ev.Management,
        {
            "kind": "extension_created",
            "extension_number": "1001",
            "display_name": "Jason Wek",
            "enabled": True,
        },
    ),
    "v22/evt_extension_presence": (ev.ExtensionPresence, {"presence": "DO_NOT_DISTURB"}),
    "v22/evt_extension_status": (ev.ExtensionStatus, {"tenant_id": "794493068765036544"}),
    "v22/evt_queue_caller_status_answered": (
        ev.QueueCallerStatus,
        {"queue_id": "677046776364007424"},
    ),
    "v22/evt_queue_caller_status_callback": (
        ev.QueueCallerStatus,
        {"queue_id": "677046776364007424"},
    ),
    "v22/evt_queue_created": (ev.Management, {"kind": "queue_created", "queue_number": "8800"}),
    "v22/resp_auth_error": (ev.Reply, {"status": -1, "command": "auth"}),
    "v22/resp_auth_ok": (ev.Reply, {"status": 0, "command": "auth"}),
}


@pytest.mark.parametrize("name", ALL_INCOMING)
def test_example_parses(name: str) -> None:
    kind, fields = EXPECTED[name]
    parsed = parse_frame(example_text(name))
    assert type(parsed) is kind, parsed
    for key, value in fields.items():
        assert getattr(parsed, key) == value, (key, getattr(parsed, key))


def test_contacts_of_register() -> None:
    parsed = parse_frame(example_text("v12/evt_extension_register_online"))
    assert isinstance(parsed, ev.ExtensionRegister)
    assert parsed.contacts is not None
    assert [c.user_agent for c in parsed.contacts] == [
        "Test SIPMaster for IOS",
        "PortSIP UC Client iOS - v16.0.001",
    ]
    assert parsed.contacts[0].expires == 1632668422.0
    assert parsed.contacts[0].address == "113.246.194.98:10061"
    removed = parse_frame(example_text("v12/evt_extension_register_removed"))
    assert isinstance(removed, ev.ExtensionRegister)
    assert removed.removed[0].key == parsed.contacts[1].key


def test_status_entries_normalise_typos_and_early_spellings() -> None:
    status = parse_frame(example_text("v16/evt_extension_status"))
    assert isinstance(status, ev.ExtensionStatus)
    assert [(e.number, e.call_status, e.presence, e.online) for e in status.entries] == [
        ("101", "ON_CALL", "AWAY", False),  # "ON_ACLL" typo
        ("102", "ON_CALL", "AVAILABLE", False),
    ]
    early = parse_frame(example_text("v16/evt_extension_status_early"))
    assert isinstance(early, ev.ExtensionStatus)
    assert [(e.call_status, e.presence) for e in early.entries] == [
        ("ON_CALL", None),
        ("ON_CALL", None),
    ]
    v22 = parse_frame(example_text("v22/evt_extension_status"))
    assert isinstance(v22, ev.ExtensionStatus)
    assert [(e.call_status, e.online) for e in v22.entries] == [
        ("RINGING", True),
        ("ON_CALL", True),
    ]


def test_queue_payloads() -> None:
    qs = parse_frame(example_text("v16/evt_queue_status"))
    assert isinstance(qs, ev.QueueStatus)
    assert qs.waiting[0].position == 2 and qs.waiting[0].time == 1676206249.0
    assert qs.agents[0].state == "QUEUE_CALL" and qs.agents[0].caller_name == "Thomas Young"
    cs = parse_frame(example_text("v22/evt_queue_caller_status_callback"))
    assert isinstance(cs, ev.QueueCallerStatus)
    assert (cs.callers[0].reason, cs.callers[0].type) == ("callback", "callback")
    ans = parse_frame(example_text("v22/evt_queue_caller_status_answered"))
    assert isinstance(ans, ev.QueueCallerStatus)
    assert ans.callers[0].reason == "agent_answered" and ans.callers[0].time == 1676206280.0


@pytest.mark.parametrize(
    ("name", "dialect", "kwargs"),
    [
        (
            "v12/cmd_auth_extension",
            "v12",
            {"extension": "101", "domain": "test.com", "password": "111111"},
        ),
        ("v12/cmd_auth_tenant", "v12", {"user": "tenant name", "password": "111111"}),
        (
            "v16/cmd_auth_extension_number",
            "v16",
            {"extension": "101", "domain": "test.io", "password": "A1s2d3f4"},
        ),
        (
            "v16/cmd_auth_username",
            "v16",
            {"user": "testuser1", "domain": "test.io", "password": "A1s2d3f4"},
        ),
        ("v22/cmd_auth_sysadmin", "v22", {"user": "admin", "password": "A1s2d3f4"}),
        (
            "v22/cmd_auth_username",
            "v22",
            {"user": "testuser1", "domain": "test.io", "password": "A1s2d3f4"},
        ),
    ],
)
def test_auth_commands_match_documents(name: str, dialect: str, kwargs: dict[str, str]) -> None:
    password = kwargs.pop("password")
    assert build_auth(dialect, password, **kwargs) == example(name)


@pytest.mark.parametrize(
    ("name", "dialect", "topics", "filters", "unsubscribe"),
    [
        (
            "v12/cmd_subscribe_extensions",
            "v12",
            ["extension_events"],
            {"extensions": ["102", "103"]},
            False,
        ),
        (
            "v12/cmd_subscribe_extensions_and_cdr",
            "v12",
            ["extension_events", "cdr_events"],
            {"extensions": ["102", "103"]},
            False,
        ),
        ("v12/cmd_subscribe_trunks", "v12", ["trunk_events"], {}, False),
        ("v12/cmd_unsubscribe_cdr", "v12", ["cdr_events"], {}, True),
        (
            "v12/cmd_unsubscribe_extensions_and_cdr",
            "v12",
            ["extension_events", "cdr_events"],
            {"extensions": ["102", "103"]},
            True,
        ),
        ("v16/cmd_subscribe_cdr", "v16", ["cdr_events"], {}, False),
        (
            "v16/cmd_subscribe_extensions_and_cdr",
            "v16",
            ["extension_events", "cdr_events"],
            {"extensions": ["102", "103"]},
            False,
        ),
        ("v16/cmd_subscribe_queues", "v16", ["queue_events"], {"queues": ["8001", "8002"]}, False),
        (
            "v16/cmd_unsubscribe_extensions",
            "v16",
            ["extension_events"],
            {"extensions": ["101", "102"]},
            True,
        ),
        (
            "v22/cmd_subscribe_global_cdr",
            "v22",
            ["global_cdr_events"],
            {"tenants": ["23435", "74235345"]},
            False,
        ),
        ("v22/cmd_subscribe_queue_management", "v22", ["queue_management_events"], {}, False),
        ("v22/cmd_unsubscribe_queues", "v22", ["queue_events"], {"queues": ["8001", "8002"]}, True),
    ],
)
def test_subscribe_commands_match_documents(
    name: str, dialect: str, topics: list[str], filters: dict[str, list[str]], unsubscribe: bool
) -> None:
    build = build_unsubscribe if unsubscribe else build_subscribe
    assert build(dialect, topics, **filters) == example(name)


def test_v12_queue_subscription_includes_documented_key() -> None:
    # The seed documents `queue_status`; we also ask for `queue_member_state`.
    msg = build_subscribe("v12", ["queue_events"], queues=["8001", "8002"])
    doc = example("v12/cmd_subscribe_queues")
    assert msg["queues"] == doc["queues"]
    assert doc["topics"][0]["keys"][0] in msg["topics"][0]["keys"]


def test_frames_round_trip_through_json() -> None:
    for name in ALL_INCOMING:
        text = json.dumps(example(name), separators=(",", ":"))
        assert type(parse_frame(text)) is EXPECTED[name][0]
