"""Fast paths for the frequent event types: the common, well-typed shape in one pass.

Most frames are well formed: ids and names are strings, times are digit
strings, enums are spelled the documented way, and the same few thousand
`sip:` addresses come back in every call event. Each function here reads
only the fields the event classes carry, checks their types once, looks
enums up by exact spelling and addresses up in a bounded memo
(`coerce.sip_user_cached`), and builds the event directly. It returns
``None`` as soon as anything is not that common shape (a number where a
string should be, a missing id, an unusual spelling it cannot map in one
lookup), and `parse.py` then asks the tolerant handler (`tolerant.py`),
which is the reference: tests check that both give the same event for the
documented examples, the benchmark streams and fuzzed frames.

List entries (waiting callers, agents, status entries) fall back one by one
to the tolerant entry readers, so one odd entry does not slow a picture.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from wallboard.protocol import coerce, tolerant
from wallboard.protocol.events import (
    CALL_KINDS,
    CallCdr,
    CallEvent,
    Event,
    ExtensionAgentStatus,
    ExtensionCall,
    ExtensionPresence,
    ExtensionStatus,
    ExtensionStatusEntry,
    QueueAgent,
    QueueAgentStatus,
    QueueCaller,
    QueueCallerStatus,
    QueueStatus,
)

_isfinite = math.isfinite
_as_float = coerce.as_float
_as_int = coerce.as_int
_aor_get = coerce.aor_lookup
_aor = coerce.sip_user_cached
_AGENT = coerce.AGENT_STATE_EXACT
_CALL_STATUS = coerce.CALL_STATUS_EXACT
_PRESENCE = coerce.PRESENCE_EXACT
_DIRECTION = coerce.DIRECTION_EXACT
_REASON = {r: r for r in ("enqueue", "agent_answered", "hangup", "overflow", "callback", "")}
_CALLER_TYPE = {"normal": "normal", "callback": "callback", "": "normal"}
_BIG = 10**15


def _ftime(v: Any) -> float | None:
    """`coerce.as_float`, with the digit string of a time read in place."""
    if type(v) is str:
        try:
            f = float(v)  # strips the same whitespace as str.strip()
        except ValueError:
            return None
        return f if _isfinite(f) else None
    return _as_float(v)


def _int(v: Any) -> int | None:
    """`coerce.as_int`, with short ASCII digit strings and plain ints read in place."""
    if type(v) is str and 0 < len(v) < 16 and v.isascii() and v.isdigit():
        return int(v)
    if type(v) is int and -_BIG <= v <= _BIG:
        return v
    return _as_int(v)


def _user(v: str) -> str:
    """The user part of an address already known to be a str."""
    if not v:
        return ""
    u = _aor_get(v)
    return u if u is not None else _aor(v)


def _agent_state(v: Any) -> str | None:
    if type(v) is str:
        s = _AGENT.get(v)
        if s is not None:
            return s
    return coerce.agent_state(v)


# ------------------------------------------------------------------- calls
def call_event(d: dict[str, Any], et: str) -> Event | None:
    get = d.get
    sid = get("session_id")
    tenant = get("tenant_id", "")
    caller = get("caller", "")
    callee = get("callee", "")
    cname = get("caller_display_name", "")
    ename = get("callee_display_name", "")
    target = get("call_target", "")
    aor = get("aor", "")
    peer = get("peer_aor", "")
    did = get("did", "")
    if not (
        type(sid) is str
        and sid
        and type(tenant) is str
        and type(caller) is str
        and type(callee) is str
        and type(cname) is str
        and type(ename) is str
        and type(target) is str
        and type(aor) is str
        and type(peer) is str
        and type(did) is str
    ):
        return None
    dr = get("direction")
    if dr is None:
        direction = "unknown"
    else:
        direction = _DIRECTION.get(dr) if type(dr) is str else None
        if direction is None:
            direction = coerce.direction(dr)
    fail = get("fail_code")
    if fail is not None:
        fail = _int(fail)
    t = get("time")
    if t is None:
        t = get("timestamp")
    if type(t) is str:  # `_ftime`, inline
        try:
            tf: float | None = float(t)
        except ValueError:
            tf = None
        else:
            if not _isfinite(tf):
                tf = None
    else:
        tf = _as_float(t)
    # Caller and callee are in nearly every call event: the memo, inline.
    u_caller = _aor_get(caller)
    if u_caller is None:
        u_caller = _aor(caller)
    u_callee = _aor_get(callee)
    if u_callee is None:
        u_callee = _aor(callee)
    return CallEvent(
        et,
        sid,
        tenant,
        u_caller,
        u_callee,
        cname,
        ename,
        direction,
        _user(target) if target else "",
        _user(aor) if aor else "",
        _user(peer) if peer else "",
        fail,
        did,
        tf,
    )


def call_cdr(d: dict[str, Any], et: str) -> Event | None:
    get = d.get
    sid = get("session_id")
    tenant = get("tenant_id", "")
    caller = get("caller", "")
    callee = get("callee", "")
    cname = get("caller_display_name", "")
    status = get("call_status", "")
    reason = get("ended_reason", "")
    trunk = get("trunk_name", "")
    dr = get("direction")
    if not (
        type(sid) is str
        and sid
        and type(tenant) is str
        and type(caller) is str
        and type(callee) is str
        and type(cname) is str
        and type(status) is str
        and type(reason) is str
        and type(trunk) is str
        and type(dr) is str
    ):
        return None
    direction = _DIRECTION.get(dr) or coerce.direction(dr)
    ended = _ftime(get("ended_time"))
    t = get("time")
    if t is None:
        t = get("timestamp")
    tf = _ftime(t)
    return CallCdr(
        sid,
        tenant,
        _user(caller),
        _user(callee),
        cname,
        direction,
        status.strip().lower(),
        _ftime(get("start_time")),
        _ftime(get("answered_time")) or None,
        ended,
        _ftime(get("talk_duration")),
        _ftime(get("ring_duration")),
        reason,
        trunk,
        _int(get("status_code")),
        ended if tf is None else tf,
    )


# ------------------------------------------------------------------ queues
def _caller(c: dict[str, Any]) -> QueueCaller | None:
    get = c.get
    sid = get("session_id")
    number = get("caller_number", "")
    name = get("caller_name", "")
    reason = get("reason", "")
    kind = get("type", "")
    if not (
        type(sid) is str
        and sid
        and type(number) is str
        and type(name) is str
        and type(reason) is str
        and type(kind) is str
    ):
        return tolerant._queue_caller(c)
    r = _REASON.get(reason)
    if r is None:
        r = reason.strip().lower()
    k = _CALLER_TYPE.get(kind)
    if k is None:
        k = kind.strip().lower() or "normal"
    t = get("time")
    if t is None:
        t = get("timestamp")
    return QueueCaller(sid, number, name, r, k, _int(get("position")), _ftime(t))


def _agent(a: dict[str, Any]) -> QueueAgent | None:
    get = a.get
    ext = get("agent_extension_number")
    sid = get("session_id", "")
    number = get("caller_number", "")
    name = get("caller_name", "")
    if not (
        type(ext) is str and ext and type(sid) is str and type(number) is str and type(name) is str
    ):
        return tolerant._queue_agent(a)
    user = _aor_get(ext)
    if user is None:
        user = _aor(ext)
    if not user:
        return tolerant._queue_agent(a)
    st = a["state"] if "state" in a else get("status")
    state = _AGENT.get(st) if type(st) is str else None
    if state is None:
        state = coerce.agent_state(st)
    t = get("time")
    if t is None:
        t = get("timestamp")
    if type(t) is str:
        try:
            tf: float | None = float(t)
        except ValueError:
            tf = None
        else:
            if not _isfinite(tf):
                tf = None
    else:
        tf = _as_float(t)
    return QueueAgent(user, state, sid, number, name, tf)


def _latest(items: list[Any], t: float | None) -> float | None:
    if t is not None:
        return t
    best = None
    for it in items:
        it_t = it.time
        if it_t is not None and (best is None or it_t > best):
            best = it_t
    return best


def _event_time(d: dict[str, Any]) -> float | None:
    t = d.get("time")
    if t is None:
        t = d.get("timestamp")
    return _ftime(t)


def queue_caller_status(d: dict[str, Any], et: str) -> Event | None:
    qid = d.get("queue_id")
    tenant = d.get("tenant_id", "")
    raw = d.get("updated_callers")
    if not (type(qid) is str and qid and type(tenant) is str and type(raw) is list):
        return None
    callers = []
    for c in raw:
        if type(c) is dict:
            qc = _caller(c)
            if qc is not None:
                callers.append(qc)
    return QueueCallerStatus(tenant, qid, callers, _latest(callers, _event_time(d)))


def queue_agent_status(d: dict[str, Any], et: str) -> Event | None:
    get = d.get
    qid = get("queue_id")
    tenant = get("tenant_id", "")
    raw = get("updated_agents", ())
    gone = get("removed_agents", ())
    if not (
        type(qid) is str
        and qid
        and type(tenant) is str
        and type(raw) in (list, tuple)
        and type(gone) in (list, tuple)
    ):
        return None
    updated = []
    for a in raw:
        if type(a) is dict:
            qa = _agent(a)
            if qa is not None:
                updated.append(qa)
    removed = []
    for r in gone:
        if type(r) is dict:
            ext = r.get("agent_extension_number")
            user = _user(ext) if type(ext) is str else coerce.sip_user(ext)
            if not user:
                user = coerce.sip_user(r.get("extension"))
            if user:
                removed.append(user)
    return QueueAgentStatus(tenant, qid, updated, removed, _latest(updated, _event_time(d)))


def queue_status(d: dict[str, Any], et: str) -> Event | None:
    get = d.get
    qid = get("queue_id", "")
    number = get("queue_number", "")
    tenant = get("tenant_id", "")
    name = get("queue_name", "")
    if not (
        type(qid) is str
        and type(number) is str
        and (qid or number)
        and type(tenant) is str
        and type(name) is str
    ):
        return None
    # A missing or malformed list is "not told", never "empty" (see tolerant.py).
    raw_waiting, raw_agents = get("waiting_list"), get("agents")
    waiting = None
    if type(raw_waiting) is list:
        waiting = []
        for c in raw_waiting:
            if type(c) is dict:
                qc = _caller(c)
                if qc is not None:
                    waiting.append(qc)
    agents = None
    if type(raw_agents) is list:
        agents = []
        for a in raw_agents:
            if type(a) is dict:
                qa = _agent(a)
                if qa is not None:
                    agents.append(qa)
    t = _event_time(d)
    if t is None:
        t = _latest([*(waiting or ()), *(agents or ())], None)
    return QueueStatus(tenant, qid, number, name, waiting, agents, t)


# -------------------------------------------------------------- extensions
def _ext_number(d: dict[str, Any]) -> str | None:
    """The extension's number when it comes as a str `extension`; None: ask the tolerant path."""
    v = d.get("extension")
    if type(v) is str and v:
        user = _user(v)
        if user:
            return user
    return None


