"""What changed since a consumer last looked: flags per kind, and keys per entity.

The UI refreshes by keyed diff, so it must learn *which* calls, extensions
and queues changed, not only that something did. Until a consumer asks
(`take_dirty`) nobody reads the keys: the sets are emptied whenever they
pass `IDLE_KEYS`, so headless commands don't collect a million session ids
(plain sets: a Python-level "ignore" method per add cost more than the
occasional clear). Past `MAX_DIRTY_KEYS` a consumer's sets give up and say
FULL.
"""

from __future__ import annotations

# What changed, as bit flags (cheap to OR together per event).
EXTENSIONS = 1
CALLS = 2
QUEUES = 4
TRUNKS = 8
SOURCE = 16
LOG = 32
COUNTS = 64
# The keyed dirty sets overflowed (nobody drained them for a long time):
# the consumer must rebuild everything instead of applying key diffs.
FULL = 128
EVERYTHING = 255
MAX_DIRTY_KEYS = 20_000
IDLE_KEYS = 4_096


class ChangeTracking:
    """Mixin of WallboardState: the dirty flags and keyed dirty sets."""

    dirty: int
    version: int
    dirty_calls: set[str]
    dirty_extensions: set[tuple[str, str]]
    dirty_queues: set[str]
    _tracking: bool

    def _init_changes(self) -> None:
        self.version = 0  # bumps on every change; cheap change detection
        self.dirty = EVERYTHING
        self.dirty_calls = set()
        self.dirty_extensions = set()
        self.dirty_queues = set()
        self._tracking = False

    def touch(self, flags: int) -> int:
        """Record that something of these kinds changed (feeds call it for SOURCE)."""
        self.dirty |= flags
        self.version += 1
        calls, exts = self.dirty_calls, self.dirty_extensions
        if len(calls) > IDLE_KEYS or len(exts) > IDLE_KEYS:
            if not self._tracking:
                calls.clear()  # nobody reads them yet
                exts.clear()
                self.dirty_queues.clear()
            elif len(calls) > MAX_DIRTY_KEYS or len(exts) > MAX_DIRTY_KEYS:
                self.dirty |= FULL
                calls.clear()
                exts.clear()
                self.dirty_queues.clear()
        return flags

    def take_dirty(self) -> tuple[int, set[str], set[tuple[str, str]], set[str]]:
        """Hand the UI what changed since the last refresh, and start afresh.

        The first call switches key tracking on and reports everything dirty.
        If `FULL` is in the flags the key sets are incomplete: rebuild all.
        """
        out = (self.dirty, self.dirty_calls, self.dirty_extensions, self.dirty_queues)
        if not self._tracking:
            self._tracking = True
            out = (self.dirty | EVERYTHING, set(), set(), set())
        self.dirty = 0
        self.dirty_calls = set()
        self.dirty_extensions = set()
        self.dirty_queues = set()
        return out

    def everything_changed(self) -> None:
        """After the model's contents were replaced (a checkpoint): rebuild every view."""
        self.dirty |= EVERYTHING
        if self._tracking:
            self.dirty |= FULL
            self.dirty_calls = set()
            self.dirty_extensions = set()
            self.dirty_queues = set()
        self.version += 1


__all__ = [
    "CALLS",
    "COUNTS",
    "EVERYTHING",
    "EXTENSIONS",
    "FULL",
    "IDLE_KEYS",
    "LOG",
    "MAX_DIRTY_KEYS",
    "QUEUES",
    "SOURCE",
    "TRUNKS",
    "ChangeTracking",
]
