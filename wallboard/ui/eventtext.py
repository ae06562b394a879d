"""One short, safe line per received frame, for the event log panel.

The log is how an engineer sees *everything* that arrived, including what no
other panel shows (unknown event types, invalid frames, command errors), so
it describes every parsed kind. All values pass through `safe_text`.
"""

from __future__ import annotations

from wallboard.model.entities import Notice
from wallboard.protocol.events import (
    CallCdr,
    CallEvent,
    ExtensionAgentStatus,
    ExtensionCall,
    ExtensionPresence,
    ExtensionRegister,
    ExtensionStatus,
    Invalid,
    Management,
    Parsed,
    QueueAgentStatus,
    QueueCallerStatus,
    QueueMemberState,
    QueueSlaBreached,
    QueueStatus,
    Reply,
    TrunkEvent,
    Unknown,
)
from wallboard.ui.text import safe_text


def _s(v: object, limit: int = 32) -> str:
    return safe_text(v, limit)


def describe(ev: Parsed) -> tuple[str, str]:
    """(kind, details) for one parsed frame; `kind` is also the log line's color key."""
    t = type(ev)
    if t is CallEvent:
        e: CallEvent = ev  # type: ignore[assignment]
        who = f"{_s(e.caller)} → {_s(e.callee)}" if e.caller or e.callee else ""
        extra = []
        if e.caller_name:
            extra.append(f'"{_s(e.caller_name)}"')
        if e.call_target:
            extra.append(f"target {_s(e.call_target)}")
        if e.fail_code:
            extra.append(f"SIP {e.fail_code}")
        return e.kind, " ".join(x for x in (who, *extra, f"[{_s(e.session_id, 20)}]") if x)
    if t is CallCdr:
        c: CallCdr = ev  # type: ignore[assignment]
        return "cdr", (
            f"{_s(c.caller)} → {_s(c.callee)} {_s(c.call_status)} "
            f"{_s(c.ended_reason)} [{_s(c.session_id, 20)}]"
        ).strip()
    if t is ExtensionRegister:
        r: ExtensionRegister = ev  # type: ignore[assignment]
        n = "?" if r.contacts is None else str(len(r.contacts))
        gone = f", {len(r.removed)} removed" if r.removed else ""
        return "register", f"{_s(r.number)}: {n} contacts{gone}"
    if t is ExtensionStatus:
        s: ExtensionStatus = ev  # type: ignore[assignment]
        parts = []
        for en in s.entries[:6]:
            on = "" if en.online is None else (" online" if en.online else " offline")
            parts.append(f"{_s(en.number)}{on} {_s(en.call_status or '')}".strip())
        more = f" +{len(s.entries) - 6}" if len(s.entries) > 6 else ""
        return "ext_status", ", ".join(parts) + more
    if t is ExtensionCall:
        c2: ExtensionCall = ev  # type: ignore[assignment]
        return "ext_call", f"{_s(c2.number)} {_s(c2.call_status)}"
    if t is ExtensionPresence:
        p: ExtensionPresence = ev  # type: ignore[assignment]
        note = f" ({_s(p.presence_note)})" if p.presence_note else ""
        return "presence", f"{_s(p.number)} {_s(p.presence or '—')}{note}"
    if t is ExtensionAgentStatus:
        a: ExtensionAgentStatus = ev  # type: ignore[assignment]
        return "agent", f"{_s(a.number)}: " + ", ".join(
            f"{_s(q)} {_s(st)}" for q, st in a.statuses[:6]
        )
    if t is QueueStatus:
        q: QueueStatus = ev  # type: ignore[assignment]
        return "queue", (
            f"{_s(q.queue_number or q.queue_id)} {_s(q.queue_name)}: "
            f"{'?' if q.waiting is None else len(q.waiting)} waiting, "
            f"{'?' if q.agents is None else len(q.agents)} agents"
        )
    if t is QueueCallerStatus:
        qc: QueueCallerStatus = ev  # type: ignore[assignment]
        return "caller", f"queue {_s(qc.queue_id)}: " + ", ".join(
            f"{_s(c.caller_number)} {_s(c.reason)}".strip() for c in qc.callers[:4]
        )
    if t is QueueAgentStatus:
        qa: QueueAgentStatus = ev  # type: ignore[assignment]
        ups = ", ".join(f"{_s(a.extension)} {_s(a.state)}" for a in qa.updated[:4])
        rm = f" removed {', '.join(_s(x) for x in qa.removed[:4])}" if qa.removed else ""
        return "agent", f"queue {_s(qa.queue_id)}: {ups}{rm}"
    if t is QueueSlaBreached:
        b: QueueSlaBreached = ev  # type: ignore[assignment]
        return "sla", f"queue {_s(b.queue_id)} SLA breached by {_s(b.caller)}"
    if t is QueueMemberState:
        m: QueueMemberState = ev  # type: ignore[assignment]
        return "member", f"{_s(m.extension)} in {_s(m.queue_number or m.queue_id)}: {_s(m.state)}"
    if t is TrunkEvent:
        tr: TrunkEvent = ev  # type: ignore[assignment]
        st = "UP" if tr.connected else "DOWN"
        why = f" ({_s(tr.reason)})" if tr.reason else ""
        return "trunk", f"{_s(tr.name)} {st}{why}"
    if t is Management:
        mg: Management = ev  # type: ignore[assignment]
        what = mg.extension_number or mg.queue_number
        name = mg.display_name or mg.queue_name
        return mg.kind, f"{_s(what)} {_s(name)}".strip()
    if t is Reply:
        rp: Reply = ev  # type: ignore[assignment]
        return "error" if rp.status else "reply", f"{_s(rp.command)} {_s(rp.error, 80)}".strip()
    if t is Unknown:
        u: Unknown = ev  # type: ignore[assignment]
        return "unknown", f"event_type {_s(u.event_type)}"
    if t is Invalid:
        return "invalid", _s(ev.reason, 80)  # type: ignore[union-attr]
    if t is Notice:
        return "notice", _s(ev.text, 160)  # type: ignore[union-attr]
    return "?", _s(t.__name__)


KIND_STYLE = {
    "call_start": "green",
    "call_established": "bold green",
    "call_ended": "dim",
    "call_noanswer": "yellow",
    "call_fail": "red",
    "trunk": "bold magenta",
    "sla": "bold red",
    "error": "bold red",
    "invalid": "red",
    "unknown": "yellow",
}

__all__ = ["KIND_STYLE", "describe"]
