"""What one live connection to a PortSIP PBX needs, and the checks made before it starts.

Apart from the client: the command lines and the hub build and check these
(the URL, the CA file) before any connection exists, and a bad one is a
usage error, not a network matter. `LiveClient` reads nothing else.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from wallboard.errors import UsageError
from wallboard.feed.secrets import Secret, display_url
from wallboard.protocol.commands import Dialect, build_subscribe, default_topics

MiB = 1024 * 1024
# Topics whose events the `extensions` / `queues` / `tenants` filters narrow.
_EXTENSION_TOPICS = {"extension_events", "cdr_events"}
_QUEUE_TOPICS = {"queue_events"}


@dataclass(slots=True)
class LiveSettings:
    """Everything one live connection needs. The password is a masked `Secret`."""

    url: str
    dialect: Dialect
    password: Secret = field(repr=False)
    user: str | None = None
    extension: str | None = None
    domain: str | None = None
    extensions: list[str] = field(default_factory=list)
    queues: list[str] = field(default_factory=list)
    tenants: list[str] = field(default_factory=list)
    topics: list[str] | None = None  # None: default_topics() for who we are
    ca_file: str | None = None
    insecure: bool = False
    ssl_context: ssl.SSLContext | None = field(default=None, repr=False)
    open_timeout: float = 10.0  # TCP + TLS + HTTP upgrade
    close_timeout: float = 2.0  # a dead PBX must not hold up the reconnect
    reply_timeout: float = 10.0  # the PBX's answer to auth
    ping_interval: float | None = 20.0
    ping_timeout: float | None = 20.0
    max_size: int = 4 * MiB
    max_queue: int = 64
    backoff_base: float = 1.0
    backoff_max: float = 60.0
    backoff_jitter: float = 0.2
    stable_after: float = 30.0  # a connection that lasted this long resets the backoff
    stale_after: float = 60.0  # after a reconnect, unconfirmed calls age out after this
    mark_stale_on_reconnect: bool = True  # what the new session does not confirm is dropped
    max_auth_drops: int = 3  # closed right after auth this often in a row = rejected

    def __repr__(self) -> str:
        # Hand-written so neither the password nor a URL's userinfo can appear.
        who = f"user={self.user!r}" if self.user else f"extension={self.extension!r}"
        return (
            f"LiveSettings(url={self.shown_url!r}, dialect={self.dialect!r}, {who}, "
            f"domain={self.domain!r}, insecure={self.insecure}, password=***)"
        )

    @property
    def shown_url(self) -> str:
        """The URL without userinfo: the only form that may be displayed or recorded."""
        return display_url(self.url)

    @property
    def system_admin(self) -> bool:
        return self.dialect == "v22" and bool(self.user) and not self.domain

    def subscriptions(self) -> list[tuple[str, dict[str, Any]]]:
        """(name, command) per topic: one subscribe each, so one refused topic costs only itself."""
        topics = self.topics or default_topics(
            self.dialect, tenant_admin=bool(self.user), system_admin=self.system_admin
        )
        out: list[tuple[str, dict[str, Any]]] = []
        for topic in topics:
            base = topic.removeprefix("global_")
            cmd = build_subscribe(
                self.dialect,
                [topic],
                extensions=self.extensions if base in _EXTENSION_TOPICS else None,
                queues=self.queues if base in _QUEUE_TOPICS else None,
                tenants=self.tenants if topic.startswith("global_") else None,
            )
            out.append((f"subscribe {topic}", cmd))
        return out


def build_ssl_context(url: str, ca_file: str | None, insecure: bool) -> ssl.SSLContext | None:
    """The TLS context for a wss:// URL (None for ws://); a bad CA file is a usage error."""
    if urlsplit(url).scheme != "wss":
        return None
    ctx = ssl.create_default_context()
    if ca_file:
        try:
            ctx.load_verify_locations(cafile=ca_file)
        except FileNotFoundError:
            raise UsageError(f"cannot read CA file {ca_file}: no such file") from None
        except PermissionError:
            raise UsageError(f"cannot read CA file {ca_file}: permission denied") from None
        except (ssl.SSLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", None) or getattr(exc, "strerror", None) or exc
            raise UsageError(f"cannot use CA file {ca_file}: {reason}") from None
    if insecure:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    return ctx


def check_url(url: str) -> None:
    """A usable ws:// or wss:// URL, or a UsageError that shows it without userinfo."""
    from websockets.exceptions import InvalidURI
    from websockets.uri import parse_uri

    try:
        parts = urlsplit(url)
    except ValueError:
        raise UsageError(f"not a valid URL: {display_url(url)}") from None
    if parts.scheme not in ("ws", "wss"):
        raise UsageError(f"the PBX URL must start with ws:// or wss://, got {display_url(url)!r}")
    try:
        parse_uri(url)
    except InvalidURI:
        raise UsageError(f"not a valid WebSocket URL: {display_url(url)}") from None
    if not parts.hostname:
        raise UsageError(f"no host in URL {display_url(url)}")


__all__ = ["LiveSettings", "MiB", "build_ssl_context", "check_url"]
