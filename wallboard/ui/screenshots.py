"""The README / docs screenshots (SVG) from a fixed replay, deterministically.

Same input, same pictures: the replay's own clock is the only clock (no wall
time on screen), the caller fixes the time zone to UTC, and the refresh timer
is off (one explicit refresh pass before each shot). The tests shoot the app
the same way; the command line is `python -m wallboard.cli.screenshots`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from wallboard.feed.replay import replay_into
from wallboard.model.state import WallboardState

REPO = Path(__file__).resolve().parents[2]
DEFAULT_REPLAY = REPO / "tests" / "fixtures" / "ui" / "demo_v12.jsonl"
FIXED_WALL = 1_700_000_419.0


def make_app(replay: Path = DEFAULT_REPLAY, label: str = "replay demo_v12.jsonl") -> object:
    """The app on the final state of `replay`, with every clock pinned (tests use this too)."""
    from wallboard.ui.app import WallboardApp

    state = WallboardState()
    replay_into(state, replay)
    return WallboardApp(
        state,
        feed_label=label,
        refresh_hz=0,
        wall_interval=0,
        wall_clock=lambda: FIXED_WALL,
        watch_terminal=False,
    )


Steps = Callable[[object], Awaitable[None]]
SHOTS: dict[str, tuple[str, ...]] = {
    "dashboard": (),
    "queue-detail": ("down", "enter"),
    "agents": ("3",),
    "calls": ("4",),
    "system": ("5",),
    "wall": ("w",),
    "help": ("question_mark",),
}


async def shoot(
    name: str,
    keys: tuple[str, ...],
    size: tuple[int, int],
    out: Path,
    app_factory: Callable[[], object] = make_app,
) -> Path:
    app = app_factory()
    async with app.run_test(size=size) as pilot:  # type: ignore[attr-defined]
        await pilot.pause()
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
        app.refresh_now(tick=True)  # type: ignore[attr-defined]
        await pilot.pause()
        path = out / f"{name}.svg"
        app.save_screenshot(str(path))  # type: ignore[attr-defined]
    return path
