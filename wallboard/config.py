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
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from wallboard.errors import UsageError
from wallboard.model.calendar import INTERVAL_CHOICES, Calendar, parse_timezone
from wallboard.model.state import WallboardState
from wallboard.model.targets import SL_DEFINITIONS, QueueTarget, Targets

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
    timezone: str | None = None  # IANA name; None: the machine's
    sl_definition: str | None = None
    short_abandon_seconds: float | None = None
    interval_minutes: int = 15
    keep_days: int = 400  # intervals and agent days in the store
    keep_call_days: int = 35  # finished calls in the store
    queue_targets: dict[str, QueueTarget] = field(default_factory=dict)
    queue_thresholds: dict[str, Thresholds] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)

    def targets(self) -> Targets:
        """What the model measures each queue against (config over PBX over defaults)."""
        kw: dict[str, Any] = {
            "sla_seconds": self.thresholds.sla_seconds,
            "queues": dict(self.queue_targets),
        }
        if self.sl_definition is not None:
            kw["sl_definition"] = self.sl_definition
        if self.short_abandon_seconds is not None:
            kw["short_abandon_seconds"] = self.short_abandon_seconds
        return Targets(**kw)

    def calendar(self) -> Calendar:
        tz = parse_timezone(self.timezone) if self.timezone else None
        return Calendar(tz=tz, interval_minutes=self.interval_minutes)

    def thresholds_for(self, number: str) -> Thresholds:
        return self.queue_thresholds.get(number, self.thresholds)

    def new_state(self, clock: Callable[[], float] | None = None) -> WallboardState:
        """A model measuring against this config's targets, on its calendar, with its names."""
        state = WallboardState(clock, targets=self.targets(), calendar=self.calendar())
        if self.names:
            state.names.set_overrides(self.names)
        return state


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
_TOP = {"url": "url", "dialect": "dialect", "timezone": "timezone"}
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
    "timezone",
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


_SPECIAL = ("service_level", "history", "names", "queues")


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
        if name == "timezone":
            try:
                parse_timezone(text)
            except ValueError as exc:
                raise _Bad(f"{where}: {exc}") from None
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


_THRESHOLD_KEYS = frozenset(f.name for f in fields(Thresholds))


def _number(where: str, value: Any) -> float:
    if type(value) not in (int, float) or value < 0 or value != value or value == float("inf"):
        raise _Bad(f"{where}: expected a number >= 0, got {value!r}")
    return float(value)


def _check_thresholds(t: Thresholds, where: str) -> Thresholds:
    if t.waiting_warn > t.waiting_crit:
        raise _Bad(f"{where}: waiting_warn must not exceed waiting_crit")
    if t.longest_wait_warn > t.longest_wait_crit:
        raise _Bad(f"{where}: longest_wait_warn must not exceed longest_wait_crit")
    if t.service_level_warn < t.service_level_crit:
        raise _Bad(f"{where}: service_level_warn must not be below service_level_crit")
    if t.sla_seconds is not None and t.sla_seconds <= 0:
        raise _Bad(f"{where}: sla_seconds must be > 0")
    return t


