"""Build hand-written scenarios as lists of PBX message dicts (test helper)."""

from __future__ import annotations

from typing import Any

T0 = 1_700_000_000.0
TENANT = "236047118140313600"


def call(
    kind: str, sid: str, t: float, caller: str = "", callee: str = "", **extra: Any
) -> dict[str, Any]:
    msg: dict[str, Any] = {
        "event_type": kind,
        "session_id": sid,
        "tenant_id": TENANT,
        "tenant_name": "demo",
        "time": str(int(t)),
    }
    if caller:
        msg["caller"] = f"sip:{caller}@demo.local"
    if callee:
        msg["callee"] = f"sip:{callee}@demo.local"
    for key, value in extra.items():
        if key in ("call_target", "aor", "peer_aor") and value:
            value = f"sip:{value}@demo.local"
        msg[key] = value
    return msg


def contact(ext: str, port: int, expires: float, ua: str = "Yealink T54W") -> dict[str, Any]:
    return {
        "contact_uri": f"<sip:{ext}@10.0.0.1:{port}>",
        "expires": int(expires),
        "instance": f"<urn:uuid:{ext}-{port}>",
        "last_update": int(expires - 300),
        "public_address": f"10.0.0.1:{port}",
        "received_from": f"10.0.0.1:{port}",
        "reg_id": 0,
        "user_agent": ua,
    }


def register(
    ext: str,
    t: float,
    contacts: list[dict[str, Any]] | None = None,
    removed: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    msg: dict[str, Any] = {
        "event_type": "extension_register",
        "extension": f"sip:{ext}@demo.local",
        "extension_id": f"9{ext}",
        "tenant_id": TENANT,
        "tenant_name": "demo",
        "time": str(int(t)),
    }
    if contacts is not None:
        msg["registration_contacts"] = contacts
    if removed is not None:
        msg["removed_contacts"] = removed
    return msg


def caller_status(
    qid: str, sid: str, reason: str, t: float, number: str = "5550000", type_: str = "normal"
) -> dict[str, Any]:
    return {
        "event_type": "queue_caller_status",
        "tenant_id": TENANT,
        "queue_id": qid,
        "updated_callers": [
            {
                "position": "1",
                "session_id": sid,
                "caller_number": number,
                "reason": reason,
                "timestamp": str(int(t)),
                "type": type_,
            }
        ],
    }


def agent_status(
    qid: str, ext: str, state: str, t: float, sid: str = "", number: str = ""
) -> dict[str, Any]:
    agent = {"state": state, "agent_extension_number": ext, "timestamp": str(int(t))}
    if sid:
        agent |= {"session_id": sid, "caller_number": number, "caller_name": "Caller " + number}
    return {
        "event_type": "queue_agent_status",
        "queue_id": qid,
        "tenant_id": TENANT,
        "updated_agents": [agent],
    }
