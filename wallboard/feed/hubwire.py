"""The hub ↔ viewer wire (protocol 1): what a viewer receives and how its model takes it.

A viewer's model must equal the hub's, frame for frame. So the hub sends
its model once (a checkpoint) and then everything that changes it, in the
order it happened, each with the hub's own time:

    hello       {"type": "hello", "protocol": 1, "hub": "wallboard 0.1.0",
                 "token": NAME|null, "scope": [QUEUE, ...]|null,
                 "feed": "frames"|"patches",
                 "settings": {"timezone": NAME|null, "interval_minutes": 15,
                              "targets": {...}}}
    checkpoint  {"type": "checkpoint", "t": T, "data": <model/checkpoint.py format>}
    batch       {"type": "batch", "items": [ITEM, ...]}          (feed "frames")
    patch       {"type": "patch", "t": T, "set": ..., "del": ...} (feed "patches":
                 a scoped token; see model/scope.py)

Batch items, applied in order (T: the hub's clock):

    ["f", T, TEXT]          a PBX frame the hub received at T (TEXT exactly as received)
    ["f", T, TEXT, CMD]     a command reply the hub matched to its command CMD
    ["x", T, REASON]        a frame rejected before parsing (binary, oversized)
    ["t", T]                the hub's clock ticked (durations, intervals, midnight)
    ["s", T, SOURCE, C]     the PBX connection's state (`source`); C: a status change
    ["m", T]                the hub reconnected to the PBX: what it knew is unconfirmed
    ["d", T, CUTOFF]        unconfirmed calls and queues were forgotten (CUTOFF null: all)
    ["n", T, NAMES]         display names changed
    ["D", T, DAY]           a new day began with data a store held for it

Why the hub's time everywhere: "received" times measure the PBX clock's
offset and are "now" for each event; the viewer's clock is the hub's last
tick, so a viewer whose own clock is off still rolls over at the hub's
midnight, between the same two frames. A new checkpoint (reconnect, or the
hub's resync) replaces the model; nothing else is ever sent.

Viewer → hub: only `{"type": "auth", "token": TOKEN}` as the first message
(unless the upgrade request carried `Authorization: Bearer TOKEN`). Never
the token in a URL: it would land in access logs.

No Textual and no I/O here: the viewer client (`viewer.py`) and the tests
drive `ViewerModel` with the messages they receive.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

import orjson

from wallboard.model.applypatch import apply_patch
from wallboard.model.calendar import INTERVAL_CHOICES, Calendar, parse_timezone
from wallboard.model.checkpoint import restore, restore_day_live
from wallboard.model.entities import SourceInfo
from wallboard.model.state import SOURCE, WallboardState
from wallboard.model.targets import SL_DEFINITIONS, QueueTarget, Targets
from wallboard.protocol.events import Invalid, Reply
from wallboard.protocol.parse import parse_frame

PROTOCOL = 1
FEED_PATH = "/feed"
# Close codes a viewer acts on (besides 1001 going away, 1009 too big).
CLOSE_TOO_SLOW = 1013  # "try again later": the viewer fell behind; reconnect, fresh checkpoint
CLOSE_UNAUTHORIZED = 4401  # no valid token (wrong, revoked); do not retry by itself
CLOSE_AUTH_TIMEOUT = 4408  # no auth message in time
CLOSE_POLICY = 1008  # a viewer sent something it must not
SOURCE_FIELDS = tuple(f.name for f in dataclasses.fields(SourceInfo))


class ProtocolError(Exception):
    """The hub speaks something this viewer cannot follow (another protocol version)."""


# ---------------------------------------------------------------- settings
@dataclass(frozen=True, slots=True)
class HubSettings:
    """What the hub measures against: a viewer must count with the same rules."""

    targets: Targets
    calendar: Calendar
    timezone: str | None = None


def settings_payload(targets: Targets, calendar: Calendar, timezone: str | None) -> dict[str, Any]:
    return {
        "timezone": timezone,
        "interval_minutes": calendar.interval_minutes,
        "targets": dataclasses.asdict(targets),
    }


def _opt_num(v: Any) -> float | None:
    return float(v) if type(v) in (int, float) and math.isfinite(v) else None


def parse_settings(data: Any) -> tuple[HubSettings, list[str]]:
    """The hub's settings, and a problem per value that could not be used (never fatal)."""
    problems: list[str] = []
    d = data if isinstance(data, dict) else {}
    tz_name = d.get("timezone") if isinstance(d.get("timezone"), str) else None
    tz = None
    if tz_name:
        try:
            tz = parse_timezone(tz_name)
        except ValueError:
            problems.append(
                f"the hub's time zone {tz_name[:40]!r} is unknown here; using local time"
            )
            tz_name = None
    minutes = d.get("interval_minutes")
    if minutes not in INTERVAL_CHOICES:
        minutes = 15
    t = d.get("targets") if isinstance(d.get("targets"), dict) else {}
    kw: dict[str, Any] = {"sla_seconds": _opt_num(t.get("sla_seconds"))}
    short = _opt_num(t.get("short_abandon_seconds"))
    if short is not None:
        kw["short_abandon_seconds"] = short
    if t.get("sl_definition") in SL_DEFINITIONS:
        kw["sl_definition"] = t["sl_definition"]
    queues: dict[str, QueueTarget] = {}
    raw = t.get("queues") if isinstance(t.get("queues"), dict) else {}
    for number, qt in raw.items():
        if not isinstance(qt, dict):
            continue
        sld = qt.get("sl_definition")
        queues[str(number)] = QueueTarget(
            sla_seconds=_opt_num(qt.get("sla_seconds")),
            short_abandon_seconds=_opt_num(qt.get("short_abandon_seconds")),
            sl_definition=sld if sld in SL_DEFINITIONS else None,
        )
    kw["queues"] = queues
    return HubSettings(Targets(**kw), Calendar(tz=tz, interval_minutes=minutes), tz_name), problems


