"""Where a store lives: one file per PBX login, in the platform's user data directory.

A wallboard watching two PBXs (or one PBX as two tenants) keeps two days of
record, so the default file is named for a *profile*: the PBX host, port
and who logs in. The password is never part of it (a file name is not a
secret), and neither is the URL's userinfo.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

APP_NAME = "wallboard"
SUFFIX = ".sqlite3"
_SAFE = re.compile(r"[^A-Za-z0-9._@-]+")
_MAX_NAME = 80


def data_dir() -> Path:
    """The per-user data directory (XDG_DATA_HOME on Linux, Application Support, LOCALAPPDATA)."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / APP_NAME
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / APP_NAME
    xdg = os.environ.get("XDG_DATA_HOME")
    base_path = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".local" / "share"
    return base_path / APP_NAME


def profile_name(url: str, identity: str) -> str:
    """`host_port_identity`, file-name safe; a short hash keeps names that were cleaned apart."""
    parts = urlsplit(url)
    host = (parts.hostname or "pbx").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is None:
        port = 443 if parts.scheme == "wss" else 80
    raw = f"{host}_{port}_{identity}"
    name = _SAFE.sub("-", raw).strip("-.") or "pbx"
    if name != raw or len(name) > _MAX_NAME:
        digest = hashlib.sha256(raw.encode()).hexdigest()[:8]
        name = f"{name[: _MAX_NAME - 9]}-{digest}"
    return name


def identity_of(user: str | None, extension: str | None, domain: str | None) -> str:
    """Who logs in, as it names a profile: `admin@demo.local`, `ext101@demo.local`, `sysadmin`."""
    who = user or (f"ext{extension}" if extension else "anonymous")
    return f"{who}@{domain}" if domain else who


def default_db_path(url: str, identity: str) -> Path:
    """`<user data dir>/wallboard/<profile>.sqlite3` for a PBX login (CONTRACT.md)."""
    return data_dir() / (profile_name(url, identity) + SUFFIX)


def db_path_from_options(db: str | None, no_db: bool, default: Path | None = None) -> Path | None:
    """`--db PATH` / `--no-db` / the command's default (None: no store unless --db)."""
    if no_db:
        return None
    if db:
        return Path(db).expanduser()
    return default


__all__ = [
    "SUFFIX",
    "data_dir",
    "db_path_from_options",
    "default_db_path",
    "identity_of",
    "profile_name",
]
