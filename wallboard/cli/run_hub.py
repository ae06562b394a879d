"""Runners of `wallboard hub`, `hub token add|list|revoke` and `snapshot http(s)://…` (no Textual).

`run_hub` checks everything the command line says (listen address, token
file, TLS files, the password) before it listens, prints exactly one line
on stdout (`wallboard hub: listening on http://HOST:PORT`) and serves until
SIGINT/SIGTERM (exit 0). A PBX that rejects the credentials before the hub
ever got in ends it with exit status 3; a certificate that does not verify,
with 4. Status lines and viewers' comings and goings go to stderr; no line
ever holds a token or the password.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import sys
import time
import urllib.error
import urllib.request
from typing import Any

import orjson

from wallboard.cli.history import live_store_path, open_store, pumped
from wallboard.cli.options import (
    HubOptions,
    HubSnapshotOptions,
    HubTlsOptions,
    HubTokenOptions,
    StoreOptions,
)
from wallboard.config import Config, load_config
from wallboard.errors import AuthRejected, ConnectFailed, UsageError, WallboardError
from wallboard.feed.client import LiveSettings
from wallboard.feed.live import (
    install_signals,
    name_overrides,
    remove_signals,
    settings_from_flags,
)
from wallboard.feed.secrets import warn
from wallboard.feed.viewer import hub_urls, read_token
from wallboard.hub.journal import HubState, hub_state
from wallboard.hub.run import Hub
from wallboard.hub.server import HubConfig, is_loopback
from wallboard.hub.tokens import (
    TokenFile,
    add_token,
    list_tokens,
    parse_queue_list,
    revoke_token,
)

DEFAULT_LISTEN = "127.0.0.1:8890"


def parse_listen(text: str, example: str = "0.0.0.0:8890") -> tuple[str, int]:
    """`--listen HOST:PORT` (`[::1]:P` for IPv6; an empty host is 127.0.0.1)."""
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit() or int(port) > 65535:
        raise UsageError(f"--listen {text!r}: expected HOST:PORT, e.g. {example}")
    return host.strip("[]") or "127.0.0.1", int(port)


def server_tls(cert: str | None, key: str | None) -> ssl.SSLContext | None:
    if not cert and not key:
        return None
    if not cert or not key:
        raise UsageError("--tls-cert and --tls-key go together")
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        ctx.load_cert_chain(cert, key)
    except FileNotFoundError as exc:
        raise UsageError(f"cannot read {exc.filename}: no such file") from None
    except (ssl.SSLError, OSError) as exc:
        why = getattr(exc, "reason", None) or getattr(exc, "strerror", None) or type(exc).__name__
        raise UsageError(f"cannot use --tls-cert/--tls-key: {why}") from None
    return ctx


def client_tls(url: str, tls: HubTlsOptions) -> ssl.SSLContext | None:
    """How `view` / `snapshot` trust an https:// hub (a self-signed hub: --ca-file)."""
    if not url.lower().startswith(("https:", "wss:")):
        return None
    from wallboard.feed.livesettings import build_ssl_context

    if tls.insecure and tls.ca_file:
        raise UsageError("--ca-file and --insecure contradict each other: choose one")
    if tls.insecure:
        warn("--insecure: the hub's certificate is NOT verified")
    return build_ssl_context("wss://x", tls.ca_file, tls.insecure)


# ------------------------------------------------------------------- store
def hub_store(opts: HubOptions, state: HubState, config: Config, settings: LiveSettings) -> Any:
    """The hub's store (issue 11, "day of record"): today's totals across restarts.

    As for `connect`: the PBX login's default file, `--db PATH`, or none with
    `--no-db`. Opened before the hub starts, so today's totals are in the
    model (and in the first viewer's checkpoint) before anyone is served; a
    store written by a newer wallboard exits 2 here. `_serve` pumps it about
    once a second beside the hub, and it is closed (the last writes) last.
    """
    path = live_store_path(StoreOptions(db=opts.db, no_db=opts.no_db), settings)
    return open_store(path, state, config)


# --------------------------------------------------------------------- hub
def _setup_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("wallboard hub: %(message)s"))
    logger = logging.getLogger("wallboard.hub")
    logger.handlers[:] = [handler]
    logger.setLevel(logging.INFO)
    logger.propagate = False
    # websockets logs every refused handshake; what matters is logged by us.
    logging.getLogger("websockets").setLevel(logging.ERROR)


def _status_line(text: str) -> None:
    print(f"wallboard hub: {text}", file=sys.stderr, flush=True)


