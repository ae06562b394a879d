"""A day by interval, and the last hour by minute: what the history and trend charts draw.

The charts only draw; every figure they show comes from here, through the
same tallies and formulas as the tiles (`kpi.py`). A day's intervals are
aligned on the call center's calendar (`Calendar.interval_start`), so the
first interval of a day that began mid-interval (the wallboard started at
10:07) is still the 10:00 one, and a set of queues is summed interval by
interval (`Tally.add`), never by averaging their percentages.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from wallboard.model import kpi
from wallboard.model.calendar import Calendar
from wallboard.model.tally import Tally

MAX_SLOTS = 200  # a day has at most 96 intervals of 15 minutes (100 on a DST day)


@dataclass(frozen=True, slots=True)
class IntervalRow:
    """One reporting interval: its tally (an empty one if nothing happened) and KPIs."""

    start: float
    end: float
    tally: Tally
    service_level: float | None
    asa: float | None
    abandon_rate: float | None
    watched: bool  # False: the wallboard was not watching for any of it (a coverage gap)

    @property
    def offered(self) -> int:
        return self.tally.offered

    @property
    def answered(self) -> int:
        return self.tally.answered

    @property
    def abandoned(self) -> int:
        return self.tally.abandoned


def align(calendar: Calendar, tallies: Mapping[float, Tally]) -> dict[float, Tally]:
    """Tallies keyed by the start of the calendar interval they fall in (summed)."""
    out: dict[float, Tally] = {}
    for start, t in tallies.items():
        slot = calendar.interval_start(start)
        have = out.get(slot)
        if have is None:
            have = out[slot] = Tally()
        have.add(t)
    return out


def sum_queues(
    calendar: Calendar, per_queue: Iterable[Mapping[float, Tally]]
) -> dict[float, Tally]:
    """Several queues' intervals summed slot by slot (the "all queues" chart)."""
    out: dict[float, Tally] = {}
    for tallies in per_queue:
        for slot, t in align(calendar, tallies).items():
            have = out.get(slot)
            if have is None:
                have = out[slot] = Tally()
            have.add(t)
    return out


class ClosedSums:
    """Several queues' intervals summed, the closed ones (before the open interval) once.

    Only the open interval of today changes (every outcome lands in the
    interval "now" falls in), so summing a thousand queues' morning again on
    every refresh is waste: closed intervals are summed when `key` changes
    (another day, scope or open interval, or intervals added by a store),
    and only the open one each time.
    """

    __slots__ = ("_closed", "_key")

    def __init__(self) -> None:
        self._key: object = None
        self._closed: dict[float, Tally] = {}

    def sum(
        self,
        calendar: Calendar,
        per_queue: Sequence[Mapping[float, Tally]],
        open_from: float | None,
        key: object,
    ) -> dict[float, Tally]:
        """`per_queue` summed slot by slot; `open_from`: the open interval's start (None:
        a closed day, summed as it is)."""
        if open_from is None:
            return sum_queues(calendar, per_queue)
        if key != self._key:
            self._key = key
            self._closed = sum_queues(
                calendar, [{k: t for k, t in q.items() if k < open_from} for q in per_queue]
            )
        out: dict[float, Tally] = {}
        for slot, t in self._closed.items():
            out[slot] = copy = Tally()
            copy.add(t)
        now = sum_queues(
            calendar, [{k: t for k, t in q.items() if k >= open_from} for q in per_queue]
        )
        for slot, t in now.items():
            have = out.get(slot)
            if have is None:
                out[slot] = t
            else:
                have.add(t)
        return out


def slots(calendar: Calendar, first: float, last: float) -> list[tuple[float, float]]:
    """(start, end) of every interval from the one holding `first` to the one holding `last`."""
    out: list[tuple[float, float]] = []
    start = calendar.interval_start(first)
    stop = calendar.interval_start(last)
    while start <= stop and len(out) < MAX_SLOTS:
        end = calendar.interval_end(start)
        out.append((start, end))
        if end <= start:
            break
        start = end
    return out


def _watched(start: float, end: float, gaps: Sequence[Sequence[float]]) -> bool:
    return not any(a <= start and b >= end for a, b in gaps)


def day_rows(
    calendar: Calendar,
    tallies: Mapping[float, Tally],
    definition: str,
    *,
    until: float | None = None,
    since: float | None = None,
    gaps: Sequence[Sequence[float]] = (),
) -> list[IntervalRow]:
    """Every interval from the first with a record (or `since`) to the last (or `until`).

    Intervals in between without a record have an empty tally (nobody
    called): zero offered, and no service level or ASA (None). `gaps` are
    the periods nobody watched: an interval entirely inside one is marked
    unwatched, so "0 offered" is not read as "nobody called".
    """
    aligned = align(calendar, tallies)
    starts = [*aligned, *(() if since is None else (since,))]
    if starts:
        first = min(starts)
    elif until is not None:
        first = until
    else:
        return []
    last = until if until is not None else max(starts)
    rows: list[IntervalRow] = []
    for start, end in slots(calendar, first, last):
        t = aligned.get(start) or Tally()
        rows.append(
            IntervalRow(
                start=start,
                end=end,
                tally=t,
                service_level=kpi.service_level(t, definition),
                asa=kpi.asa(t),
                abandon_rate=kpi.abandon_rate(t),
                watched=_watched(start, end, gaps),
            )
        )
    return rows


def minute_series(
    trend: Iterable[tuple[float, int]], now: float, minutes: int = 60
) -> list[int | None]:
    """Most callers waiting in each of the last `minutes` minutes, oldest first.

    A queue's trend holds (minute start, most waiting in it) for the minutes
    something was sampled (an enqueue, or the clock's minute tick); a minute
    without a sample is None (drawn as a gap, not as zero).
    """
    current = now - now % 60.0
    first = current - 60.0 * (minutes - 1)
    by_minute = {m: n for m, n in trend if first <= m <= current}
    return [by_minute.get(first + 60.0 * i) for i in range(minutes)]


def sum_series(series: Iterable[Sequence[int | None]]) -> list[int | None]:
    """Minute series of several queues added up (a minute no queue sampled stays None)."""
    out: list[int | None] = []
    for column in zip(*series, strict=True):
        known = [n for n in column if n is not None]
        out.append(sum(known) if known else None)
    return out


__all__ = [
    "MAX_SLOTS",
    "ClosedSums",
    "IntervalRow",
    "align",
    "day_rows",
    "minute_series",
    "slots",
    "sum_queues",
    "sum_series",
]
