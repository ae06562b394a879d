"""Passwords and URLs: where a password may come from, and how it never leaks.

The password lives in a `Secret` whose repr/str are masked, so it cannot reach
a log line, a traceback's locals summary, an error message or a state
document by accident; only the code that builds the auth command calls
`reveal()`. URLs are shown with their userinfo removed.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from wallboard.errors import UsageError

DEFAULT_PASSWORD_ENV = "WALLBOARD_PASSWORD"


class Secret:
    """A string that refuses to be printed, pickled or compared by accident."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The clear text, for the one place that needs it: the auth command."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __reduce__(self) -> object:
        raise TypeError("a Secret cannot be pickled")

    def __bool__(self) -> bool:
        return bool(self._value)


def warn(message: str) -> None:
    """One warning line on stderr (headless commands, and before the TUI starts)."""
    print(f"wallboard: warning: {message}", file=sys.stderr, flush=True)


def display_url(url: str) -> str:
    """`ws://user:pw@host:1/x` → `ws://host:1/x`: never show credentials from a URL."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparsable URL>"
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def read_password_file(path: str) -> Secret:
    """First line of the file, newline stripped; warns when others can read it."""
    p = Path(path).expanduser()
    try:
        st = p.stat()
        if stat.S_ISDIR(st.st_mode):
            raise UsageError(f"cannot read password file {path}: it is a directory")
        with p.open("r", encoding="utf-8") as f:
            line = f.readline()
    except FileNotFoundError:
        raise UsageError(f"cannot read password file {path}: no such file") from None
    except PermissionError:
        raise UsageError(f"cannot read password file {path}: permission denied") from None
    except UnicodeDecodeError:
        raise UsageError(f"cannot read password file {path}: not UTF-8 text") from None
    except OSError as exc:
        raise UsageError(f"cannot read password file {path}: {exc.strerror or exc}") from None
    if os.name == "posix" and st.st_mode & (stat.S_IRGRP | stat.S_IROTH):
        warn(f"password file {path} is readable by other users; run: chmod 600 {path}")
    password = line.rstrip("\r\n")
    if not password:
        raise UsageError(f"password file {path}: the first line is empty")
    return Secret(password)


def resolve_password(
    password_env: str | None,
    password_file: str | None,
    *,
    interactive: bool | None = None,
    prompt: str = "PBX password: ",
) -> Secret:
    """Find the password: file, then environment variable, then a prompt on a terminal.

    `password_file` wins when given. An explicitly named `password_env` that
    is unset is an error (the user said where it is). The default variable
    WALLBOARD_PASSWORD is optional: without it we prompt, but only on a
    terminal; a script without a password gets a usage error, not a hang.
    """
    if password_file:
        return read_password_file(password_file)
    var = password_env or DEFAULT_PASSWORD_ENV
    value = os.environ.get(var)
    if value:
        return Secret(value)
    if password_env and password_env != DEFAULT_PASSWORD_ENV:
        raise UsageError(f"environment variable {var} (from --password-env) is not set or empty")
    if interactive is None:
        interactive = sys.stdin is not None and sys.stdin.isatty()
    if not interactive:
        raise UsageError(
            f"no password: set {var}, use --password-file PATH, or run on a terminal to be asked"
        )
    import getpass

    try:
        entered = getpass.getpass(prompt)
    except (EOFError, KeyboardInterrupt):
        raise UsageError("no password entered") from None
    if not entered:
        raise UsageError("no password entered")
    return Secret(entered)


__all__ = [
    "DEFAULT_PASSWORD_ENV",
    "Secret",
    "display_url",
    "read_password_file",
    "resolve_password",
    "warn",
]
