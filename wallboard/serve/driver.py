"""The Textual driver of a browser tab's app: textual-serve's web driver that dies with its server.

Stock textual-serve leaves it to the app to notice that nobody is listening
any more; a `wallboard demo` child of a killed server was seen running on at
a full core. Here the child makes sure of it itself, whatever the app does:

* Linux: the kernel sends SIGKILL when the serve process dies
  (`PR_SET_PDEATHSIG`), and a child whose server is already gone by the time
  it starts leaves at once;
* everywhere: the end of stdin (the pipe from serve) or a failed write to
  stdout (the pipe to serve) asks the app to exit, and if it has not exited
  `HARD_EXIT_AFTER` seconds later the process ends with `os._exit`.

Selected by the environment (`TEXTUAL_DRIVER`, as textual-serve selects the
web driver), so it works for any Textual app the tab runs, `wallboard view`
included, without the app knowing.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
from typing import Any

from textual import messages
from textual.drivers.web_driver import WebDriver

HARD_EXIT_AFTER = 3.0
_PR_SET_PDEATHSIG = 1


def die_with_parent(expected_parent: int | None) -> None:
    """SIGKILL this process when its parent dies; leave now if it is already gone."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if expected_parent is not None and os.getppid() != expected_parent:
        os._exit(0)


class TabDriver(WebDriver):
    """WebDriver + parent-death detection (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parent = os.environ.get("WALLBOARD_SERVE_PID", "")
        die_with_parent(int(parent) if parent.isdigit() else None)
        self._leaving = threading.Event()

    def _parent_gone(self) -> None:
        """Ask the app to exit; make sure the process ends even if that never happens."""
        if self._leaving.is_set():
            return
        self._leaving.set()
        timer = threading.Timer(HARD_EXIT_AFTER, os._exit, args=(0,))
        timer.daemon = True
        timer.start()  # first: the polite way below may block on a wedged event loop
        with contextlib.suppress(Exception):
            self._app.post_message(messages.ExitApp())  # thread-safe in Textual

    def run_input_thread(self) -> None:
        super().run_input_thread()
        if not self.exit_event.is_set():  # stdin ended while the app was still running
            self._parent_gone()

    def _safe_write(self, data: bytes) -> None:
        try:
            os.write(self.fileno, data)
        except OSError:  # EPIPE: serve went away; nobody will ever read this
            self._parent_gone()

    def write(self, data: str) -> None:
        payload = data.encode("utf-8")
        self._safe_write(b"D%s%s" % (len(payload).to_bytes(4, "big"), payload))

    def write_meta(self, data: dict[str, object]) -> None:
        import json

        payload = json.dumps(data).encode("utf-8", errors="ignore")
        self._safe_write(b"M%s%s" % (len(payload).to_bytes(4, "big"), payload))


__all__ = ["HARD_EXIT_AFTER", "TabDriver", "die_with_parent"]
