"""Formatting for the wall: short, fixed-shape, cheap.

Everything here runs only for what is on screen, but a 5,000-agent table
still formats a lot per refresh, so these are plain string operations rather
than humanize (which the status line uses for its one "ago").
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from wallboard.model.entities import agent_rank
from wallboard.ui.text import safe_text

# Agent states as received (v16+ names; v12 queue pictures map onto them).
AGENT_LABEL = {
    "READY": "Ready",
    "QUEUE_CALL": "Queue call",
    "OTHER_CALL": "Other call",
    "WRAP_UP": "Wrap-up",
    "NOT_READY": "Not ready",
    "LOGGED_OUT": "Logged out",
    "OFFLINE": "Offline",
}
# Colors are ANSI names so they survive 16-color terminals; bold/dim carry
# the meaning under NO_COLOR.
AGENT_STYLE = {
    "READY": "bold green",
    "QUEUE_CALL": "bold cyan",
    "OTHER_CALL": "cyan",
    "WRAP_UP": "yellow",
    "NOT_READY": "bold magenta",
    "LOGGED_OUT": "dim",
    "OFFLINE": "dim",
}
CALL_STATE_STYLE = {
    "setup": "yellow",
    "ringing": "bold yellow",
    "established": "green",
    "held": "magenta",
}
CALL_STATUS_STYLE = {"ON_CALL": "cyan", "RINGING": "bold yellow"}
PRESENCE_STYLE = {"AVAILABLE": "green", "ONLINE": "green", "AWAY": "yellow", "DND": "magenta"}
LEVEL_STYLE = {"ok": "", "warn": "bold yellow", "crit": "bold reverse red"}


def agent_label(state: str) -> str:
    """A known state's label; any other state is shown as received, made safe (PBX text)."""
    return AGENT_LABEL.get(state) or safe_text(state, 16) or "—"


def dur(seconds: float | None) -> str:
    """0:05, 12:34, 1:02:03; "—" for unknown; never negative (clock skew shows as 0:00)."""
    if seconds is None:
        return "—"
    s = int(seconds) if seconds > 0 else 0
    if s < 3600:
        return f"{s // 60}:{s % 60:02d}"
    if s < 100 * 3600:
        return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"
    return f"{s // 86400}d"


def short_dur(seconds: float | None) -> str:
    """For Digits tiles: m:ss up to an hour, then h:mm."""
    if seconds is None:
        return "-"
    s = int(seconds) if seconds > 0 else 0
    if s < 3600:
        return f"{s // 60}:{s % 60:02d}"
    return f"{min(s // 3600, 99)}:{s % 3600 // 60:02d}"


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}%"


def hms(t: float | None) -> str:
    """Local wall time of a unix timestamp as HH:MM:SS."""
    if not t:
        return "—"
    return time.strftime("%H:%M:%S", time.localtime(t))


def hm(t: float | None) -> str:
    if not t:
        return "—"
    return time.strftime("%H:%M", time.localtime(t))


def ago(seconds: float | None) -> str:
    """'just now', '12s ago', '3m ago', '2h ago' — for the status line."""
    if seconds is None:
        return "never"
    if seconds < 2:
        return "just now"
    if seconds < 120:
        return f"{int(seconds)}s ago"
    if seconds < 7200:
        return f"{int(seconds // 60)}m ago"
    return f"{int(seconds // 3600)}h ago"


SPARK = "▁▂▃▄▅▆▇█"


def sparkline(
    trend: Sequence[tuple[float, int]], now: float, width: int = 12, span: float = 3600.0
) -> str:
    """The most callers waiting in each of `width` slices of the last `span` seconds.

    `trend` is the model's (minute start, most waiting in it), oldest first. A
    slice with no sample carries the one before it (the count did not change);
    before the first sample, blank. Heights are relative to the hour's peak;
    none waiting is the lowest block, so a flat quiet hour still shows.
    """
    if not trend:
        return ""
    step = span / width
    start = now - span
    slices: list[int | None] = [None] * width
    carry: int | None = None
    for minute, n in trend:
        if minute < start:
            carry = n
            continue
        b = min(width - 1, int((minute - start) / step))
        old = slices[b]
        slices[b] = n if old is None or n > old else old
    for b in range(width):
        if slices[b] is None:
            slices[b] = carry
        else:
            carry = slices[b]
    peak = max((v for v in slices if v is not None), default=0)
    out = []
    for v in slices:
        if v is None:
            out.append(" ")
        elif v <= 0 or peak <= 0:
            out.append(SPARK[0])
        else:
            out.append(SPARK[min(7, 1 + round(6 * v / peak))])
    return "".join(out)


def who(number: str, name: str) -> str:
    """A party as "number name"; the number once when the name is the number or missing."""
    number, name = safe_text(number, 24), safe_text(name, 28)
    if name and number and name != number:
        return f"{number} {name}"
    return number or name


def strip_sip(uri: str) -> str:
    """'sip:101@demo.local' → '101@demo.local' (the model usually stores bare numbers)."""
    return uri[4:] if uri.startswith("sip:") else uri


__all__ = [
    "AGENT_LABEL",
    "AGENT_STYLE",
    "CALL_STATE_STYLE",
    "LEVEL_STYLE",
    "agent_label",
    "agent_rank",
    "ago",
    "dur",
    "hm",
    "hms",
    "pct",
    "short_dur",
    "sparkline",
    "who",
]