# -------------------------------------------------------------- encoding
def encode(message: dict[str, Any]) -> bytes:
    from wallboard.model.checkpoint import json_default

    return orjson.dumps(message, default=json_default)


def source_dict(src: SourceInfo) -> dict[str, Any]:
    """A copy of `source` as it is now (an item must not change when `source` does later)."""
    return {name: getattr(src, name) for name in SOURCE_FIELDS}


# ----------------------------------------------------------- the viewer
class HubClock:
    """A viewer model's clock: the hub's time, as the hub last said it."""

    __slots__ = ("t",)

    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


class ViewerModel:
    """Applies the hub's messages to `state`, keeping it equal to the hub's model.

    `handle(raw)` takes one message and returns its type. A message that is
    not what protocol 1 says is counted in `skipped` and ignored (the hub is
    trusted less than blindly); a hello of another protocol version raises
    ProtocolError.
    """

    def __init__(self, state: WallboardState) -> None:
        self.state = state
        self.clock = HubClock()
        state.clock_fn = self.clock
        self.tick_t = 0.0  # the hub's last tick: "now" between items
        self.hello: dict[str, Any] | None = None
        self.settings: HubSettings | None = None
        self.problems: list[str] = []
        self.ready = False  # a checkpoint has been applied
        self.skipped = 0
        self.checkpoints = 0
        self.items = 0
        self.last_t: float | None = None  # hub time of the newest message

    @property
    def scope(self) -> list[str] | None:
        scope = (self.hello or {}).get("scope")
        return [str(q) for q in scope] if isinstance(scope, list) else None

    @property
    def token_name(self) -> str | None:
        name = (self.hello or {}).get("token")
        return name if isinstance(name, str) else None

    def handle(self, raw: str | bytes) -> str:
        try:
            msg = orjson.loads(raw)
        except orjson.JSONDecodeError:
            self.skipped += 1
            return "invalid"
        if not isinstance(msg, dict):
            self.skipped += 1
            return "invalid"
        kind = msg.get("type")
        if kind == "hello":
            self._hello(msg)
        elif kind == "checkpoint":
            self._checkpoint(msg)
        elif kind == "batch" and self.ready:
            self._batch(msg.get("items"))
        elif kind == "patch" and self.ready:
            self._patch(msg)
        else:
            self.skipped += 1
            return "invalid"
        return str(kind)

    def _hello(self, msg: dict[str, Any]) -> None:
        version = msg.get("protocol")
        if version != PROTOCOL:
            raise ProtocolError(
                f"the hub speaks viewer protocol {str(version)[:10]}; this wallboard speaks {PROTOCOL}"
            )
        self.hello = msg
        self.settings, self.problems = parse_settings(msg.get("settings"))
        self.ready = False

    def _fresh_model(self) -> None:
        """Empty the model in place (the app holds it) with the hub's rules."""
        st = self.state
        s = self.settings or HubSettings(Targets(), Calendar())
        WallboardState.__init__(st, self.clock, targets=s.targets, calendar=s.calendar)

    def _checkpoint(self, msg: dict[str, Any]) -> None:
        t = _opt_num(msg.get("t"))
        data = msg.get("data")
        if self.hello is None or t is None or not isinstance(data, dict):
            self.skipped += 1
            return
        self._fresh_model()
        self.clock.t = self.tick_t = t
        result = restore(self.state, data)
        self.skipped += result.skipped
        self.ready = True
        self.checkpoints += 1
        self.last_t = t

    def _patch(self, msg: dict[str, Any]) -> None:
        t = _opt_num(msg.get("t"))
        if t is None:
            self.skipped += 1
            return
        self.clock.t = self.tick_t = t
        self.skipped += apply_patch(self.state, msg)
        self.last_t = t
        self.items += 1

    def _batch(self, items: Any) -> None:
        if not isinstance(items, list):
            self.skipped += 1
            return
        st = self.state
        clock = self.clock
        for item in items:
            if not isinstance(item, list) or len(item) < 2:
                self.skipped += 1
                continue
            t = item[1]
            if type(t) not in (int, float):
                self.skipped += 1
                continue
            clock.t = t
            self.items += 1
            try:
                self._item(st, item, t)
            except (TypeError, ValueError, KeyError, AttributeError, IndexError):
                self.skipped += 1
            self.last_t = t
        clock.t = self.tick_t

    def _item(self, st: WallboardState, item: list[Any], t: float) -> None:
        kind = item[0]
        if kind == "f":
            text = item[2]
            if type(text) is not str:
                raise TypeError("frame is not text")
            parsed = parse_frame(text)
            if len(item) > 3 and type(parsed) is Reply and type(item[3]) is str:
                parsed.command = item[3]
            st.apply(parsed, t)
        elif kind == "t":
            self.tick_t = t
            st.tick(t)
        elif kind == "s":
            src = item[2]
            if not isinstance(src, dict):
                raise TypeError("source is not an object")
            for name in SOURCE_FIELDS:
                if name in src:
                    setattr(st.source, name, src[name])
            if len(item) > 3 and item[3] is True:
                st.source_changed()
            else:
                st.touch(SOURCE)
        elif kind == "x":
            st.apply(Invalid(str(item[2])), t)
        elif kind == "m":
            st.mark_stale()
        elif kind == "d":
            cutoff = item[2]
            st.drop_stale(float("inf") if cutoff is None else float(cutoff))
        elif kind == "n":
            if isinstance(item[2], dict):
                st.names.load(item[2])
                st.names_changed()
        elif kind == "D":
            restore_day_live(st, item[2], t)
        else:
            raise ValueError(f"unknown item {str(kind)[:10]}")


__all__ = [
    "CLOSE_AUTH_TIMEOUT",
    "CLOSE_POLICY",
    "CLOSE_TOO_SLOW",
    "CLOSE_UNAUTHORIZED",
    "FEED_PATH",
    "PROTOCOL",
    "SOURCE_FIELDS",
    "HubClock",
    "HubSettings",
    "ProtocolError",
    "ViewerModel",
    "encode",
    "parse_settings",
    "settings_payload",
    "source_dict",
]
