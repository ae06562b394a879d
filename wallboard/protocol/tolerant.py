"""The tolerant handlers: one per event type, every spelling and type drift.

This is the reference reading of each event (shared/protocol/PORTSIP-WSI.md):
any field may be missing, null, a number instead of a string or the other way
round, and is coerced (`coerce.py`). `fast.py` reads the common well-typed
shapes quicker and hands anything else to these; tests check both agree.
A handler raises `Missing` when a field that says what the event is about is
absent; `parse.py` turns that (and any malformed value) into an `Invalid`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wallboard.protocol import coerce
from wallboard.protocol.events import (
    CALL_KINDS,
    CallCdr,
    CallEvent,
    Contact,
    ExtensionAgentStatus,
    ExtensionCall,
    ExtensionPresence,
    ExtensionRegister,
    ExtensionStatus,
    ExtensionStatusEntry,
    Management,
    QueueAgent,
    QueueAgentStatus,
    QueueCaller,
    QueueCallerStatus,
    QueueMemberState,
    QueueSlaBreached,
    QueueStatus,
    TrunkEvent,
)

as_str = coerce.as_str
as_text = coerce.as_text
as_float = coerce.as_float


class Missing(Exception):
    """A known event lacks a field that identifies what it is about."""


def _time(d: dict[str, Any]) -> float | None:
    t = d.get("time")
    if t is None:
        t = d.get("timestamp")
    return as_float(t)


def _need_str(d: dict[str, Any], *keys: str) -> str:
    for k in keys:
        v = as_str(d.get(k))
        if v:
            return v
    raise Missing(" / ".join(keys))


def _first_str(d: dict[str, Any], *keys: str) -> str:
    for k in keys:
        v = as_str(d.get(k))
        if v:
            return v
    return ""


def _dicts(value: Any) -> list[dict[str, Any]]:
    """Lists of objects: a non-list is treated as empty, non-object entries are skipped."""
    if type(value) is not list:
        return []
    return [x for x in value if type(x) is dict]


def _ext_number(d: dict[str, Any]) -> str:
    num = coerce.sip_user(d.get("extension"))
    if not num:
        num = _first_str(d, "extension_number", "agent_extension_number")
    if not num:
        raise Missing("extension")
    return num


def _contact(c: dict[str, Any]) -> Contact:
    instance = as_text(c.get("instance"))
    uri = as_text(c.get("contact_uri"))
    address = as_text(c.get("received_from")) or as_text(c.get("public_address"))
    return Contact(
        key=instance or address or uri,
        uri=uri,
        user_agent=as_text(c.get("user_agent")),
        address=address,
        expires=as_float(c.get("expires")),
        last_update=as_float(c.get("last_update")),
    )


def _extension_register(d: dict[str, Any]) -> ExtensionRegister:
    raw = d.get("registration_contacts")
    contacts = None if raw is None else [_contact(c) for c in _dicts(raw)]
    return ExtensionRegister(
        tenant_id=as_text(d.get("tenant_id")),
        number=_ext_number(d),
        extension_id=as_text(d.get("extension_id")),
        contacts=contacts,
        removed=[_contact(c) for c in _dicts(d.get("removed_contacts"))],
        time=_time(d),
    )


def _presence_pair(d: dict[str, Any]) -> tuple[str | None, str]:
    note = as_text(d.get("presence_note"))
    p = coerce.presence(d.get("presence"))
    if p is None and "presence" not in d:
        p = coerce.presence_from_note(note)
    return p, note


def _extension_status(d: dict[str, Any]) -> ExtensionStatus:
    entries = []
    latest: float | None = None
    for e in _dicts(d.get("status")):
        try:
            number = _ext_number(e)
        except Missing:
            continue
        p, note = _presence_pair(e)
        t = _time(e)
        if t is not None and (latest is None or t > latest):
            latest = t
        entries.append(
            ExtensionStatusEntry(
                number=number,
                extension_id=as_text(e.get("extension_id")),
                online=coerce.as_bool(e.get("online")),
                call_status=coerce.call_status(e.get("call_status"))
                if "call_status" in e
                else None,
                presence=p,
                presence_note=note,
                time=t,
            )
        )
    if type(d.get("status")) is not list:
        raise Missing("status")
    t = _time(d)
    return ExtensionStatus(
        tenant_id=as_text(d.get("tenant_id")), entries=entries, time=latest if t is None else t
    )


def _extension_call(d: dict[str, Any]) -> ExtensionCall:
    return ExtensionCall(
        tenant_id=as_text(d.get("tenant_id")),
        number=_ext_number(d),
        call_status=coerce.call_status(d.get("call_status")) or "",
        time=_time(d),
    )


def _extension_presence(d: dict[str, Any]) -> ExtensionPresence:
    p, note = _presence_pair(d)
    return ExtensionPresence(
        tenant_id=as_text(d.get("tenant_id")),
        number=_ext_number(d),
        presence=p,
        presence_note=note,
        time=_time(d),
    )


def _extension_agent_status(d: dict[str, Any]) -> ExtensionAgentStatus:
    statuses = []
    for s in _dicts(d.get("agent_status")):
        q = _first_str(s, "queue_number", "queue_id")
        st = coerce.agent_state(s.get("status", s.get("state")))
        if q and st is not None:
            statuses.append((q, st))
    return ExtensionAgentStatus(
        tenant_id=as_text(d.get("tenant_id")),
        number=_ext_number(d),
        statuses=statuses,
        time=_time(d),
    )


def _call_event(d: dict[str, Any]) -> CallEvent:
    fail = d.get("fail_code")
    return CallEvent(
        kind=d["event_type"],
        session_id=_need_str(d, "session_id"),
        tenant_id=as_text(d.get("tenant_id")),
        caller=coerce.sip_user(d.get("caller")),
        callee=coerce.sip_user(d.get("callee")),
        caller_name=as_text(d.get("caller_display_name")),
        callee_name=as_text(d.get("callee_display_name")),
        direction=coerce.direction(d.get("direction")),
        call_target=coerce.sip_user(d.get("call_target")),
        aor=coerce.sip_user(d.get("aor")),
        peer_aor=coerce.sip_user(d.get("peer_aor")),
        fail_code=None if fail is None else coerce.as_int(fail),
        did=as_text(d.get("did")),
        time=_time(d),
    )


def _call_cdr(d: dict[str, Any]) -> CallCdr:
    ended = as_float(d.get("ended_time"))
    t = _time(d)
    return CallCdr(
        session_id=_need_str(d, "session_id"),
        tenant_id=as_text(d.get("tenant_id")),
        caller=coerce.sip_user(d.get("caller")),
        callee=coerce.sip_user(d.get("callee")),
        caller_name=as_text(d.get("caller_display_name")),
        direction=coerce.direction(d.get("direction")),
        call_status=as_text(d.get("call_status")).strip().lower(),
        start_time=as_float(d.get("start_time")),
        answered_time=as_float(d.get("answered_time")) or None,
        ended_time=ended,
        talk_duration=as_float(d.get("talk_duration")),
        ring_duration=as_float(d.get("ring_duration")),
        ended_reason=as_text(d.get("ended_reason")),
        trunk_name=as_text(d.get("trunk_name")),
        status_code=coerce.as_int(d.get("status_code")),
        time=ended if t is None else t,
    )


def _queue_caller(c: dict[str, Any]) -> QueueCaller | None:
    sid = as_str(c.get("session_id"))
    if not sid:
        return None
    return QueueCaller(
        session_id=sid,
        caller_number=as_text(c.get("caller_number")),
        caller_name=as_text(c.get("caller_name")),
        reason=as_text(c.get("reason")).strip().lower(),
        type=as_text(c.get("type")).strip().lower() or "normal",
        position=coerce.as_int(c.get("position")),
        time=_time(c),
    )


def _queue_agent(a: dict[str, Any]) -> QueueAgent | None:
    ext = coerce.sip_user(a.get("agent_extension_number")) or coerce.sip_user(a.get("extension"))
    if not ext:
        return None
    return QueueAgent(
        extension=ext,
        state=coerce.agent_state(a.get("state", a.get("status"))),
        session_id=as_text(a.get("session_id")),
        caller_number=as_text(a.get("caller_number")),
        caller_name=as_text(a.get("caller_name")),
        time=_time(a),
    )


def _queue_ident(d: dict[str, Any]) -> tuple[str, str]:
    qid = as_text(d.get("queue_id"))
    number = as_text(d.get("queue_number"))
    if not qid and not number:
        raise Missing("queue_id")
    return qid, number


def _latest(items: list[Any], t: float | None) -> float | None:
    if t is not None:
        return t
    best = None
    for it in items:
        if it.time is not None and (best is None or it.time > best):
            best = it.time
    return best


def _queue_status(d: dict[str, Any]) -> QueueStatus:
    qid, number = _queue_ident(d)
    # A missing or malformed list is "not told", never "empty": an empty picture
    # would turn every waiting caller into an abandoned one.
    raw_waiting, raw_agents = d.get("waiting_list"), d.get("agents")
    waiting = None
    if type(raw_waiting) is list:
        waiting = [c for c in map(_queue_caller, _dicts(raw_waiting)) if c]
    agents = None
    if type(raw_agents) is list:
        agents = [a for a in map(_queue_agent, _dicts(raw_agents)) if a]
    return QueueStatus(
        tenant_id=as_text(d.get("tenant_id")),
        queue_id=qid,
        queue_number=number,
        queue_name=as_text(d.get("queue_name")),
        waiting=waiting,
        agents=agents,
        time=_latest([*(waiting or ()), *(agents or ())], _time(d)),
    )


def _queue_caller_status(d: dict[str, Any]) -> QueueCallerStatus:
    qid = _need_str(d, "queue_id")
    callers = [c for c in map(_queue_caller, _dicts(d.get("updated_callers"))) if c]
    return QueueCallerStatus(
        tenant_id=as_text(d.get("tenant_id")),
        queue_id=qid,
        callers=callers,
        time=_latest(callers, _time(d)),
    )


def _queue_agent_status(d: dict[str, Any]) -> QueueAgentStatus:
    qid = _need_str(d, "queue_id")
    updated = [a for a in map(_queue_agent, _dicts(d.get("updated_agents"))) if a]
    removed = []
    for r in _dicts(d.get("removed_agents")):
        ext = coerce.sip_user(r.get("agent_extension_number")) or coerce.sip_user(
            r.get("extension")
        )
        if ext:
            removed.append(ext)
    return QueueAgentStatus(
        tenant_id=as_text(d.get("tenant_id")),
        queue_id=qid,
        updated=updated,
        removed=removed,
        time=_latest(updated, _time(d)),
    )


def _queue_sla_breached(d: dict[str, Any]) -> QueueSlaBreached:
    qid, number = _queue_ident(d)
    return QueueSlaBreached(
        tenant_id=as_text(d.get("tenant_id")),
        queue_id=qid or number,
        caller=as_text(d.get("caller")),
        total_callers_breached=coerce.as_int(d.get("total_callers_breached")),
        sla_time_secs=as_float(d.get("sla_time_secs")),
        waiting_callers=coerce.as_int(d.get("waiting_callers")),
        time=_time(d),
    )


def _queue_member_state(d: dict[str, Any]) -> QueueMemberState:
    qid, number = _queue_ident(d)
    ext = coerce.sip_user(d.get("agent_extension_number")) or coerce.sip_user(d.get("extension"))
    if not ext:
        raise Missing("agent_extension_number / extension")
    state = coerce.agent_state(d.get("state", d.get("status")))
    if state is None:
        raise Missing("state / status")
    return QueueMemberState(
        tenant_id=as_text(d.get("tenant_id")),
        queue_id=qid,
        queue_number=number,
        extension=ext,
        state=state,
        time=_time(d),
    )


def _trunk(d: dict[str, Any]) -> TrunkEvent:
    return TrunkEvent(
        tenant_id=as_text(d.get("tenant_id")),
        name=_need_str(d, "trunk_name", "name", "trunk"),
        connected=d["event_type"] == "trunk_connected",
        reason=_first_str(d, "reason", "error", "status_code"),
        time=_time(d),
    )


def _management(d: dict[str, Any]) -> Management:
    kind = d["event_type"]
    m = Management(
        kind=kind,
        tenant_id=as_text(d.get("tenant_id")),
        extension_number=coerce.sip_user(d.get("extension_number")),
        display_name=as_text(d.get("disp_name")) or as_text(d.get("display_name")),
        queue_number=as_text(d.get("queue_number")),
        queue_name=as_text(d.get("queue_name")) or as_text(d.get("name")),
        enabled=coerce.as_bool(d.get("enabled")) if "enabled" in d else None,
        time=_time(d),
    )
    if kind.startswith("extension_") and not m.extension_number:
        raise Missing("extension_number")
    if kind.startswith("queue_") and not m.queue_number:
        raise Missing("queue_number")
    return m


HANDLERS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "extension_register": _extension_register,
    "extension_status": _extension_status,
    "extension_call": _extension_call,
    "extension_presence": _extension_presence,
    "extension_agent_status": _extension_agent_status,
    "call_cdr": _call_cdr,
    "queue_status": _queue_status,
    "queue_caller_status": _queue_caller_status,
    "queue_agent_status": _queue_agent_status,
    "queue_sla_breached": _queue_sla_breached,
    "queue_member_state": _queue_member_state,
    "trunk_connected": _trunk,
    "trunk_disconnected": _trunk,
}
HANDLERS.update(dict.fromkeys(CALL_KINDS, _call_event))
HANDLERS.update(
    dict.fromkeys(
        (
            "extension_created",
            "extension_updated",
            "extension_destroyed",
            "queue_created",
            "queue_updated",
            "queue_destroy",
            "queue_destroyed",
        ),
        _management,
    )
)
KNOWN_EVENT_TYPES = frozenset(HANDLERS)
