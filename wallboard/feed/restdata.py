"""What the PortSIP REST API's answers mean: strict parsing of untrusted JSON.

Pure functions and small types, no I/O and no httpx, so the names file and
the config can share the one rule for which names may be shown
(`clean_name`). The REST client (`wallboard.feed.rest`) uses the rest.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

MAX_NAME = 256  # characters of a display name we keep
# C0 and C1 controls, DEL, line/paragraph separators, bidi embeddings/overrides/isolates.
BAD_CHARS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
NUMBER = re.compile(r"[0-9]{1,64}")


class RestError(Exception):
    """A REST call failed; `str()` is one line for the user, without secrets.

    `kind` says what went wrong: connect, tls, timeout, auth (credentials
    rejected), token (rejected right after login), forbidden, not_found,
    rate_limited, http, not_json, invalid, too_large.
    """

    def __init__(
        self,
        message: str,
        kind: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.status = status
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class RestTenant:
    rest_id: str  # opaque, as the REST API names it
    wsi_id: str | None  # the WSI's tenant_id, when it can be told (see wsi_tenant_id)
    name: str
    domain: str


@dataclass(frozen=True, slots=True)
class RestQueue:
    rest_id: str
    number: str
    name: str


@dataclass(slots=True)
class NameList:
    """number -> display name from one listing, and how many names were refused."""

    names: dict[str, str] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)  # numbers whose name was refused


def rest_url_for(wsi_url: str) -> str:
    """wss://pbx:8887/wsi -> https://pbx:8887/api (userinfo dropped; ws -> http)."""
    parts = urlsplit(wsi_url)
    scheme = {"wss": "https", "ws": "http"}.get(parts.scheme, parts.scheme)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit((scheme, host, "/api", "", ""))


def wsi_tenant_id(rest_id: str) -> str | None:
    """The WSI tenant id behind a REST id, when the REST id is its base64 (the docs' examples).

    PortSIP calls its REST ids opaque, but every documented one is the base64
    of a decimal id (`NzAwNTUxOTA5NzczMTQ4MTYw` = `700551909773148160`), and the
    WSI's `tenant_id` is that decimal. A REST id that is already decimal is
    taken as it is; anything else cannot be matched (None).
    """
    if rest_id.isdigit():
        return rest_id
    try:
        raw = base64.b64decode(rest_id.encode("ascii"), validate=True).decode("ascii")
    except (ValueError, UnicodeError):
        return None
    return raw if raw.isdigit() else None


def clean_name(value: Any) -> str | None:
    """A display name we may pass on: text without control characters, bounded length.

    None for "no name" (null, empty, not text) and raises ValueError for a
    name that must be refused (control characters: terminal escapes, bidi
    overrides). Markup-looking text is kept as it is: it is a name, shown
    literally by the UI.
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text:
        return None
    if BAD_CHARS.search(text):
        raise ValueError("control characters")
    return text[:MAX_NAME]


def one_line(text: str, limit: int = 120) -> str:
    """PBX-provided text made safe for a notice line."""
    return BAD_CHARS.sub(" ", text).strip()[:limit]


def page_items(doc: Any, label: str) -> list[dict[str, Any]]:
    if not isinstance(doc, dict) or not isinstance(doc.get("items"), list):
        raise RestError(f"the PBX's answer to {label} has no items list", "invalid")
    items = doc["items"]
    if not all(isinstance(i, dict) for i in items):
        raise RestError(f"the PBX's answer to {label} has items that are not objects", "invalid")
    return items


def as_number(value: Any) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        value = str(value)
    if isinstance(value, str) and NUMBER.fullmatch(value.strip()):
        return value.strip()
    return None


def names_of(items: list[dict[str, Any]]) -> NameList:
    out = NameList()
    for item in items:
        number = as_number(item.get("extension_number"))
        if number is None:
            continue
        try:
            name = clean_name(item.get("display_name"))
        except ValueError:
            out.refused.append(number)
            continue
        if name is not None:
            out.names[number] = name
    return out


def tenant_of(doc: Any) -> RestTenant | None:
    if not isinstance(doc, dict):
        return None
    rid = doc.get("id")
    if isinstance(rid, int) and not isinstance(rid, bool):
        rid = str(rid)
    if not isinstance(rid, str) or not rid or len(rid) > 128:
        return None
    try:
        name = clean_name(doc.get("name")) or ""
    except ValueError:
        name = ""
    domain = doc.get("domain")
    return RestTenant(rid, wsi_tenant_id(rid), name, domain if isinstance(domain, str) else "")


def queue_of(item: dict[str, Any]) -> RestQueue | None:
    qid, number = item.get("id"), as_number(item.get("extension_number"))
    if not isinstance(qid, str) or not qid or number is None:
        return None
    try:
        shown = clean_name(item.get("name")) or ""
    except ValueError:
        shown = ""
    return RestQueue(qid, number, shown)


__all__ = [
    "BAD_CHARS",
    "MAX_NAME",
    "NameList",
    "RestError",
    "RestQueue",
    "RestTenant",
    "as_number",
    "clean_name",
    "names_of",
    "one_line",
    "page_items",
    "queue_of",
    "rest_url_for",
    "tenant_of",
    "wsi_tenant_id",
]