def run_hub(opts: HubOptions) -> int:
    config = load_config(opts.flags.config)
    host, port = parse_listen(opts.listen or DEFAULT_LISTEN)
    tokens = TokenFile(opts.tokens, label="wallboard hub") if opts.tokens else None
    tls = server_tls(opts.tls_cert, opts.tls_key)
    if tokens is None and not is_loopback(host):
        warn(
            f"no --tokens on {host}, which is not a loopback address: "
            "the hub serves only /healthz there; give --tokens FILE to serve viewers"
        )
    settings = settings_from_flags(opts.flags, config)  # may prompt for the password
    state = hub_state(config)
    state.names.set_overrides(name_overrides(config, opts.names))
    store = hub_store(opts, state, config, settings)
    hub_config = HubConfig(
        host=host, port=port, ssl_context=tls, tokens=tokens, max_viewers=opts.max_viewers
    )
    _setup_logging()
    try:
        return asyncio.run(_serve(settings, state, hub_config, config, store))
    finally:
        if store is not None:
            store.close()  # the last writes


async def _serve(
    settings: LiveSettings, state: HubState, cfg: HubConfig, config: Config, store: Any = None
) -> int:
    hub = Hub(settings, state, cfg, timezone=config.timezone, on_status=_status_line)
    try:
        url = await hub.start()
    except OSError as exc:
        raise UsageError(f"cannot listen on {cfg.host}:{cfg.port}: {exc.strerror or exc}") from None
    print(f"wallboard hub: listening on {url}", flush=True)
    stop = asyncio.Event()
    installed = install_signals(stop.set)
    failed = asyncio.create_task(hub.failed.wait())
    stopped = asyncio.create_task(stop.wait())
    until = asyncio.wait({failed, stopped}, return_when=asyncio.FIRST_COMPLETED)
    try:
        await pumped(store, until)  # the store writes about once a second, off the frame path
    finally:
        remove_signals(installed)
        failed.cancel()
        stopped.cancel()
        await hub.stop()
    if hub.failed.is_set() and hub.failure is not None:
        raise hub.failure
    return 0


# ------------------------------------------------------------------ tokens
def run_hub_token(opts: HubTokenOptions) -> int:
    if opts.action == "add":
        assert opts.name is not None
        token = add_token(opts.tokens, opts.name, parse_queue_list(opts.queues))
        sys.stdout.write(token + "\n")
        sys.stdout.flush()
        return 0
    if opts.action == "revoke":
        assert opts.name is not None
        revoke_token(opts.tokens, opts.name)
        print(
            f"wallboard: revoked {opts.name!r}; a running hub closes its viewers within a second",
            file=sys.stderr,
        )
        return 0
    entries = list_tokens(opts.tokens)
    if not entries:
        print(f"wallboard: no tokens in {opts.tokens}", file=sys.stderr)
        return 0
    width = max(4, *(len(e.info.name) for e in entries))
    print(f"{'NAME':<{width}}  {'CREATED':<19}  QUEUES")
    for e in entries:
        created = (
            time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(e.created)) if e.created else "?"
        )
        queues = ",".join(e.info.queues) if e.info.queues is not None else "(all)"
        print(f"{e.info.name:<{width}}  {created:<19}  {queues}")
    return 0


# ---------------------------------------------------------------- snapshot
def fetch_hub_state(url: str, token: Any, ctx: ssl.SSLContext | None, timeout: float) -> bytes:
    """GET /state with the token in the Authorization header; the contract's exit statuses."""
    base, _ws = hub_urls(url)
    req = urllib.request.Request(base + "/state", headers={"User-Agent": "wallboard-snapshot"})
    if token is not None:
        req.add_unredirected_header("Authorization", f"Bearer {token.reveal()}")
    try:
        with urllib.request.urlopen(req, timeout=timeout, context=ctx) as resp:
            return resp.read()
    except urllib.error.HTTPError as exc:
        if exc.code == 401:
            raise AuthRejected(f"the hub at {base} rejected the token") from None
        raise WallboardError(f"the hub at {base} answered HTTP {exc.code}") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, ssl.SSLCertVerificationError):
            why = reason.verify_message or "verification failed"
            raise ConnectFailed(
                f"the TLS certificate of {base} does not verify ({why}); "
                "use --ca-file PATH or --insecure"
            ) from None
        why = getattr(reason, "strerror", None) or str(reason)
        raise ConnectFailed(f"cannot reach the hub at {base}: {why}") from None
    except (TimeoutError, OSError) as exc:
        raise ConnectFailed(
            f"cannot reach the hub at {base}: {exc.strerror or 'timed out'}"
        ) from None


def run_hub_snapshot(opts: HubSnapshotOptions) -> int:
    token = read_token(opts.token.env, opts.token.file)
    ctx = client_tls(opts.url, opts.tls)
    body = fetch_hub_state(opts.url, token, ctx, max(1.0, opts.wait))
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise WallboardError("the hub's /state is not JSON") from None
    sys.stdout.buffer.write(orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n")
    sys.stdout.flush()
    return 0


__all__ = [
    "DEFAULT_LISTEN",
    "client_tls",
    "hub_store",
    "parse_listen",
    "run_hub",
    "run_hub_snapshot",
    "run_hub_token",
    "server_tls",
]
