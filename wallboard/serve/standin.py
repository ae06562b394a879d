"""What a demo tab runs until `wallboard view` and the in-process demo hub exist.

`python -m wallboard.serve.standin [--page P] [--wall] [--theme T] [--bell] [--queues LIST]`
is `wallboard demo` (the simulator and the live client over a real socket)
with the kiosk options `wallboard view` is to accept, applied once the app
is up. `--queues` scopes the board the way the hub scopes a token with
`--queues`: only those queues and their agents are subscribed to.

When `serve --demo` starts a hub fed by the simulator, `child_command()`
builds `wallboard view` for demo tabs too and this module goes away.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from typing import Any

from wallboard.cli.run_tui import demo_feed
from wallboard.config import load_config
from wallboard.model.state import WallboardState
from wallboard.serve.kiosk import PAGES
from wallboard.sim import SimConfig
from wallboard.sim.accounts import Roster
from wallboard.ui.app import WallboardApp


class KioskApp(WallboardApp):
    """The demo app that opens on the page, mode and theme of its kiosk URL."""

    def __init__(
        self, *args: Any, page: str | None, wall: bool, theme: str | None, **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        self._kiosk = (page, wall, theme)

    def on_mount(self) -> None:
        # Runs after WallboardApp.on_mount (Textual calls each class's handler, base first).
        page, wall, theme = self._kiosk
        if theme is not None:
            if theme in self.available_themes:
                self.theme = theme
            else:
                self.notify(f"unknown theme {theme!r}", severity="warning", timeout=10)
        if page is not None:
            self.action_page(PAGES.index(page) + 1)
        if wall:
            self.call_after_refresh(self.action_wall)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m wallboard.serve.standin")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--page", choices=PAGES)
    p.add_argument("--wall", action="store_true")
    p.add_argument("--theme")
    p.add_argument("--bell", action="store_true")
    p.add_argument("--queues", help="scope: only these queues and their agents")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    thresholds = load_config(None).thresholds
    config = SimConfig(dialect="v12", agents=40, queues=4, seed=args.seed, host="127.0.0.1")
    scope = [q for q in (args.queues or "").split(",") if q] or None

    def on_client(client: Any) -> None:
        if scope is not None:
            roster = Roster(config.agents, config.queues)
            client.settings.queues = list(scope)
            client.settings.extensions = [
                ext for q in scope for ext in roster.agents_of_queue.get(q, [])
            ] or ["none"]

    state = WallboardState(clock=time.time, sla_seconds=thresholds.sla_seconds)
    label = f"demo v12 seed {args.seed}" + (f" · queues {args.queues}" if scope else "")
    app = KioskApp(
        state,
        feed=demo_feed(config, on_client=on_client),
        feed_label=label,
        thresholds=thresholds,
        bell=args.bell,
        page=args.page,
        wall=args.wall,
        theme=args.theme,
    )
    app.run()
    return 0 if app.return_code is None else int(app.return_code)


if __name__ == "__main__":
    raise SystemExit(main())
