"""Write the README screenshots of the day-of-record screens (History, wall trend, `i`).

They need a day behind them, which the short demo replay does not have: this
runs the simulator's traffic in-process for a morning (seeded, the same every
time; `tests/history_helpers.morning_state`) and shoots the app on it with
`wallboard.ui.screenshots.shoot`, in UTC, at 160x50 and 80x24.

    python scripts/history_screenshots.py [--out screenshots]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from history_helpers import morning_state  # noqa: E402
from wallboard.ui.screenshots import FIXED_WALL, shoot  # noqa: E402

SHOTS: dict[str, tuple[str, ...]] = {
    "history": ("6",),
    "history-queue": ("6", "full_stop", "left", "left", "left"),
    "wall-trend": ("w", "left"),
    "explain": ("i",),
    "abandoned-record": ("6", "tab", "down", "enter"),
}


def morning_app() -> object:
    from wallboard.ui.app import WallboardApp

    state = morning_state(hours=4.0)
    # As `wallboard demo` shows its simulated morning: watched, connected.
    state.source.kind, state.source.status = "live", "connected"
    return WallboardApp(
        state,
        feed_label="simulated morning",
        refresh_hz=0,
        wall_interval=0,
        wall_clock=lambda: FIXED_WALL,
        watch_terminal=False,
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=REPO / "screenshots")
    a = p.parse_args()
    os.environ["TZ"] = "UTC"
    time.tzset()
    a.out.mkdir(parents=True, exist_ok=True)
    for name, keys in SHOTS.items():
        print(asyncio.run(shoot(name, keys, (160, 50), a.out, morning_app)))
    print(asyncio.run(shoot("history-80x24", ("6",), (80, 24), a.out, morning_app)))


if __name__ == "__main__":
    main()
