"""How far the PBX's clock is from ours, so live waits are measured on the PBX's clock.

Callers' enqueue times, agents' state times and call start times are PBX
timestamps; "now" is our clock. A PBX a minute off would shift every live
wait by a minute. Each event whose time says when it happened gives a sample
of (received − event time) = offset + network delay; the median of recent
samples is robust against the odd late or replayed event, and the delay
(milliseconds) is negligible against the waits shown (seconds).
"""

from __future__ import annotations

from collections import deque

SAMPLES = 31
SHOW_ABOVE = 5.0  # seconds: a smaller offset is not worth a word on the screen


class SkewEstimator:
    """Median of the last `SAMPLES` (received − event time) differences."""

    __slots__ = ("_n", "_samples", "offset")

    def __init__(self) -> None:
        self._samples: deque[float] = deque(maxlen=SAMPLES)
        self._n = 0
        self.offset = 0.0  # our clock minus the PBX's: PBX now = our now − offset

    def add(self, received: float, event_time: float) -> None:
        self._samples.append(received - event_time)
        self._n += 1
        # Re-take the median now and then, not per event: it moves slowly.
        if self._n <= SAMPLES or self._n % 8 == 0:
            s = sorted(self._samples)
            self.offset = s[len(s) // 2]

    def as_dict(self) -> dict[str, object]:
        """For a checkpoint: a viewer must go on estimating from the same samples."""
        return {"offset": self.offset, "samples": list(self._samples), "n": self._n}

    def load(self, data: object) -> None:
        if not isinstance(data, dict):
            return
        samples = data.get("samples")
        if isinstance(samples, list):
            self._samples.clear()
            self._samples.extend(
                float(x) for x in samples[-SAMPLES:] if type(x) in (int, float) and x == x
            )
        n = data.get("n")
        self._n = n if type(n) is int and n >= 0 else len(self._samples)
        offset = data.get("offset")
        if type(offset) in (int, float) and offset == offset:
            self.offset = float(offset)  # type: ignore[arg-type]

    def reset(self) -> None:
        self._samples.clear()
        self._n = 0
        self.offset = 0.0

    @property
    def shown(self) -> bool:
        """Worth telling the user (the status line and the state document say it)."""
        return abs(self.offset) > SHOW_ABOVE


__all__ = ["SHOW_ABOVE", "SkewEstimator"]
