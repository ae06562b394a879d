"""The state model: pure, deterministic, no I/O; never imports textual or websockets."""

from wallboard.model.document import SCHEMA, state_document
from wallboard.model.state import (
    CALLS,
    COUNTS,
    EVERYTHING,
    EXTENSIONS,
    FULL,
    LOG,
    QUEUES,
    SOURCE,
    TRUNKS,
    WallboardState,
)

__all__ = [
    "CALLS",
    "COUNTS",
    "EVERYTHING",
    "EXTENSIONS",
    "FULL",
    "LOG",
    "QUEUES",
    "SCHEMA",
    "SOURCE",
    "TRUNKS",
    "WallboardState",
    "state_document",
]