def extension_call(d: dict[str, Any], et: str) -> Event | None:
    tenant = d.get("tenant_id", "")
    number = _ext_number(d)
    cs = d.get("call_status")
    if number is None or type(tenant) is not str or type(cs) is not str:
        return None
    status = _CALL_STATUS.get(cs)
    if status is None:
        status = coerce.call_status(cs) or ""
    return ExtensionCall(tenant, number, status, _event_time(d))


def extension_presence(d: dict[str, Any], et: str) -> Event | None:
    tenant = d.get("tenant_id", "")
    number = _ext_number(d)
    p = d.get("presence")
    note = d.get("presence_note", "")
    if number is None or type(tenant) is not str or type(p) is not str or type(note) is not str:
        return None
    presence = _PRESENCE.get(p)
    if presence is None:
        presence = coerce.presence(p)  # present, so the note is not consulted
    return ExtensionPresence(tenant, number, presence, note, _event_time(d))


def extension_agent_status(d: dict[str, Any], et: str) -> Event | None:
    tenant = d.get("tenant_id", "")
    number = _ext_number(d)
    raw = d.get("agent_status")
    if number is None or type(tenant) is not str or type(raw) is not list:
        return None
    statuses = []
    for s in raw:
        if type(s) is not dict:
            continue
        q = s.get("queue_number")
        if type(q) is not str or not q:
            return None  # queue_id instead, or a number: the tolerant path
        st = _agent_state(s["status"] if "status" in s else s.get("state"))
        if st is not None:
            statuses.append((q, st))
    return ExtensionAgentStatus(tenant, number, statuses, _event_time(d))


