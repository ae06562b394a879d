"""Tolerant conversions for what real PBXs put on the wire.

PortSIP sends the same field as a string in one message and a number in the
next, writes enum values in several spellings across versions, and carries
typos (`ON_ACLL`). Everything here maps that drift onto one vocabulary and
never raises: an unusable value becomes ``None`` and the caller decides.
"""

from __future__ import annotations

import math
from itertools import islice
from typing import Any

# Agent states as the model speaks them; any other value is kept as received.
AGENT_STATES = (
    "READY",
    "QUEUE_CALL",
    "WRAP_UP",
    "OTHER_CALL",
    "NOT_READY",
    "LOGGED_OUT",
    "OFFLINE",
)
_AGENT_ALIASES = {
    "READY": "READY",
    "QUEUE_CALL": "QUEUE_CALL",
    "QUEUECALL": "QUEUE_CALL",
    "WRAP_UP": "WRAP_UP",
    "WRAPUP": "WRAP_UP",
    "OTHER_CALL": "OTHER_CALL",
    "OTHERCALL": "OTHER_CALL",
    "NOT_READY": "NOT_READY",
    "NOTREADY": "NOT_READY",
    "LOGOUT": "LOGGED_OUT",
    "LOG_OUT": "LOGGED_OUT",
    "LOGGED_OUT": "LOGGED_OUT",
    "LOGGEDOUT": "LOGGED_OUT",
    # PortSIP documents the logged-out agent state as "Online" in places.
    "ONLINE": "LOGGED_OUT",
    "OFFLINE": "OFFLINE",
}

CALL_STATUSES = ("ON_CALL", "RINGING", "")
_CALL_STATUS_ALIASES = {
    "ON_CALL": "ON_CALL",
    "ONCALL": "ON_CALL",
    "ON_ACLL": "ON_CALL",  # typo on the v22 page
    "RINGING": "RINGING",
    "": "",
    "IDLE": "",
    "NONE": "",
}

PRESENCES = ("ONLINE", "AVAILABLE", "AWAY", "LUNCH", "BUSINESS_TRIP", "DO_NOT_DISTURB")
_PRESENCE_ALIASES = {p: p for p in PRESENCES} | {"DND": "DO_NOT_DISTURB", "BUSY": "DO_NOT_DISTURB"}

DIRECTIONS = ("internal", "inbound", "outbound", "inbound_outbound", "unknown")
_DIRECTION_ALIASES = {
    "ext": "internal",
    "internal": "internal",
    "in": "inbound",
    "inbound": "inbound",
    "out": "outbound",
    "outbound": "outbound",
    "in2out": "inbound_outbound",
    "inbound_outbound": "inbound_outbound",
}


def as_str(value: Any) -> str | None:
    """Ids and names: strings stay, integers become their digits, anything else is unusable."""
    if type(value) is str:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def as_text(value: Any) -> str:
    """Display text: like :func:`as_str` but never ``None``."""
    if type(value) is str:
        return value
    s = as_str(value)
    return "" if s is None else s


def as_float(value: Any) -> float | None:
    """Times and durations arrive as numbers or digit strings; keep only finite values."""
    if type(value) is float:
        return value if math.isfinite(value) else None
    if type(value) is int:
        return float(value)
    if type(value) is str:
        try:
            f = float(value.strip())
        except ValueError:
            return None
        return f if math.isfinite(f) else None
    return None


def as_int(value: Any) -> int | None:
    f = as_float(value)
    if f is None or abs(f) > 1e15:
        return None
    return int(f)


def as_bool(value: Any) -> bool | None:
    if type(value) is bool:
        return value
    if type(value) is int:
        return value != 0
    if type(value) is str:
        v = value.strip().lower()
        if v in ("true", "1", "yes", "on"):
            return True
        if v in ("false", "0", "no", "off", ""):
            return False
    return None


def _enum_key(value: str) -> str:
    return value.strip().upper().replace(" ", "_").replace("-", "_")


def agent_state(value: Any) -> str | None:
    """Normalise an agent state; unknown values are kept as received so they can be shown."""
    s = as_str(value)
    if s is None:
        return None
    return _AGENT_ALIASES.get(_enum_key(s), s)


def call_status(value: Any) -> str | None:
    s = as_str(value)
    if s is None:
        return None if value is not None else ""
    return _CALL_STATUS_ALIASES.get(_enum_key(s), s)


def presence(value: Any) -> str | None:
    s = as_str(value)
    if not s:
        return None
    return _PRESENCE_ALIASES.get(_enum_key(s), s)


def presence_from_note(note: str) -> str | None:
    """Early v16 sent only `presence_note` ("Away"); use it when it names a known presence."""
    if not note:
        return None
    return _PRESENCE_ALIASES.get(_enum_key(note))


def direction(value: Any) -> str:
    s = as_str(value)
    if s is None:
        return "unknown"
    return _DIRECTION_ALIASES.get(s.strip().lower(), "unknown")


def sip_user(value: Any) -> str:
    """`sip:102@sipiw.com` → `102`; a bare number stays as it is."""
    s = value if type(value) is str else as_str(value)
    if not s:
        return ""
    if s[:4] == "sip:":  # the usual spelling: what the general steps below do with it
        user = s[4:]
        at = user.find("@")
        if at >= 0:
            user = user[:at]
        semi = user.find(";")
        return user if semi < 0 else user[:semi]
    if "@" not in s and ":" not in s and ";" not in s and "<" not in s:
        return s  # already a bare number: the common case on v16+
    if s.startswith("<") and ">" in s:
        s = s[1 : s.index(">")]
    if s[:4].lower() == "sip:":
        s = s[4:]
    elif s[:5].lower() == "sips:":
        s = s[5:]
    at = s.find("@")
    if at >= 0:
        s = s[:at]
    semi = s.find(";")
    if semi >= 0:
        s = s[:semi]
    return s


# ------------------------------------------------------------ memoised AORs
# A busy PBX names the same few thousand `sip:` addresses in every call event;
# splitting each one costs more than looking it up. The memo is bounded in
# entries and in key length, so hostile input cannot grow it: past the limit
# the oldest quarter is dropped (an address still in use comes back at once).
AOR_CACHE_SIZE = 16384
AOR_CACHE_MAX_KEY = 160
_aor_cache: dict[str, str] = {}
aor_lookup = _aor_cache.get  # fast paths try this first (a str key only)


def sip_user_cached(value: Any) -> str:
    """:func:`sip_user` through the bounded memo (strings only; others are not memoised)."""
    if type(value) is not str:
        return sip_user(value)
    user = _aor_cache.get(value)
    if user is not None:
        return user
    user = sip_user(value)
    if len(value) <= AOR_CACHE_MAX_KEY:
        if len(_aor_cache) >= AOR_CACHE_SIZE:
            for old in list(islice(_aor_cache, AOR_CACHE_SIZE // 4)):
                _aor_cache.pop(old, None)
        _aor_cache[value] = user
    return user


def aor_cache_len() -> int:
    return len(_aor_cache)


def clear_aor_cache() -> None:
    _aor_cache.clear()


# ------------------------------------------------- exact spellings, one lookup
# What the wire says most of the time, mapped straight to the result; anything
# else (case, spaces, aliases, typos) goes through the functions above.
AGENT_STATE_EXACT = dict(_AGENT_ALIASES)
CALL_STATUS_EXACT = dict(_CALL_STATUS_ALIASES)
PRESENCE_EXACT = dict(_PRESENCE_ALIASES)
DIRECTION_EXACT = dict(_DIRECTION_ALIASES)
