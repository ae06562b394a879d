"""The PortSIP WSI wire: commands to send and typed events parsed from frames.

Pure functions, no I/O; never imports textual or websockets.
"""

from wallboard.protocol.commands import (
    DIALECTS,
    build_auth,
    build_subscribe,
    build_unsubscribe,
    default_topics,
    dialect_for_url,
    expand_list,
)
from wallboard.protocol.parse import KNOWN_EVENT_TYPES, parse_frame, parse_object

__all__ = [
    "DIALECTS",
    "KNOWN_EVENT_TYPES",
    "build_auth",
    "build_subscribe",
    "build_unsubscribe",
    "default_topics",
    "dialect_for_url",
    "expand_list",
    "parse_frame",
    "parse_object",
]
