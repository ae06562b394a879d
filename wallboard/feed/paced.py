"""A replay as a live feed: a recording applied at its own pace (or flat out), for the TUI.

Recordings carry the receive time `t` per frame; plain JSON Lines files are
paced by each event's own `time`. Frames without a usable time are applied
at once. The schedule is absolute (no drift), and with speed 0 frames are
applied in ~20 ms chunks with a yield in between so the UI stays live.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from wallboard.feed.replay import ReplayHeader, iter_file, open_input
from wallboard.model.calendar import usable_time
from wallboard.model.state import WallboardState

# With --speed 0, apply frames for this long, then let the UI breathe.
CHUNK_SECONDS = 0.02


def replay_feed(path: str | Path, speed: float) -> Callable[[Any], Awaitable[None]]:
    """A feed (a coroutine factory taking the app) that replays `path` ÷ `speed` (0 = flat out)."""

    async def feed(app: Any) -> None:
        await play(app.state, path, speed)

    return feed


async def play(state: WallboardState, path: str | Path, speed: float) -> None:
    src = state.source
    src.kind = "replay"
    src.status = "connected"
    src.flat_out = speed <= 0
    src.since = time.time()
    state.source_changed()
    loop = asyncio.get_running_loop()
    header = ReplayHeader()
    start_t: float | None = None
    start_wall = loop.time()
    chunk_end = time.perf_counter() + CHUNK_SECONDS
    apply = state.apply
    with open_input(path) as f:
        for item in iter_file(f):
            if type(item) is ReplayHeader:
                header = item
                if header.dialect:
                    src.dialect = header.dialect
                src.url = header.source
                continue
            t, parsed = item  # type: ignore[misc]
            if speed > 0:
                if t is None:
                    t = getattr(parsed, "time", None)
                if usable_time(t):
                    if start_t is None:
                        start_t, start_wall = t, loop.time()
                    delay = start_wall + (t - start_t) / speed - loop.time()
                    if delay > 0:
                        await asyncio.sleep(delay)
                        chunk_end = time.perf_counter() + CHUNK_SECONDS
            apply(parsed)
            if time.perf_counter() >= chunk_end:
                await asyncio.sleep(0)
                chunk_end = time.perf_counter() + CHUNK_SECONDS
            if not header.dialect and state.dialect_seen and src.dialect != state.dialect_seen:
                src.dialect = state.dialect_seen
    src.dialect = header.dialect or state.dialect_seen or src.dialect
    src.status = "finished"
    src.flat_out = False
    src.since = time.time()
    state.source_changed()


__all__ = ["CHUNK_SECONDS", "play", "replay_feed"]
