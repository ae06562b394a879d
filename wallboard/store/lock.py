"""One wallboard per store: an advisory lock on `<store>.lock` held while writing.

Two wallboards writing the same day would each restore it and then
overwrite the other's totals with their own. SQLite alone would let both
write (WAL serialises, it does not exclude), so the writer also holds an
exclusive `flock` on a side file that names its process. Readers (`report`)
do not take it. The OS drops the lock when the process dies, kill -9 too.
"""

from __future__ import annotations

import os
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no lock (documented)
    fcntl = None  # type: ignore[assignment]


class StoreLock:
    def __init__(self, db: Path) -> None:
        self.path = db.with_name(db.name + ".lock")
        self._fd: int | None = None

    def acquire(self) -> str | None:
        """None when held now; else who holds it ("pid 1234"), for the message."""
        if fcntl is None:
            return None
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            try:
                holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
            except OSError:
                holder = ""
            os.close(fd)
            return f"pid {holder}" if holder.isdigit() else "another process"
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        self._fd = fd
        return None

    def release(self) -> None:
        if self._fd is not None:
            try:
                os.close(self._fd)  # closing drops the flock
            finally:
                self._fd = None


__all__ = ["StoreLock"]
