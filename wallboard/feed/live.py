"""From connection flags (+ the config file) to a running live client.

`settings_from_flags(flags, config)` is what every live command calls before
anything else: it merges the flags over the config, validates, prints
warnings and asks for the password if it must (a prompt needs the terminal,
so this cannot happen once Textual owns it). `snapshot_live` and
`record_live` are the headless commands' cores. The command line itself
(argparse) is `wallboard.cli`'s; here flags are a typed `ConnectFlags`.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from wallboard.config import Config, load_config
from wallboard.errors import ConnectFailed, UsageError, WallboardError
from wallboard.feed.client import LiveClient, LiveSettings
from wallboard.feed.flags import ConnectFlags
from wallboard.feed.livesettings import build_ssl_context, check_url
from wallboard.feed.namefile import load_overrides
from wallboard.feed.names import NamesTask, rest_client_for
from wallboard.feed.recorder import Recorder
from wallboard.feed.secrets import resolve_password, warn
from wallboard.model import WallboardState, state_document
from wallboard.protocol.commands import dialect_for_url, expand_list

_LOOPBACK = {"localhost", "127.0.0.1", "::1"}


class Interrupted(WallboardError):
    """Ctrl+C / SIGTERM before there was anything to show (the shell's 128 + SIGINT)."""

    exit_code = 130


def _list(text: str | None, what: str) -> list[str]:
    try:
        return expand_list(text)
    except ValueError as exc:
        raise UsageError(f"{what}: {exc}") from None


def settings_from_flags(
    flags: ConnectFlags,
    config: Config | None = None,
    *,
    interactive: bool | None = None,
    announce: bool = True,
) -> LiveSettings:
    """Merge flags over the config file, validate, and fetch the password (last).

    Everything that can be wrong with the command line is reported before the
    password prompt, so nobody types a password only to hear the URL is bad.
    """
    cfg = config if config is not None else load_config(flags.config)
    url = flags.url or cfg.url
    if not url:
        raise UsageError(
            "no PBX URL: give one (ws://HOST:PORT or wss://...) or set url in the config file"
        )
    check_url(url)
    dialect = dialect_for_url(url, flags.dialect or cfg.dialect or "auto")

    user, extension = flags.user, flags.extension
    if not user and not extension:
        user, extension = cfg.user, cfg.extension
    if not user and not extension:
        raise UsageError(
            "who to log in as: give --user NAME or --extension NUMBER (or set it in the config file)"
        )
    domain = flags.domain or cfg.domain
    extensions = _list(flags.extensions or cfg.extensions, "--extensions")
    queues = _list(flags.queues or cfg.queues, "--queues")
    tenants = _list(flags.tenants or cfg.tenants, "--tenants")
    if tenants and dialect != "v22":
        raise UsageError(f"--tenants is for v22 system admins; this connection speaks {dialect}")
    if dialect == "v22" and user and not domain and not tenants and not cfg.topics:
        raise UsageError(
            "a v22 system admin (no --domain) subscribes to global_* topics, "
            "which need --tenants ID[,ID...]"
        )

    secure = urlsplit(url).scheme == "wss"
    insecure_flag = flags.insecure
    insecure = bool(insecure_flag if insecure_flag is not None else cfg.insecure)
    ca_file = flags.ca_file or cfg.ca_file
    if ca_file and insecure:
        raise UsageError("--ca-file and --insecure contradict each other: choose one")
    ssl_context = build_ssl_context(url, ca_file, insecure)

    if flags.password_env or flags.password_file:
        pw_env, pw_file = flags.password_env, flags.password_file
    else:
        pw_env, pw_file = cfg.password_env, cfg.password_file
    if announce:
        host = urlsplit(url).hostname or ""
        if not secure and (ca_file or insecure):
            warn("--ca-file / --insecure have no effect on a ws:// (unencrypted) URL")
        if not secure and host not in _LOOPBACK and not host.startswith("127."):
            warn(f"ws:// is unencrypted: the password travels in clear text to {host}")
        if secure and insecure:
            warn(
                "--insecure: the PBX certificate is NOT verified; "
                "anyone on the network path could read the password"
            )
    password = resolve_password(pw_env, pw_file, interactive=interactive)

    settings = LiveSettings(
        url=url,
        dialect=dialect,
        password=password,
        user=user,
        extension=extension,
        domain=domain,
        extensions=extensions,
        queues=queues,
        tenants=tenants,
        topics=list(cfg.topics) if cfg.topics else None,
        ca_file=ca_file,
        insecure=insecure,
        ssl_context=ssl_context,
    )
    if cfg.stale_after is not None:
        settings.stale_after = cfg.stale_after
    if cfg.ping_interval is not None:
        settings.ping_interval = cfg.ping_interval or None
    if cfg.ping_timeout is not None:
        settings.ping_timeout = cfg.ping_timeout or None
    return settings


def live_client(
    settings: LiveSettings,
    state: WallboardState,
    *,
    record: str | None = None,
    on_change: Callable[[], None] | None = None,
    on_event: Callable[[object], None] | None = None,
) -> LiveClient:
    """A ready LiveClient for the TUI (call before the TUI takes the terminal).

    With `record` the client also writes a recording; the file is opened here
    (so a bad path is a usage error now) and closed when `run()` ends.
    """
    recorder: Recorder | None = None
    if record:
        recorder = Recorder(record, dialect=settings.dialect, source=settings.url)
    if state.clock_fn is None:
        state.clock_fn = time.time
    client = LiveClient(
        settings,
        state,
        on_change=on_change,
        on_frame=recorder.write if recorder else None,
        on_event=on_event,
    )
    if recorder is not None:
        client.closers.append(recorder.close)
    return client


def names_task(settings: LiveSettings, state: WallboardState) -> NamesTask | None:
    """Names from the PBX's REST API (v22; same credentials and TLS), or None.

    Its notices go to the event log; the WebSocket feed never waits for it.
    Start it with `.start()` on the feed's loop and give `.watch` to the
    client as `on_event`; `await .stop()` when the feed ends.
    """
    rest = rest_client_for(settings)
    if rest is None:
        return None
    return NamesTask(
        rest,
        state.names,
        on_changed=state.names_changed,
        on_notice=state.notice,
        tenants=settings.tenants,
        system_admin=settings.system_admin,
    )


def name_overrides(config: Config, path: str | None) -> dict[str, str]:
    """The names that win over the PBX (config `[names]`, then `--names FILE`); warns on bad lines."""
    return load_overrides(config.names, path, warn)


def stderr_line(text: str) -> None:
    print(f"wallboard: {text}", file=sys.stderr, flush=True)


def install_signals(stop: Callable[[], None]) -> list[int]:
    """Ctrl+C and SIGTERM end a headless command cleanly (exit 0 for `record`)."""
    loop = asyncio.get_running_loop()
    installed: list[int] = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop)
            installed.append(sig)
    return installed


