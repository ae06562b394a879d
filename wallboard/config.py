"""The TOML config file: where the wallboard connects, as whom, and its alert thresholds.

A wallboard runs unattended for weeks, so its settings belong in a file rather
than a shell history. The file never holds a password: it names where the
password comes from (`password_env`, `password_file`), and a `password` key is
refused outright so nobody is tempted. Unknown keys are errors, because a typo
in a threshold name would otherwise silently keep the default.

Flags override the file; the merge happens in `wallboard.feed.live`. The TUI
reads `Config.thresholds`. No Textual and no websockets here.
"""

from __future__ import annotations

import os
import sys
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from wallboard.errors import UsageError

APP_NAME = "wallboard"
CONFIG_NAME = "config.toml"
DIALECT_CHOICES = ("auto", "v12", "v16", "v22")


@dataclass(frozen=True, slots=True)
class Thresholds:
    """When a number on the wall turns amber (warn) or red (crit).

    Counts and seconds go bad when they rise; the service level goes bad when
    it falls, so its warn value is above its crit value.
    """

    waiting_warn: int = 3
    waiting_crit: int = 6
    longest_wait_warn: float = 30.0
    longest_wait_crit: float = 60.0
    service_level_warn: float = 80.0
    service_level_crit: float = 60.0
    sla_seconds: float | None = None  # None: the PBX's per-queue value, else 20 s

    def waiting_level(self, waiting: int) -> str:
        """'ok' | 'warn' | 'crit' for the number of callers waiting."""
        return _rising(waiting, self.waiting_warn, self.waiting_crit)

    def longest_wait_level(self, seconds: float) -> str:
        """'ok' | 'warn' | 'crit' for the longest current wait."""
        return _rising(seconds, self.longest_wait_warn, self.longest_wait_crit)

    def service_level_level(self, pct: float | None) -> str:
        """'ok' | 'warn' | 'crit' for a service level; unknown (None) is 'ok'."""
        if pct is None:
            return "ok"
        if pct < self.service_level_crit:
            return "crit"
        if pct < self.service_level_warn:
            return "warn"
        return "ok"


def _rising(value: float, warn: float, crit: float) -> str:
    if value >= crit:
        return "crit"
    if value >= warn:
        return "warn"
    return "ok"


@dataclass(frozen=True, slots=True)
class Config:
    """Everything the config file may say; None means "not set here"."""

    path: Path | None = None
    url: str | None = None
    dialect: str | None = None
    user: str | None = None
    extension: str | None = None
    domain: str | None = None
    password_env: str | None = None
    password_file: str | None = None
    ca_file: str | None = None
    insecure: bool | None = None
    extensions: str | None = None  # the CLI syntax: "101,102,110-119"
    queues: str | None = None
    tenants: str | None = None
    topics: tuple[str, ...] | None = None
    stale_after: float | None = None
    ping_interval: float | None = None
    ping_timeout: float | None = None
    thresholds: Thresholds = field(default_factory=Thresholds)


def default_config_path() -> Path:
    """The platform's per-user config location (XDG on Linux, Application Support, APPDATA)."""
    if sys.platform == "win32":
        base = os.environ.get("APPDATA") or str(Path.home() / "AppData" / "Roaming")
        return Path(base) / APP_NAME / CONFIG_NAME
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / APP_NAME / CONFIG_NAME
    xdg = os.environ.get("XDG_CONFIG_HOME")
    base_path = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".config"
    return base_path / APP_NAME / CONFIG_NAME


# Which keys each table accepts, and the Config field each one fills.
_TOP = {"url": "url", "dialect": "dialect"}
_TABLES: dict[str, dict[str, str]] = {
    "identity": {
        "user": "user",
        "extension": "extension",
        "domain": "domain",
        "password_env": "password_env",
        "password_file": "password_file",
    },
    "tls": {"ca_file": "ca_file", "insecure": "insecure"},
    "subscriptions": {
        "extensions": "extensions",
        "queues": "queues",
        "tenants": "tenants",
        "topics": "topics",
    },
    "connection": {
        "stale_after": "stale_after",
        "ping_interval": "ping_interval",
        "ping_timeout": "ping_timeout",
    },
}
_STR_FIELDS = {
    "url",
    "dialect",
    "user",
    "extension",
    "domain",
    "password_env",
    "password_file",
    "ca_file",
}
_LIST_FIELDS = {"extensions", "queues", "tenants"}
_SECONDS_FIELDS = {"stale_after", "ping_interval", "ping_timeout"}
_SECRET_KEYS = {"password", "passwd", "secret", "pass"}


class _Bad(Exception):
    """One problem in the file; becomes a UsageError naming the file."""


def _where(table: str | None, key: str) -> str:
    return f"{table}.{key}" if table else key


def _check_secret(table: str | None, data: dict[str, Any]) -> None:
    for key in data:
        if key.lower() in _SECRET_KEYS:
            raise _Bad(
                f"{_where(table, key)}: a password does not belong in the config file; "
                "use password_env (default WALLBOARD_PASSWORD) or password_file"
            )


