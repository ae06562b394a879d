"""Each command's options as typed values: what `main.py` builds from argparse for a runner.

Kept free of heavy imports: the parser imports this module for every command.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from wallboard.feed.flags import ConnectFlags


@dataclass(frozen=True, slots=True)
class UiOptions:
    bell: bool = False
    config: str | None = None
    names: str | None = None  # --names FILE
    page: str | None = None  # the page to open on (a kiosk's start-up)
    wall: bool = False  # open in wall mode
    theme: str | None = None  # an unknown theme is a warning, never an exit


@dataclass(frozen=True, slots=True)
class StoreOptions:
    """`--db PATH` / `--no-db` (which file keeps the day of record, if any)."""

    db: str | None = None
    no_db: bool = False


@dataclass(frozen=True, slots=True)
class DemoOptions:
    dialect: str = "v12"
    agents: int = 40
    queues: int = 4
    seed: int = 1
    speed: float = 1.0
    rate: float | None = None
    ui: UiOptions = field(default_factory=UiOptions)


@dataclass(frozen=True, slots=True)
class ReplayOptions:
    file: str
    speed: float = 1.0
    ui: UiOptions = field(default_factory=UiOptions)
    store: StoreOptions = field(default_factory=StoreOptions)


@dataclass(frozen=True, slots=True)
class ConnectOptions:
    flags: ConnectFlags
    record: str | None = None
    ui: UiOptions = field(default_factory=UiOptions)
    store: StoreOptions = field(default_factory=StoreOptions)


@dataclass(frozen=True, slots=True)
class SnapshotOptions:
    flags: ConnectFlags
    replay: str | None = None
    wait: float = 5.0
    names: str | None = None
    store: StoreOptions = field(default_factory=StoreOptions)


@dataclass(frozen=True, slots=True)
class TokenSource:
    """Where a hub token comes from: `--token-file PATH`, else `--token-env VAR`."""

    env: str | None = None  # None: WALLBOARD_TOKEN, if set
    file: str | None = None


@dataclass(frozen=True, slots=True)
class HubTlsOptions:
    """How a viewer trusts a hub served over https://."""

    ca_file: str | None = None
    insecure: bool = False


@dataclass(frozen=True, slots=True)
class HubOptions:
    flags: ConnectFlags
    listen: str | None = None
    tokens: str | None = None
    db: str | None = None
    no_db: bool = False
    tls_cert: str | None = None
    tls_key: str | None = None
    max_viewers: int = 200
    names: str | None = None  # --names FILE


@dataclass(frozen=True, slots=True)
class HubTokenOptions:
    action: str  # add | list | revoke
    tokens: str
    name: str | None = None
    queues: str | None = None


@dataclass(frozen=True, slots=True)
class ViewOptions:
    url: str
    token: TokenSource = field(default_factory=TokenSource)
    tls: HubTlsOptions = field(default_factory=HubTlsOptions)
    ui: UiOptions = field(default_factory=UiOptions)


@dataclass(frozen=True, slots=True)
class HubSnapshotOptions:
    url: str
    token: TokenSource = field(default_factory=TokenSource)
    tls: HubTlsOptions = field(default_factory=HubTlsOptions)
    wait: float = 5.0


@dataclass(frozen=True, slots=True)
class RecordOptions:
    flags: ConnectFlags
    output: str


@dataclass(frozen=True, slots=True)
class ReportOptions:
    kind: str  # intervals | agents | calls | abandoned
    db: str | None = None
    date: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    queues: str | None = None
    format: str | None = None  # None: table on a terminal, csv otherwise
    config: str | None = None


__all__ = [
    "ConnectFlags",
    "ConnectOptions",
    "DemoOptions",
    "HubOptions",
    "HubSnapshotOptions",
    "HubTlsOptions",
    "HubTokenOptions",
    "RecordOptions",
    "ReplayOptions",
    "ReportOptions",
    "SnapshotOptions",
    "StoreOptions",
    "TokenSource",
    "UiOptions",
    "ViewOptions",
]
