"""Errors that end a command with one clear line and the exit status of CONTRACT.md."""

from __future__ import annotations

EXIT_OK = 0
EXIT_OTHER = 1
EXIT_USAGE = 2
EXIT_AUTH = 3
EXIT_CONNECT = 4


class WallboardError(Exception):
    """Raised for failures the user can act on; the CLI prints the message, never a traceback."""

    exit_code = EXIT_OTHER


class UsageError(WallboardError):
    """Bad usage or an unreadable input file."""

    exit_code = EXIT_USAGE


class AuthRejected(WallboardError):
    """The PBX rejected the credentials: retrying would only hammer it."""

    exit_code = EXIT_AUTH


class ConnectFailed(WallboardError):
    """The PBX could not be reached within what the command allows."""

    exit_code = EXIT_CONNECT
