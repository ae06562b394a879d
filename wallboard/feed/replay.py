"""Frames from a file: the recording format of CONTRACT.md, or plain JSON Lines.

A recording starts with a `wallboard_recording` header and then holds one
`{"t": ..., "frame": "..."}` line per received frame. A plain file holds one
PBX message object per line (hand-written scenarios). A bad line is counted
as an invalid frame and never ends the replay.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from wallboard.errors import UsageError
from wallboard.model.state import WallboardState
from wallboard.protocol.events import Invalid, Parsed
from wallboard.protocol.parse import parse_frame, parse_object

RECORDING_VERSION = 1
_BAD_LINE = (orjson.JSONDecodeError, ValueError, RecursionError)


@dataclass(slots=True)
class ReplayHeader:
    dialect: str | None = None
    source: str = ""
    started: float | None = None


def open_input(path: str | Path) -> BinaryIO:
    """Open a recording for reading, or raise a UsageError that names the problem."""
    p = Path(path)
    try:
        if p.is_dir():
            raise UsageError(f"cannot read {path}: it is a directory")
        return p.open("rb")
    except FileNotFoundError:
        raise UsageError(f"cannot read {path}: no such file") from None
    except PermissionError:
        raise UsageError(f"cannot read {path}: permission denied") from None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None


def _header(obj: Any) -> ReplayHeader | None:
    if type(obj) is dict and "wallboard_recording" in obj:
        dialect = obj.get("dialect")
        started = obj.get("started")
        return ReplayHeader(
            dialect=dialect if dialect in ("v12", "v16", "v22") else None,
            source=obj.get("source") if type(obj.get("source")) is str else "",
            started=float(started) if type(started) in (int, float) else None,
        )
    return None


def _record(obj: Any) -> tuple[float | None, Parsed]:
    """One decoded line → (recorded time, parsed frame)."""
    if type(obj) is dict and "event_type" not in obj and type(obj.get("frame")) is str:
        t = obj.get("t")
        tf = float(t) if type(t) in (int, float) else None
        return tf, parse_frame(obj["frame"])
    parsed = parse_object(obj)
    return None, parsed


def iter_file(f: BinaryIO) -> Iterator[ReplayHeader | tuple[float | None, Parsed]]:
    """Yield the header (if any) and then (time, parsed frame) for every line."""
    first = True
    for line in f:
        if not line.strip():
            continue
        try:
            obj = orjson.loads(line)
        except (orjson.JSONDecodeError, ValueError, RecursionError):
            first = False
            yield None, Invalid("line is not JSON" if line.endswith(b"\n") else "truncated line")
            continue
        if first:
            first = False
            header = _header(obj)
            if header is not None:
                yield header
                continue
        yield _record(obj)


def replay_into(
    state: WallboardState, path: str | Path, *, each_second: Callable[[], None] | None = None
) -> ReplayHeader:
    """Apply a whole file as fast as possible (`snapshot --replay`, `replay --speed 0`).

    What `iter_file` yields, applied in one loop without the generator, the
    (time, event) tuples or the recorded times nobody here needs.
    `each_second` runs whenever the replay's clock (the latest event time)
    enters a new second: an import ticks the model and pumps its store there.
    """
    header = ReplayHeader()
    apply = state.apply
    next_second = 0.0
    loads = orjson.loads
    first = True
    with open_input(path) as f:
        try:
            for line in f:
                try:
                    obj = loads(line)
                except _BAD_LINE:
                    if not line.strip():
                        continue  # blank lines are skipped, like iter_file does
                    first = False
                    ev: Parsed = Invalid(
                        "line is not JSON" if line.endswith(b"\n") else "truncated line"
                    )
                else:
                    if first:
                        first = False
                        found = _header(obj)
                        if found is not None:
                            header = found
                            continue
                    frame = (
                        obj.get("frame") if type(obj) is dict and "event_type" not in obj else None
                    )
                    ev = parse_frame(frame) if type(frame) is str else parse_object(obj)
                apply(ev)
                if each_second is not None:
                    t = state.latest_event_time
                    if t is not None and t >= next_second:
                        next_second = t - t % 1.0 + 1.0
                        each_second()
        except OSError as exc:
            raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    state.source.kind = "replay"
    state.source.dialect = header.dialect or state.dialect_seen or "v12"
    state.source.url = header.source
    state.source.status = "finished"
    return header
