"""The terminal watchdog: leave when the terminal goes away instead of spinning.

A mixin of `WallboardApp`. After an SSH drop or a closed stdin, Textual's
input thread often spins on the dead fd (select says readable, read returns
nothing) until the app exits; a hung-up tty raises on `tcgetattr`. Unix
only (`CAN_WATCH`).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import select
import signal
import sys
from typing import TYPE_CHECKING

try:  # Unix only: the terminal watchdog
    import fcntl
    import termios
except ImportError:  # pragma: no cover - Windows
    fcntl = termios = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from wallboard.ui.app import WallboardApp

TERMINAL_CHECK = 0.2  # seconds between checks that the terminal is still there
CAN_WATCH = fcntl is not None


class TerminalWatch:
    """Mixin of WallboardApp: the SIGHUP handler and the end-of-file check."""

    def _watch_terminal(self: WallboardApp) -> None:
        """Leave when the terminal goes away (SSH drop, closed stdin) instead of spinning."""
        with contextlib.suppress(Exception):
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, lambda: self.exit(0))
        # Often: once the terminal is gone, Textual's input thread spins on the dead
        # fd (select says readable, read returns nothing) until we leave.
        self.set_interval(TERMINAL_CHECK, self._check_terminal, name="terminal-watch")

    def _check_terminal(self: WallboardApp) -> None:
        try:
            fd = sys.__stdin__.fileno() if sys.__stdin__ is not None else -1
        except (ValueError, OSError):
            fd = -1
        gone = fd < 0
        if not gone:
            try:
                readable, _, _ = select.select([fd], [], [], 0)
                if readable:
                    # Readable with nothing to read: end of file (closed pipe, hung-up tty).
                    buf = fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0")
                    gone = int.from_bytes(buf, sys.byteorder) == 0
                if os.isatty(fd):
                    termios.tcgetattr(fd)  # EIO once the terminal has hung up
            except (OSError, ValueError, termios.error):
                gone = True
        self._eof_checks = self._eof_checks + 1 if gone else 0
        if self._eof_checks >= 3:  # three checks in a row: not a race with the reader
            self.exit(0)


__all__ = ["CAN_WATCH", "TERMINAL_CHECK", "TerminalWatch"]
