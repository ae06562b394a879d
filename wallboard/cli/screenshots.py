"""Render the README / docs screenshots (SVG) from a fixed replay, deterministically.

    python -m wallboard.cli.screenshots [--replay FILE] [--out screenshots]

The command line of `wallboard.ui.screenshots`, which renders (and which the
UI tests use): argparse belongs to `cli`. A developer's tool, not a
`wallboard` command: its default replay and output are in the source tree.
The time zone is fixed to UTC here, before the first shot, so a clock on
screen reads the same on every machine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from pathlib import Path

from wallboard.ui.screenshots import DEFAULT_REPLAY, REPO, SHOTS, make_app, shoot


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m wallboard.cli.screenshots", description=__doc__.splitlines()[0]
    )
    p.add_argument("--replay", type=Path, default=DEFAULT_REPLAY, help="the recording to show")
    p.add_argument("--out", type=Path, default=REPO / "screenshots")
    p.add_argument("--width", type=int, default=160)
    p.add_argument("--height", type=int, default=50)
    a = p.parse_args(argv)
    os.environ["TZ"] = "UTC"
    time.tzset()
    a.out.mkdir(parents=True, exist_ok=True)
    replay: Path = a.replay

    def app() -> object:
        return make_app(replay, f"replay {replay.name}")

    for name, keys in SHOTS.items():
        print(asyncio.run(shoot(name, keys, (a.width, a.height), a.out, app)))
    print(asyncio.run(shoot("dashboard-80x24", (), (80, 24), a.out, app)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
