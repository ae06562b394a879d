"""Sort values for table columns: optional numbers and natural (human) order."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

_MISSING = (1, 0.0)  # sorts after every (0, value)
_CHUNK = re.compile(r"([0-9]+)")


def num(v: float | None) -> tuple[int, float]:
    """A sort value for an optional number: known values first."""
    return _MISSING if v is None else (0, float(v))


@lru_cache(maxsize=1 << 16)
def nat(s: str) -> tuple[tuple[int, Any], ...]:
    """Natural sort value: '9' < '10' < '101', 'Sales' vs 'support' case-insensitive.

    Cached: the same extension and queue numbers come back on every update.
    """
    return tuple(
        (0, int(part)) if part.isascii() and part.isdigit() else (1, part.lower())
        for part in _CHUNK.split(s)
        if part
    )


__all__ = ["nat", "num"]
