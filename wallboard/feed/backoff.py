"""How long to wait before the next reconnect: shared by the PBX client and the hub viewer."""

from __future__ import annotations

import random


def backoff_delay(
    failures: int, base: float, cap: float, jitter: float, rng: random.Random | None = None
) -> float:
    """`base` doubling per consecutive failure up to `cap`, then ± `jitter` (a fraction).

    The jitter keeps a wall of wallboards from reconnecting in lockstep after
    a PBX restart.
    """
    n = max(1, failures)
    delay = min(cap, base * (2 ** min(n - 1, 30)))
    r = rng.uniform(1 - jitter, 1 + jitter) if rng else random.uniform(1 - jitter, 1 + jitter)
    return max(0.0, delay * r)


__all__ = ["backoff_delay"]
