"""Helpers for the UI tests: a pinned time zone and the app on the fixed replay."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from wallboard.model import WallboardState
from wallboard.protocol.parse import parse_object
from wallboard.ui.app import WallboardApp
from wallboard.ui.screenshots import DEFAULT_REPLAY, FIXED_WALL, make_app

REPLAY = DEFAULT_REPLAY
FIXTURES = Path(__file__).parent / "fixtures" / "ui"


@contextmanager
def utc() -> Iterator[None]:
    """Clock text on screen must not depend on the machine's time zone."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = old
        time.tzset()


def replay_app() -> WallboardApp:
    return make_app(REPLAY)  # type: ignore[return-value]


def state_from(messages: list[dict[str, Any]]) -> WallboardState:
    st = WallboardState()
    for m in messages:
        st.apply(parse_object(m))
    return st


def bare_app(state: WallboardState, **kw: Any) -> WallboardApp:
    """An app with no timer (tests call refresh_now) and a pinned wall clock."""
    kw.setdefault("refresh_hz", 0)
    kw.setdefault("wall_interval", 0)
    kw.setdefault("wall_clock", lambda: FIXED_WALL)
    kw.setdefault("watch_terminal", False)
    return WallboardApp(state, **kw)