def _threshold_values(where: str, data: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, value in data.items():
        v = _number(f"{where}.{key}", value)
        values[key] = int(v) if key.startswith("waiting_") else v
    return values


def _thresholds(data: Any) -> Thresholds:
    if type(data) is not dict:
        raise _Bad("thresholds: expected a table")
    for key in data:
        if key not in _THRESHOLD_KEYS:
            raise _Bad(
                f"thresholds.{key}: unknown key (known: {', '.join(sorted(_THRESHOLD_KEYS))})"
            )
    return _check_thresholds(Thresholds(**_threshold_values("thresholds", data)), "thresholds")


def _definition(where: str, value: Any) -> str:
    if type(value) is not str or value not in SL_DEFINITIONS:
        raise _Bad(f"{where}: must be one of {', '.join(SL_DEFINITIONS)}, got {value!r}")
    return value


_QUEUE_TARGET_KEYS = {"sla_seconds", "short_abandon_seconds", "service_level_definition"}


def _queues(data: Any, base: Thresholds) -> tuple[dict[str, QueueTarget], dict[str, Thresholds]]:
    """`[queues."8001"]` tables: a queue's own targets and colour thresholds."""
    if type(data) is not dict:
        raise _Bad('queues: expected tables like [queues."8001"]')
    targets: dict[str, QueueTarget] = {}
    thresholds: dict[str, Thresholds] = {}
    known = sorted(_QUEUE_TARGET_KEYS | _THRESHOLD_KEYS)
    for number, table in data.items():
        where = f"queues.{number}"
        if type(table) is not dict:
            raise _Bad(f'{where}: expected a table [queues."{number}"]')
        own: dict[str, Any] = {}
        colours: dict[str, Any] = {}
        for key, value in table.items():
            if key == "service_level_definition":
                own["sl_definition"] = _definition(f"{where}.{key}", value)
            elif key == "short_abandon_seconds":
                own[key] = _number(f"{where}.{key}", value)
            elif key in _THRESHOLD_KEYS:
                colours[key] = value
                if key == "sla_seconds":
                    own[key] = _number(f"{where}.{key}", value)
            else:
                raise _Bad(f"{where}.{key}: unknown key (known: {', '.join(known)})")
        targets[str(number)] = QueueTarget(**own)
        merged = {f.name: getattr(base, f.name) for f in fields(Thresholds)}
        merged.update(_threshold_values(where, colours))
        thresholds[str(number)] = _check_thresholds(Thresholds(**merged), where)
    return targets, thresholds


def _names(data: Any) -> dict[str, str]:
    """`[names]`: "101" = "Alice Example" (wins over names from the PBX)."""
    if type(data) is not dict:
        raise _Bad('names: expected a table: [names] then "101" = "Alice Example"')
    out: dict[str, str] = {}
    for number, name in data.items():
        if type(name) is not str:
            raise _Bad(f"names.{number}: expected a string, got {type(name).__name__}")
        out[str(number)] = name
    return out


def _service_level(data: Any) -> dict[str, Any]:
    if type(data) is not dict:
        raise _Bad("service_level: expected a table")
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key == "definition":
            values["sl_definition"] = _definition(f"service_level.{key}", value)
        elif key == "short_abandon_seconds":
            values["short_abandon_seconds"] = _number(f"service_level.{key}", value)
        else:
            raise _Bad(
                f"service_level.{key}: unknown key (known: definition, short_abandon_seconds)"
            )
    return values


def _history(data: Any) -> dict[str, Any]:
    if type(data) is not dict:
        raise _Bad("history: expected a table")
    values: dict[str, Any] = {}
    for key, value in data.items():
        where = f"history.{key}"
        if key == "interval_minutes":
            if type(value) is not int or value not in INTERVAL_CHOICES:
                raise _Bad(f"{where}: must be one of 15, 30, 60, got {value!r}")
        elif key in ("keep_days", "keep_call_days"):
            if type(value) is not int or value < 1:
                raise _Bad(f"{where}: expected a whole number of days >= 1, got {value!r}")
        else:
            raise _Bad(f"{where}: unknown key (known: interval_minutes, keep_call_days, keep_days)")
        values[key] = value
    return values


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
            elif key in _SPECIAL:
                continue  # after the loop: [queues] inherits the final [thresholds]
            else:
                known = sorted([*_TOP, *_TABLES, "thresholds", *_SPECIAL])
                raise _Bad(f"{key}: unknown key (known: {', '.join(known)})")
        if "service_level" in data:
            values.update(_service_level(data["service_level"]))
        if "history" in data:
            values.update(_history(data["history"]))
        if "names" in data:
            values["names"] = _names(data["names"])
        if "queues" in data:
            base = values.get("thresholds", Thresholds())
            values["queue_targets"], values["queue_thresholds"] = _queues(data["queues"], base)
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
