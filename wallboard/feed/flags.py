"""What a command line said about a PBX connection, as a typed value (no argparse below cli)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ConnectFlags:
    """What the command line said about the PBX connection; None = not given (ask the config)."""

    url: str | None = None
    dialect: str | None = None
    user: str | None = None
    extension: str | None = None
    domain: str | None = None
    extensions: str | None = None
    queues: str | None = None
    tenants: str | None = None
    password_env: str | None = None
    password_file: str | None = None
    ca_file: str | None = None
    insecure: bool | None = None
    config: str | None = None


__all__ = ["ConnectFlags"]
