"""Serve browsers until told to stop: the part of `wallboard serve` below the command line.

`serve(config, target, stop)` listens, prints the command's first line on
stdout, `wallboard serve: listening on http://HOST:PORT` (like the hub's,
so scripts and tests can start it on port 0), and serves until `stop` is
set; every tab's process is gone when it returns. One line per screen
opened and closed goes to stderr; no line ever holds a token (the URL's
query is never logged). What the tabs view (`target`) is decided above,
in `wallboard/cli/run_serve.py`: a hub given with `--hub`, or the demo's.
"""

from __future__ import annotations

import asyncio
import logging
import sys

from wallboard.errors import UsageError
from wallboard.serve.child import HubTarget
from wallboard.serve.server import ServeConfig, WallServer


def setup_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("wallboard serve: %(message)s"))
    logger = logging.getLogger("wallboard.serve")
    logger.handlers[:] = [handler]
    logger.setLevel(logging.INFO)
    logger.propagate = False
    # textual-serve logs with tracebacks and locals; what matters is logged by us.
    logging.getLogger("textual-serve").setLevel(logging.CRITICAL)


async def serve(config: ServeConfig, target: HubTarget, stop: asyncio.Event) -> int:
    """Listen, say where, serve until `stop`; exit status 0."""
    if stop.is_set():  # told to stop before anything listened (a signal during start-up)
        return 0
    server = WallServer(config, target)
    try:
        url = await server.start()
    except OSError as exc:
        raise UsageError(
            f"cannot listen on {config.host}:{config.port}: {exc.strerror or exc}"
        ) from None
    print(f"wallboard serve: listening on {url}", flush=True)
    try:
        await stop.wait()
    finally:
        await server.stop()
    return 0


__all__ = ["serve", "setup_logging"]