def _as_text(where: str, value: Any) -> str:
    if type(value) is str:
        return value
    if type(value) is int:
        return str(value)  # an extension number written without quotes
    raise _Bad(f"{where}: expected a string, got {type(value).__name__}")


def _as_list_text(where: str, value: Any) -> str:
    """`extensions = "101-110"` and `extensions = ["101", 102, "110-119"]` both work."""
    if type(value) is list:
        return ",".join(_as_text(where, v) for v in value)
    return _as_text(where, value)


def _as_seconds(where: str, value: Any) -> float:
    if type(value) in (int, float) and value >= 0 and value != float("inf"):
        return float(value)
    raise _Bad(f"{where}: expected a number of seconds >= 0, got {value!r}")


def _convert(name: str, where: str, value: Any) -> Any:
    if name in _STR_FIELDS:
        text = _as_text(where, value)
        if name == "dialect" and text not in DIALECT_CHOICES:
            raise _Bad(f"{where}: must be one of {', '.join(DIALECT_CHOICES)}, got {text!r}")
        return text
    if name in _LIST_FIELDS:
        return _as_list_text(where, value)
    if name == "topics":
        if type(value) is not list or not all(type(v) is str and v for v in value):
            raise _Bad(f"{where}: expected a list of topic names")
        return tuple(value)
    if name == "insecure":
        if type(value) is not bool:
            raise _Bad(f"{where}: expected true or false")
        return value
    if name in _SECONDS_FIELDS:
        return _as_seconds(where, value)
    raise AssertionError(name)  # pragma: no cover


def _thresholds(data: Any) -> Thresholds:
    if type(data) is not dict:
        raise _Bad("thresholds: expected a table")
    known = {f.name for f in fields(Thresholds)}
    values: dict[str, Any] = {}
    for key, value in data.items():
        where = f"thresholds.{key}"
        if key not in known:
            raise _Bad(f"{where}: unknown key (known: {', '.join(sorted(known))})")
        if type(value) not in (int, float) or value < 0 or value != value:
            raise _Bad(f"{where}: expected a number >= 0, got {value!r}")
        values[key] = int(value) if key.startswith("waiting_") else float(value)
    t = Thresholds(**values)
    if t.waiting_warn > t.waiting_crit:
        raise _Bad("thresholds: waiting_warn must not exceed waiting_crit")
    if t.longest_wait_warn > t.longest_wait_crit:
        raise _Bad("thresholds: longest_wait_warn must not exceed longest_wait_crit")
    if t.service_level_warn < t.service_level_crit:
        raise _Bad("thresholds: service_level_warn must not be below service_level_crit")
    if t.sla_seconds is not None and t.sla_seconds <= 0:
        raise _Bad("thresholds: sla_seconds must be > 0")
    return t


def parse_config(data: dict[str, Any], path: Path | None = None) -> Config:
    """Validate a decoded TOML document; raises UsageError naming the file and the key."""
    label = str(path) if path else "config"
    try:
        values: dict[str, Any] = {}
        _check_secret(None, data)
        for key, value in data.items():
            if key in _TOP:
                values[_TOP[key]] = _convert(_TOP[key], key, value)
            elif key in _TABLES:
                if type(value) is not dict:
                    raise _Bad(f"{key}: expected a table [{key}]")
                _check_secret(key, value)
                allowed = _TABLES[key]
                for sub, subvalue in value.items():
                    if sub not in allowed:
                        raise _Bad(
                            f"{key}.{sub}: unknown key (known: {', '.join(sorted(allowed))})"
                        )
                    values[allowed[sub]] = _convert(allowed[sub], f"{key}.{sub}", subvalue)
            elif key == "thresholds":
                values["thresholds"] = _thresholds(value)
            else:
                known = sorted([*_TOP, *_TABLES, "thresholds"])
                raise _Bad(f"{key}: unknown key (known: {', '.join(known)})")
        if values.get("user") and values.get("extension"):
            raise _Bad("identity: set user or extension, not both")
    except _Bad as exc:
        raise UsageError(f"bad config file {label}: {exc}") from None
    return Config(path=path, **values)


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Read the config file.

    With `path` (from `--config`) the file must exist. Without it the platform
    default is read if it exists; a missing default file is an empty Config.
    Any problem raises UsageError (exit 2) with one line naming the file.
    """
    explicit = path is not None
    p = Path(path).expanduser() if explicit else default_config_path()  # type: ignore[arg-type]
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        if explicit:
            raise UsageError(f"cannot read config file {p}: no such file") from None
        return Config()
    except IsADirectoryError:
        raise UsageError(f"cannot read config file {p}: it is a directory") from None
    except PermissionError:
        raise UsageError(f"cannot read config file {p}: permission denied") from None
    except OSError as exc:
        raise UsageError(f"cannot read config file {p}: {exc.strerror or exc}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise UsageError(f"bad config file {p}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"bad config file {p}: {exc}") from None
    return parse_config(data, p)


__all__ = [
    "Config",
    "Thresholds",
    "default_config_path",
    "load_config",
    "parse_config",
]
