"""Hypothesis strategies for hostile PBX frames (issue 7).

Two families:

- `structured()`: a JSON object for every event type the wallboard knows (and
  some it does not), built from the documented examples plus every field name
  the parser reads, where each field may be kept, missing, null, of the wrong
  type, huge, deeply nested or a hostile string (markup, escapes, bidi).
  Lists of entries (waiting callers, agents, contacts, status entries) get the
  same treatment one level down.
- `raw()`: text or bytes that are not clean JSON objects: truncated, invalid
  UTF-8, NaN / Infinity / 1e999 numbers, deep nesting, BOM, empty, binary.

Both are pure strategies; tests decide how many examples to run (keep it
modest: CI runs everything on two cores).
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

from conftest import EXAMPLES
from hostile import HOSTILE_NAMES

DOCUMENTED: list[dict[str, Any]] = [
    json.loads(p.read_text())
    for p in sorted(EXAMPLES.glob("*/*.json"))
    if not p.name.startswith("cmd_")
]
BY_TYPE: dict[str, list[dict[str, Any]]] = {}
for _doc in DOCUMENTED:
    BY_TYPE.setdefault(str(_doc.get("event_type", "")), []).append(_doc)

# Every event type the parser handles, documented or only described.
EVENT_TYPES = sorted(
    {
        *(t for t in BY_TYPE if t),
        "call_start",
        "call_established",
        "call_hold",
        "call_unhold",
        "call_ended",
        "call_noanswer",
        "call_fail",
        "call_reroute",
        "call_update_info",
        "target_add",
        "target_ringing",
        "target_noanswer",
        "target_fail",
        "target_ended",
        "call_cdr",
        "extension_register",
        "extension_status",
        "extension_call",
        "extension_presence",
        "extension_agent_status",
        "queue_status",
        "queue_caller_status",
        "queue_agent_status",
        "queue_sla_breached",
        "queue_member_state",
        "trunk_connected",
        "trunk_disconnected",
        "extension_created",
        "extension_updated",
        "extension_destroyed",
        "queue_created",
        "queue_updated",
        "queue_destroy",
    }
)
# Every field name the parser reads somewhere (and the spellings it accepts).
FIELDS = (
    "session_id",
    "tenant_id",
    "time",
    "timestamp",
    "caller",
    "callee",
    "caller_display_name",
    "callee_display_name",
    "caller_name",
    "caller_number",
    "call_target",
    "aor",
    "did",
    "direction",
    "fail_code",
    "status",
    "status_code",
    "call_status",
    "presence",
    "presence_note",
    "online",
    "extension",
    "extension_number",
    "agent_extension_number",
    "display_name",
    "queue_id",
    "queue_number",
    "queue_name",
    "sla_time_secs",
    "state",
    "reason",
    "type",
    "position",
    "trunk_name",
    "name",
    "trunk",
    "start_time",
    "answered_time",
    "ended_time",
    "ended_reason",
    "talk_duration",
    "ring_duration",
    "registration_contacts",
    "removed_contacts",
    "agent_status",
    "waiting_list",
    "waiting_callers",
    "agents",
    "updated_callers",
    "updated_agents",
    "removed_agents",
    "total_callers_breached",
    "command",
    "error",
    "id",
)
ENTRY_FIELDS = (
    "session_id",
    "caller_number",
    "caller_name",
    "reason",
    "timestamp",
    "time",
    "type",
    "position",
    "state",
    "agent_extension_number",
    "extension",
    "queue_number",
    "status",
    "call_status",
    "online",
    "presence",
    "contact_uri",
    "user_agent",
    "expires",
    "public_address",
    "received_from",
)
LIST_FIELDS = (
    "registration_contacts",
    "removed_contacts",
    "status",
    "agent_status",
    "waiting_list",
    "waiting_callers",
    "agents",
    "updated_callers",
    "updated_agents",
    "removed_agents",
)

HOSTILE = st.sampled_from(HOSTILE_NAMES)
IDS = st.sampled_from(["1", "2", "101", "102", "8001", "900", "s1", "677046776364007424"])
GOOD_TIME = st.integers(1_700_000_000, 1_700_086_400)


def _nested(depth: int) -> Any:
    out: Any = "deep"
    for i in range(depth):
        out = [out] if i % 2 else {"k": out}
    return out


# A wrong or extreme value for any field.
BAD_VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.just(1e308),
    st.just(-0.0),
    st.text(max_size=12),
    HOSTILE,
    st.just("9" * 400),  # a long digit string: not an int overflow, a huge label
    st.just("x" * 10_000),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=3),
    st.integers(1, 60).map(_nested),
)


def _entry(draw: st.DrawFn) -> Any:
    """One list entry: usually an object with some good ids, sometimes junk."""
    if draw(st.integers(0, 9)) == 9:
        return draw(BAD_VALUE)
    entry: dict[str, Any] = {}
    for key in draw(st.lists(st.sampled_from(ENTRY_FIELDS), max_size=8, unique=True)):
        choice = draw(st.integers(0, 3))
        if choice == 3:
            entry[key] = draw(BAD_VALUE)
        elif key in ("timestamp", "time", "expires"):
            entry[key] = draw(GOOD_TIME | GOOD_TIME.map(str))
        elif key == "reason":
            entry[key] = draw(
                st.sampled_from(["enqueue", "agent_answered", "hangup", "overflow", "callback"])
            )
        elif key == "state":
            entry[key] = draw(st.sampled_from(["READY", "QUEUE_CALL", "Wrap Up", "odd"]) | HOSTILE)
        else:
            entry[key] = draw(IDS | HOSTILE)
    return entry


@st.composite
def structured(draw: st.DrawFn) -> dict[str, Any]:
    """An event object of a known (or unknown) type with any field broken in any way."""
    # Hypothesis favours small integers: 0 is always the benign choice here.
    if draw(st.integers(0, 9)) == 9:
        event_type = draw(st.just("brand_new_event") | HOSTILE)
    else:
        event_type = draw(st.sampled_from(EVENT_TYPES))
    if event_type in BY_TYPE:
        msg: dict[str, Any] = dict(draw(st.sampled_from(BY_TYPE[event_type])))
    else:  # not documented: start from the fields that identify what it is about
        msg = {
            "session_id": draw(IDS),
            "queue_id": draw(IDS),
            "queue_number": draw(IDS),
            "extension": draw(IDS),
            "extension_number": draw(IDS),
            "trunk_name": draw(HOSTILE | IDS),
            "caller": draw(HOSTILE | IDS),
            "caller_display_name": draw(HOSTILE),
            "state": draw(st.sampled_from(["READY", "NOT_READY"]) | HOSTILE),
            "time": draw(GOOD_TIME),
        }
    msg["event_type"] = event_type
    for key in list(msg):
        if key == "event_type":
            continue
        choice = draw(st.integers(0, 5))
        if choice == 5:
            del msg[key]
        elif choice == 4:
            msg[key] = draw(BAD_VALUE)
    for key in draw(st.lists(st.sampled_from(FIELDS), max_size=6, unique=True)):
        choice = draw(st.integers(0, 9))
        if choice >= 7:
            msg[key] = draw(BAD_VALUE)
        elif key in LIST_FIELDS:
            msg[key] = [_entry(draw) for _ in range(draw(st.integers(0, 4)))]
        elif key in ("session_id", "queue_id", "extension", "queue_number") and choice <= 3:
            msg[key] = draw(IDS)
        elif key in ("time", "timestamp"):
            msg[key] = draw(GOOD_TIME | GOOD_TIME.map(str))
        else:
            msg[key] = draw(HOSTILE)  # a string field holding what a stranger chose
    if draw(st.integers(0, 19)) == 19:
        del msg["event_type"]  # then it is a reply if it has a status, else invalid
    return msg


def dumps(msg: Any) -> str:
    """JSON text for a drawn message (nested values can exceed json's own recursion)."""
    try:
        return json.dumps(msg)
    except (ValueError, RecursionError):
        return '{"event_type": "call_start"}'


@st.composite
def raw(draw: st.DrawFn) -> str | bytes:
    """A frame that is not a clean JSON object: broken text, bytes, odd numbers, nesting."""
    text = dumps(draw(structured()))
    kind = draw(st.integers(0, 9))
    if kind == 0:
        return text[: draw(st.integers(0, max(0, len(text) - 1)))]  # truncated mid-frame
    if kind == 1:
        data = text.encode()
        at = draw(st.integers(0, len(data)))
        bad = draw(st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\x00", b"\x80"]))
        return data[:at] + bad + data[at:]  # invalid UTF-8 / NUL inside the bytes
    if kind == 2:
        number = draw(st.sampled_from(["NaN", "Infinity", "-Infinity", "1e999", "-1e999"]))
        return f'{{"event_type": "call_start", "session_id": "n", "time": {number}}}'
    if kind == 3:
        depth = draw(st.integers(100, 20_000))
        return '{"event_type": "queue_status", "agents": ' + "[" * depth + "]" * depth + "}"
    if kind == 4:
        return draw(st.binary(max_size=64))
    if kind == 5:
        return draw(st.sampled_from(["", " ", "\n", "\ufeff", "\ufeff" + text, "null", "[]"]))
    if kind == 6:
        return text + draw(st.sampled_from(["}", "]", ",", " x", "\x00"]))
    if kind == 7:
        return json.dumps([json.loads(text)])  # an object inside an array: not an object
    return text


# Mostly structured (they reach deep into the model), a share of raw junk.
FRAMES = st.one_of(structured().map(dumps), structured().map(dumps), raw())

__all__ = [
    "DOCUMENTED",
    "EVENT_TYPES",
    "FIELDS",
    "FRAMES",
    "dumps",
    "raw",
    "structured",
]
