"""The call center's calendar: which day and which reporting interval a moment falls in.

"Today" is the call center's day, not the server's: a hub in UTC serving a
floor in Berlin rolls over at Berlin's midnight. `tz=None` means the
machine's local time zone. Intervals (15, 30 or 60 minutes) are aligned to
the local clock, so 10:00-10:15 is an interval even across a DST change.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

# Event times outside this window (years 2000..2100) are not trusted as a clock.
SANE_MIN, SANE_MAX = 946_684_800.0, 4_102_444_800.0
INTERVAL_CHOICES = (15, 30, 60)


def usable_time(t: float | None) -> bool:
    """An event time that can serve as a clock (replay pacing, "now" in a replay)."""
    return t is not None and SANE_MIN <= t <= SANE_MAX


@dataclass(frozen=True, slots=True)
class Calendar:
    tz: _dt.tzinfo | None = None  # None: the machine's local time zone
    interval_minutes: int = 15

    def local(self, t: float) -> _dt.datetime:
        if self.tz is None:
            return _dt.datetime.fromtimestamp(t)
        return _dt.datetime.fromtimestamp(t, self.tz)

    def _stamp(self, d: _dt.datetime) -> float:
        # A naive datetime is local time: .timestamp() resolves it (DST included).
        return d.timestamp() if self.tz is None else d.replace(tzinfo=self.tz).timestamp()

    def day(self, t: float) -> str:
        """YYYY-MM-DD of `t` in the call center's time zone."""
        return self.local(t).date().isoformat()

    def midnight(self, t: float) -> float:
        """The start of `t`'s local day."""
        d = self.local(t)
        return self._stamp(_dt.datetime(d.year, d.month, d.day))

    def next_midnight(self, t: float) -> float:
        d = self.local(t).date() + _dt.timedelta(days=1)
        return self._stamp(_dt.datetime(d.year, d.month, d.day))

    def day_start(self, day: str) -> float:
        """The first moment of a YYYY-MM-DD day (ValueError if it is not a date)."""
        d = _dt.date.fromisoformat(day)
        return self._stamp(_dt.datetime(d.year, d.month, d.day))

    def interval_start(self, t: float) -> float:
        """The start of the reporting interval holding `t`, on the local clock."""
        d = self.local(t)
        minute = d.minute - d.minute % self.interval_minutes
        start = self._stamp(_dt.datetime(d.year, d.month, d.day, d.hour, minute))
        return min(start, t)

    def interval_end(self, start: float) -> float:
        """The end of the interval that starts at `start` (the next one's start)."""
        # One step of the interval's length lands in the next interval, DST or not,
        # unless the day ends first.
        nxt = self.interval_start(start + self.interval_minutes * 60)
        if nxt <= start:  # a repeated hour (DST back): move on in wall-clock time
            nxt = start + self.interval_minutes * 60
        return min(nxt, self.next_midnight(start))

    def iso(self, t: float) -> str:
        """ISO 8601 local time with its offset, to the second (reports)."""
        d = self.local(t)
        if self.tz is None:
            d = d.astimezone()
        return d.isoformat(timespec="seconds")


def parse_timezone(name: str) -> _dt.tzinfo:
    """An IANA time zone by name; ValueError with a readable message otherwise."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(
            f"unknown time zone {name!r} (an IANA name such as Europe/Berlin)"
        ) from None


__all__ = [
    "INTERVAL_CHOICES",
    "SANE_MAX",
    "SANE_MIN",
    "Calendar",
    "parse_timezone",
    "usable_time",
]