def extension_status(d: dict[str, Any], et: str) -> Event | None:
    tenant = d.get("tenant_id", "")
    raw = d.get("status")
    if type(tenant) is not str or type(raw) is not list:
        return None
    entries = []
    latest: float | None = None
    for e in raw:
        if type(e) is not dict:
            continue
        get = e.get
        number = _ext_number(e)
        ext_id = get("extension_id", "")
        online = get("online")
        note = get("presence_note", "")
        p = get("presence")
        if (
            number is None
            or type(ext_id) is not str
            or type(online) is not bool
            or type(note) is not str
            or type(p) is not str
        ):
            return None
        presence = _PRESENCE.get(p)
        if presence is None:
            presence = coerce.presence(p)
        if "call_status" in e:
            cs = get("call_status")
            status = _CALL_STATUS.get(cs) if type(cs) is str else None
            if status is None:
                status = coerce.call_status(cs)
        else:
            status = None
        t = _event_time(e)
        if t is not None and (latest is None or t > latest):
            latest = t
        entries.append(ExtensionStatusEntry(number, ext_id, online, status, presence, note, t))
    t = _event_time(d)
    return ExtensionStatus(tenant, entries, latest if t is None else t)


FAST: dict[str, Callable[[dict[str, Any], str], Event | None]] = {
    "call_cdr": call_cdr,
    "queue_caller_status": queue_caller_status,
    "queue_agent_status": queue_agent_status,
    "queue_status": queue_status,
    "extension_call": extension_call,
    "extension_presence": extension_presence,
    "extension_agent_status": extension_agent_status,
    "extension_status": extension_status,
}
FAST.update(dict.fromkeys(CALL_KINDS, call_event))
