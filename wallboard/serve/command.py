"""`wallboard serve`: options to a ServeConfig, then serve until SIGINT/SIGTERM.

Its first line on stdout is `wallboard serve: listening on http://HOST:PORT`
(like the hub's), so scripts and tests can start it on port 0. One line per
screen opened and closed goes to stderr; no line ever holds a token (the
URL's query is never logged).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys

from wallboard.errors import UsageError
from wallboard.feed.secrets import Secret
from wallboard.serve.child import TOKEN_ENV, DemoTarget, HubTarget, Target
from wallboard.serve.server import DEFAULT_MAX_TABS, ServeConfig, WallServer, is_loopback
from wallboard.serve.tokens import TokenFile

DEFAULT_LISTEN = "127.0.0.1:8000"


def parse_listen(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit() or int(port) > 65535:
        raise UsageError(f"--listen {text!r}: expected HOST:PORT, e.g. 0.0.0.0:8000")
    host = host.strip("[]") or "127.0.0.1"
    return host, int(port)


def read_token_file(path: str) -> Secret:
    """First line of the file (the hub's token for serve itself)."""
    try:
        with open(os.path.expanduser(path), encoding="utf-8") as f:
            line = f.readline().strip()
    except (OSError, UnicodeDecodeError) as exc:
        why = getattr(exc, "strerror", None) or "not readable UTF-8 text"
        raise UsageError(f"cannot read token file {path}: {why}") from None
    if not line:
        raise UsageError(f"token file {path}: the first line is empty")
    return Secret(line)


def _own_token(args: argparse.Namespace) -> tuple[Secret | None, frozenset[str]]:
    """serve's token for the hub, used by tabs whose browser brought none."""
    path = getattr(args, "token_file", None)
    if path:
        return read_token_file(path), frozenset()
    var = getattr(args, "token_env", None) or TOKEN_ENV
    value = os.environ.get(var)
    if getattr(args, "token_env", None) and not value:
        raise UsageError(f"environment variable {var} (from --token-env) is not set or empty")
    return (Secret(value) if value else None), frozenset({var})


def config_from_args(args: argparse.Namespace) -> ServeConfig:
    host, port = parse_listen(getattr(args, "listen", None) or DEFAULT_LISTEN)
    target: Target
    secret_vars: frozenset[str] = frozenset()
    if getattr(args, "demo", False):
        target = DemoTarget()
    elif getattr(args, "hub", None):
        token, secret_vars = _own_token(args)
        target = HubTarget(args.hub, token)
    else:
        raise UsageError("wallboard serve needs --hub URL or --demo")
    tokens_path = getattr(args, "tokens", None)
    tokens = TokenFile(tokens_path) if tokens_path else None
    if tokens is None and not is_loopback(host):
        raise UsageError(
            f"--listen {host}:{port} is not a loopback address: browsers there need a token; "
            "give --tokens FILE (the hub's token file)"
        )
    max_tabs = int(getattr(args, "max_tabs", None) or DEFAULT_MAX_TABS)
    if max_tabs < 1:
        raise UsageError("--max-tabs must be at least 1")
    return ServeConfig(
        target=target,
        host=host,
        port=port,
        tokens=tokens,
        max_tabs=max_tabs,
        bell=bool(getattr(args, "bell", False)),
        secret_vars=secret_vars,
    )


def _setup_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("wallboard serve: %(message)s"))
    logger = logging.getLogger("wallboard.serve")
    logger.handlers[:] = [handler]
    logger.setLevel(logging.INFO)
    logger.propagate = False
    # textual-serve logs with tracebacks and locals; what matters is logged by us.
    logging.getLogger("textual-serve").setLevel(logging.CRITICAL)


async def serve(config: ServeConfig) -> int:
    server = WallServer(config)
    try:
        url = await server.start()
    except OSError as exc:
        raise UsageError(
            f"cannot listen on {config.host}:{config.port}: {exc.strerror or exc}"
        ) from None
    print(f"wallboard serve: listening on {url}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await server.stop()
    return 0


def run_serve(args: argparse.Namespace) -> int:
    config = config_from_args(args)
    _setup_logging()
    return asyncio.run(serve(config))


__all__ = ["DEFAULT_LISTEN", "config_from_args", "parse_listen", "run_serve", "serve"]
