"""Run a wallboard TUI command and leave at a milestone: the benchmark's stopwatch.

    python -m wallboard.bench.tui first-paint replay tiny.jsonl
    python -m wallboard.bench.tui replay-finished replay big.jsonl --speed 0

runs ``wallboard <command...>`` exactly as the CLI does, in this fresh
process, with two differences: the terminal is the benchmark driver (every
paint rendered to escape sequences, then discarded; see `driver.py`), and the
app prints ``wallboard-bench <milestone> <unix time>`` on stderr and exits at

- ``first-paint``: when the first screen has been composed and painted
  (Textual's Ready event, posted right after the first compositor refresh);
- ``replay-finished``: after the screen paint that follows the refresh which
  shows "replay finished" (every frame of the file applied).

The hook lives here, patched onto the app class, so the shipped app carries
no benchmark code. `wallboard bench ui` measures the process from spawn to
the printed time (start-up) or to exit (replay).
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any

MILESTONES = ("first-paint", "replay-finished")
DRIVER = "wallboard.bench.driver:NullTerminalDriver"


def _done(app: Any, milestone: str) -> None:
    # The app redirects print() while it runs: write to the real stderr.
    stream = sys.__stderr__
    if stream is not None:
        stream.write(f"wallboard-bench {milestone} {time.time():.6f}\n")
        stream.flush()
    app.exit(0)


def install(milestone: str) -> None:
    """Patch WallboardApp so it reports `milestone` and exits there."""
    from wallboard.ui.app import WallboardApp

    if milestone == "first-paint":

        def on_ready(self: Any) -> None:
            _done(self, milestone)

        WallboardApp.on_ready = on_ready  # type: ignore[attr-defined]
        return

    original = WallboardApp.refresh_now

    def refresh_now(self: Any, tick: bool = False) -> float:
        dt = original(self, tick)
        if self.state.source.status == "finished" and not getattr(self, "_bench_leaving", False):
            self._bench_leaving = True
            self.call_after_refresh(_done, self, milestone)
        return dt

    WallboardApp.refresh_now = refresh_now  # type: ignore[method-assign]


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in MILESTONES:
        print(f"usage: python -m wallboard.bench.tui {{{'|'.join(MILESTONES)}}} COMMAND...")
        return 2
    # Before Textual is imported: it reads these once.
    os.environ.setdefault("TEXTUAL_DRIVER", DRIVER)
    os.environ.setdefault("COLUMNS", "200")
    os.environ.setdefault("LINES", "60")
    install(args[0])
    from wallboard.cli import main as cli_main

    return cli_main(args[1:])


if __name__ == "__main__":
    raise SystemExit(main())