def remove_signals(installed: list[int]) -> None:
    loop = asyncio.get_running_loop()
    for sig in installed:
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.remove_signal_handler(sig)


async def snapshot_live(
    settings: LiveSettings,
    wait: float,
    *,
    state: WallboardState | None = None,
    on_status: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Connect, collect `wait` seconds after subscribing, return the state document.

    The document is taken while the connection is still up, so its status is
    the truth at that moment ("connected", or "reconnecting" after a drop).

    Gives up (ConnectFailed) when not subscribed within `wait` seconds (or the
    open timeout, for `--wait 0`); raises AuthRejected on rejected credentials.
    """
    state = state if state is not None else WallboardState(clock=time.time)
    client = LiveClient(settings, state, on_status=on_status)
    runner = asyncio.create_task(client.run(wait_on_fatal=False))
    installed = install_signals(client.stop)
    try:
        give_up = wait if wait > 0 else settings.open_timeout
        subscribed = asyncio.create_task(client.subscribed.wait())
        done, _ = await asyncio.wait(
            {runner, subscribed}, timeout=give_up, return_when=asyncio.FIRST_COMPLETED
        )
        subscribed.cancel()
        if runner in done:
            runner.result()  # raises the fatal error
            if client.stopping:
                raise Interrupted("interrupted before the PBX answered")
            raise ConnectFailed("the connection ended before subscribing")
        if not client.subscribed.is_set():
            last = state.source.last_error or "no answer"
            raise ConnectFailed(f"could not connect within {give_up:g} s: {last}")
        done, _ = await asyncio.wait({runner}, timeout=wait)
        if runner in done:
            runner.result()
        state.tick()
        return state_document(state)
    finally:
        remove_signals(installed)
        if not runner.done():
            client.stop()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await runner


def live_state(config: Config) -> WallboardState:
    """A model for a live source: wall-clock "now", the config's targets, calendar and names."""
    return config.new_state(clock=time.time)


async def record_live(
    settings: LiveSettings,
    path: str,
    *,
    on_status: Callable[[str], None] | None = stderr_line,
    stop_after: float | None = None,
) -> int:
    """Record until stopped (signal) or `stop_after` seconds; returns frames written."""
    recorder = Recorder(path, dialect=settings.dialect, source=settings.url)
    state = WallboardState(clock=time.time)
    client = LiveClient(settings, state, on_frame=recorder.write, on_status=on_status)
    client.closers.append(recorder.close)
    installed = install_signals(client.stop)
    timer = None
    if stop_after is not None:
        timer = asyncio.get_running_loop().call_later(stop_after, client.stop)
    try:
        await client.run(wait_on_fatal=False)
    finally:
        if timer is not None:
            timer.cancel()
        remove_signals(installed)
        recorder.close()
    return recorder.frames


__all__ = [
    "ConnectFlags",
    "Interrupted",
    "install_signals",
    "live_client",
    "live_state",
    "name_overrides",
    "names_task",
    "record_live",
    "remove_signals",
    "settings_from_flags",
    "snapshot_live",
    "stderr_line",
]
