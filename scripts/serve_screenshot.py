"""The README's picture of the wall in a browser: `wallboard serve --demo` in headless Chromium
(a 1600x900 page: the cell size the README's per-tab cost is measured at).

    python scripts/serve_screenshot.py [--out screenshots/serve-browser.png] [--url-query 'wall=1']
                                       [--wait 25] [--reconnecting PATH]

Needs Debian's `chromium`. Waits `--wait` seconds for the simulator's traffic
to fill the board, then takes the shot. `--reconnecting PATH` also stops the
server and shoots the page while it says "reconnecting".
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from browser_helpers import Browser  # noqa: E402
from serve_helpers import ServeProcess  # noqa: E402


async def main(args: argparse.Namespace) -> None:
    async with ServeProcess("--demo") as serve, Browser(args.width, args.height) as b:
        await b.goto(f"{serve.url}/?{args.url_query}")
        await b.wait_js("window.wallboard && wallboard.state === 'connected'", 60)
        await asyncio.sleep(args.wait)
        await b.screenshot(Path(args.out))
        print(f"wrote {args.out}")
        if args.reconnecting:
            await serve.stop()
            await b.wait_js("wallboard.state === 'reconnecting'", 15)
            await asyncio.sleep(0.6)
            await b.screenshot(Path(args.reconnecting))
            print(f"wrote {args.reconnecting}")


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--out", default=str(REPO / "screenshots" / "serve-browser.png"))
    p.add_argument("--url-query", default="")
    p.add_argument("--wait", type=float, default=25.0)
    p.add_argument("--width", type=int, default=1600)
    p.add_argument("--height", type=int, default=900)
    p.add_argument("--reconnecting", metavar="PATH")
    asyncio.run(main(p.parse_args()))
