"""Write a recording (CONTRACT.md): a header line, then one line per received frame.

Only frames from the PBX pass through here; what the client sends (the auth
command with its password) never does. Every line is flushed at once so a
crash or a power cut loses at most the frame being written.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import BinaryIO

import orjson

from wallboard.errors import UsageError, WallboardError
from wallboard.feed.replay import RECORDING_VERSION
from wallboard.feed.secrets import display_url


class Recorder:
    """Append-only JSON Lines writer; `write(text, t)` is the client's `on_frame` hook."""

    def __init__(self, path: str | Path, *, dialect: str, source: str) -> None:
        self.path = Path(path)
        self.frames = 0
        try:
            if self.path.is_dir():
                raise UsageError(f"cannot write {path}: it is a directory")
            # Caller numbers and names are personal data: a new file is the owner's only.
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            self._f: BinaryIO | None = os.fdopen(fd, "wb")
        except PermissionError:
            raise UsageError(f"cannot write {path}: permission denied") from None
        except FileNotFoundError:
            raise UsageError(f"cannot write {path}: no such directory") from None
        except OSError as exc:
            raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
        header = {
            "wallboard_recording": RECORDING_VERSION,
            "dialect": dialect,
            "source": display_url(source),
            "started": time.time(),
        }
        self._line(orjson.dumps(header))

    def _line(self, data: bytes) -> None:
        f = self._f
        if f is None:
            return
        try:
            f.write(data + b"\n")
            f.flush()
        except OSError as exc:
            # Disk full, NFS gone: stop loudly rather than record nothing quietly.
            raise WallboardError(f"cannot write {self.path}: {exc.strerror or exc}") from None

    def write(self, frame: str, t: float) -> None:
        """Record one text frame exactly as received, with its arrival time."""
        self._line(orjson.dumps({"t": round(t, 6), "frame": frame}))
        self.frames += 1

    def close(self) -> None:
        if self._f is not None:
            try:
                self._f.close()
            finally:
                self._f = None

    def __enter__(self) -> Recorder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = ["Recorder"]
