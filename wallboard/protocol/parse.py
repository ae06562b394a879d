"""Parse one WSI text frame into a typed event, a reply, an Unknown or an Invalid.

Never raises: a PBX (or an attacker behind one) can send anything, and one
bad frame must not cost what was already received. The dialect does not need
to be known: the three generations use distinct event names or compatible
shapes, so one parser serves all of them.

Two readers per event type, keyed on `event_type`: a fast path for the
common well-typed shape (`fast.py`) and the tolerant handler that copes with
every documented spelling and type drift (`tolerant.py`). The fast path
answers ``None`` (or fails) whenever the frame is not that common shape, and
the tolerant handler decides.
"""

from __future__ import annotations

from typing import Any

import orjson

from wallboard.protocol import coerce
from wallboard.protocol.events import Invalid, Parsed, Reply, Unknown
from wallboard.protocol.fast import FAST
from wallboard.protocol.tolerant import HANDLERS, KNOWN_EVENT_TYPES, Missing, _time

__all__ = ["KNOWN_EVENT_TYPES", "MAX_EVENT_TYPE_LEN", "decode", "parse_frame", "parse_object"]

as_text = coerce.as_text
MAX_EVENT_TYPE_LEN = 200
# What a fast path may trip over on a frame it did not expect: the tolerant
# handler then reads the frame from scratch.
_FAST_ERRORS = (TypeError, ValueError, AttributeError, KeyError, OverflowError, IndexError)
_loads = orjson.loads
_fast_get = FAST.get


def _tolerant(d: dict[str, Any], et: Any) -> Parsed:
    """The reference reading of a decoded object (no fast path)."""
    if et is None:
        if "status" in d:
            status = coerce.as_int(d.get("status"))
            return Reply(
                status=-1 if status is None else status,
                command=as_text(d.get("command")),
                error=as_text(d.get("error")),
                id=as_text(d.get("id")),
            )
        return Invalid("object with neither event_type nor status")
    if type(et) is not str:
        return Invalid("event_type is not a string")
    handler = HANDLERS.get(et)
    if handler is None:
        return Unknown(et[:MAX_EVENT_TYPE_LEN], _time(d))
    try:
        return handler(d)
    except Missing as missing:
        return Invalid(f"{et} without {missing}")
    except (TypeError, ValueError, AttributeError, KeyError, OverflowError) as exc:
        return Invalid(f"{et}: malformed ({type(exc).__name__})")


def parse_object(d: Any) -> Parsed:
    """Classify an already-decoded JSON value."""
    if type(d) is not dict:
        return Invalid(f"not a JSON object ({type(d).__name__})")
    et = d.get("event_type")
    if type(et) is str:
        fast = _fast_get(et)
        if fast is not None:
            try:
                ev = fast(d, et)
            except _FAST_ERRORS:
                ev = None
            if ev is not None:
                return ev
    return _tolerant(d, et)


def decode(frame: str | bytes) -> Any:
    """JSON-decode a frame; raises ValueError for anything that is not JSON."""
    return orjson.loads(frame)


def parse_frame(frame: str | bytes) -> Parsed:
    """Parse one received text frame; bytes are accepted only if they are UTF-8 JSON."""
    try:
        d = _loads(frame)
    except (orjson.JSONDecodeError, TypeError, ValueError, RecursionError):
        if not frame or (isinstance(frame, str) and not frame.strip()):
            return Invalid("empty frame")
        return Invalid("not JSON")
    if type(d) is dict:
        et = d.get("event_type")
        if type(et) is str:
            fast = _fast_get(et)
            if fast is not None:
                try:
                    ev = fast(d, et)
                except _FAST_ERRORS:
                    ev = None
                if ev is not None:
                    return ev
        return _tolerant(d, et)
    return Invalid(f"not a JSON object ({type(d).__name__})")
