"""Build the client → PBX commands of each dialect (auth, subscribe, unsubscribe).

Pure functions returning dicts; the caller serialises and sends them. The
auth dict carries the password, so it must never be logged or recorded.
"""

from __future__ import annotations

from typing import Any, Literal

Dialect = Literal["v12", "v16", "v22"]
DIALECTS: tuple[Dialect, ...] = ("v12", "v16", "v22")

# v12 subscribes to (topic, keys) pairs; these are the keys the seed documents.
V12_KEYS: dict[str, list[str]] = {
    "extension_events": [
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
    ],
    "cdr_events": ["call_cdr"],
    "queue_events": ["queue_status", "queue_member_state"],
    "trunk_events": ["trunk_connected", "trunk_disconnected"],
}


def dialect_for_url(url: str, requested: str | None = "auto") -> Dialect:
    """`--dialect auto`: a URL path of `/wsi` means v22, anything else v16 (CONTRACT.md)."""
    if requested in DIALECTS:
        return requested  # type: ignore[return-value]
    from urllib.parse import urlsplit

    path = urlsplit(url).path.rstrip("/")
    return "v22" if path == "/wsi" else "v16"


def build_auth(
    dialect: str,
    password: str,
    *,
    user: str | None = None,
    extension: str | None = None,
    domain: str | None = None,
) -> dict[str, Any]:
    if not user and not extension:
        raise ValueError("auth needs a user or an extension")
    msg: dict[str, Any] = {"command": "auth"}
    if dialect == "v12":
        if extension:
            msg["extension"] = extension
            if domain:
                msg["domain"] = domain
        else:
            msg["name"] = user
    else:
        if extension:
            msg["extension_number"] = extension
        else:
            msg["username"] = user
        if domain:
            msg["domain"] = domain
    msg["password"] = password
    return msg


def _topics(dialect: str, topics: list[str]) -> list[Any]:
    if dialect == "v12":
        return [{"topic": t, "keys": list(V12_KEYS.get(t, []))} for t in topics]
    return list(topics)


def build_subscribe(
    dialect: str,
    topics: list[str],
    *,
    extensions: list[str] | None = None,
    queues: list[str] | None = None,
    tenants: list[str] | None = None,
    command: Literal["subscribe", "unsubscribe"] = "subscribe",
) -> dict[str, Any]:
    msg: dict[str, Any] = {"command": command, "topics": _topics(dialect, topics)}
    if extensions:
        msg["extensions"] = list(extensions)
    if queues:
        msg["queues"] = list(queues)
    if tenants and dialect == "v22":
        msg["tenants"] = list(tenants)
    return msg


def build_unsubscribe(dialect: str, topics: list[str], **filters: Any) -> dict[str, Any]:
    return build_subscribe(dialect, topics, command="unsubscribe", **filters)


def default_topics(dialect: str, *, tenant_admin: bool, system_admin: bool = False) -> list[str]:
    """What a wallboard wants to see; the PBX enforces who may subscribe to what."""
    # v22 management events say when a user changed: the moment to re-read names (REST).
    if dialect == "v22" and system_admin:
        return [
            "global_extension_events",
            "global_cdr_events",
            "global_queue_events",
            "global_extension_management_events",
        ]
    topics = ["extension_events", "queue_events"]
    if tenant_admin:
        topics.append("cdr_events")
        if dialect == "v12":
            topics.append("trunk_events")
        if dialect == "v22":
            topics.append("extension_management_events")
    return topics


def expand_list(text: str | None) -> list[str]:
    """`101,102,110-119` → the numbers; ranges keep their width (`0101-0103`)."""
    if not text:
        return []
    out: list[str] = []
    for part in text.replace(" ", ",").split(","):
        part = part.strip()
        if not part:
            continue
        lo, sep, hi = part.partition("-")
        if sep and lo.isdigit() and hi.isdigit():
            a, b = int(lo), int(hi)
            if b < a or b - a > 100_000:
                raise ValueError(f"bad range {part!r}")
            out.extend(str(n).zfill(len(lo)) for n in range(a, b + 1))
        elif sep:
            raise ValueError(f"bad range {part!r}")
        else:
            out.append(part)
    return out
