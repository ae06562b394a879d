"""The day by interval and the hour by minute (model/dayview.py), and the new explanations.

Numbers are computed by hand from `history_helpers.two_tenants_state` (see
its docstring) or written out here.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Iterator

import pytest

from history_helpers import NOON, two_tenants_state
from ui_helpers import utc
from wallboard.model import explain, kpi
from wallboard.model.calendar import Calendar
from wallboard.model.dayview import (
    ClosedSums,
    align,
    day_rows,
    minute_series,
    slots,
    sum_queues,
    sum_series,
)
from wallboard.model.entities import AgentDay
from wallboard.model.tally import Tally

UTC = Calendar(tz=dt.UTC, interval_minutes=15)


@pytest.fixture(autouse=True)
def _utc() -> Iterator[None]:
    with utc():
        yield


def test_intervals_of_a_queue_by_hand() -> None:
    st = two_tenants_state()
    rows = day_rows(UTC, st.queues["qa"].intervals, "answered_abandoned")
    assert [(r.start, r.end) for r in rows] == [(NOON, NOON + 900), (NOON + 900, NOON + 1800)]
    first, second = rows
    assert (first.offered, first.answered, first.abandoned) == (7, 5, 2)
    assert first.service_level == pytest.approx(400 / 7)  # 4 within / (5 + 2)
    assert first.asa == 18.0  # (5 + 10 + 15 + 20 + 40) / 5
    assert first.abandon_rate == pytest.approx(200 / 7)
    assert (second.service_level, second.asa) == (100.0, 10.0)


def test_a_day_is_the_sum_of_its_intervals_and_queues_sum_slot_by_slot() -> None:
    st = two_tenants_state()
    qa, qb = st.queues["qa"], st.queues["qb"]
    total = Tally()
    for r in day_rows(UTC, qa.intervals, "answered_abandoned"):
        total.add(r.tally)
    assert total.as_dict() == qa.stats.as_dict()
    both = sum_queues(UTC, [qa.intervals, qb.intervals])
    assert both[NOON].offered == 7 + 3 and both[NOON].answered_within == 4
    assert kpi.service_level(both[NOON]) == pytest.approx(400 / 10)  # 4 / (6 + 4)


def test_an_interval_that_began_mid_way_is_aligned_on_the_calendar() -> None:
    # The wallboard started at 12:07:30: the model keys that interval by its start.
    tallies = {NOON + 450: Tally(offered=2), NOON + 900: Tally(offered=1)}
    assert sorted(align(UTC, tallies)) == [NOON, NOON + 900]
    rows = day_rows(UTC, tallies, "answered_abandoned")
    assert [r.start for r in rows] == [NOON, NOON + 900]


def test_quiet_intervals_in_between_are_zero_and_gaps_are_not_watched() -> None:
    tallies = {NOON: Tally(offered=3, answered=3, answered_within=3)}
    rows = day_rows(
        UTC, tallies, "answered_abandoned", until=NOON + 3700, gaps=[[NOON + 1700, NOON + 2800]]
    )
    assert [r.start for r in rows] == [NOON + 900 * i for i in range(5)]
    assert [r.offered for r in rows] == [3, 0, 0, 0, 0]
    assert rows[1].service_level is None and rows[1].asa is None  # nobody called: no SL
    # 12:30-12:45 lies inside the gap 12:28:20-12:46:40; 12:15 and 12:45 only partly.
    assert [r.watched for r in rows] == [True, True, False, True, True]


def test_slots_follow_the_local_clock_across_a_dst_change() -> None:
    berlin = Calendar(tz=dt.timezone(dt.timedelta(hours=1)), interval_minutes=60)
    s = slots(berlin, NOON, NOON + 3 * 3600)
    assert len(s) == 4 and all(b - a == 3600 for a, b in s)
    from zoneinfo import ZoneInfo

    cal = Calendar(tz=ZoneInfo("Europe/Berlin"), interval_minutes=60)
    # 2023-10-29: 02:00-03:00 happens twice; the day has 25 one-hour intervals.
    day = cal.day_start("2023-10-29")
    assert len(slots(cal, day, cal.next_midnight(day) - 1)) == 25


def test_minute_series_leaves_unsampled_minutes_empty() -> None:
    now = NOON + 3599  # 12:59:59
    trend = deque([(NOON + 3540 - 120, 4), (NOON + 3540, 2), (NOON - 60, 9)])
    series = minute_series(trend, now, minutes=5)
    assert series == [None, None, 4, None, 2]  # 12:55 .. 12:59; 11:59 is out of range
    assert sum_series([series, [1, None, 1, None, None]]) == [1, None, 5, None, 2]


def test_explanations_of_waiting_agents_and_an_agent_day() -> None:
    e = explain.waiting(3, 1)
    assert e.value == "3" and "1 booked callback(s) listed, not counted" in e.inputs
    assert explain.waiting(2, 0).inputs == "2 waiting now"
    e = explain.agents("busy", ready=4, busy=5, not_ready=1)
    assert e.value == "5" and e.inputs.startswith("4 ready, 5 busy, 1 not ready now")
    assert "QUEUE_CALL, OTHER_CALL or WRAP_UP" in e.formula
    day = AgentDay(tenant_id="t", number="101", state="READY", since=1000.0, answered=12, missed=1)
    day.state_s = {"QUEUE_CALL": 3725.0, "WRAP_UP": 600.0, "READY": 100.0}
    e = explain.agent_day(day, now=1100.0)  # 100 s more READY
    assert e.value == "12 answered"
    assert e.inputs == (
        "12 answered, 1 missed; 1:02:05 queue calls, 0 s other calls, 10:00 wrap-up, "
        "3:20 ready, 0 s not ready"
    )


def test_service_level_over_queues_with_different_targets() -> None:
    t = Tally(answered=4, answered_within=3, abandoned=1, abandoned_known_wait=1, short_abandoned=1)
    e = explain.service_level(t, "answered_abandoned", None, None)
    assert e.value == "60 %"  # 3 / (4 + 1)
    assert e.inputs.startswith(
        "SL 60 % = 3 answered within their queue's target ÷ (4 answered + 1 abandoned)"
    )
    assert "1 of the abandons within their queue's short-abandon time (counted)" in e.inputs
    assert e.meaning == "Share of callers answered within their queue's target."


def test_closed_intervals_are_summed_once_and_the_open_one_every_time() -> None:
    a = {NOON: Tally(offered=2), NOON + 900: Tally(offered=1)}
    b = {NOON: Tally(offered=5), NOON + 900: Tally(offered=4)}
    sums = ClosedSums()
    key = ("2023-11-14", NOON + 900, 2)
    got = sums.sum(UTC, [a, b], NOON + 900, key)
    assert {k: t.offered for k, t in got.items()} == {NOON: 7, NOON + 900: 5}
    assert {k: t.as_dict() for k, t in got.items()} == {
        k: t.as_dict() for k, t in sum_queues(UTC, [a, b]).items()
    }
    got[NOON].offered = 99  # what it hands out is a copy
    a[NOON + 900].offered += 10  # the open interval moves on
    a[NOON].offered += 100  # a closed one "changes": not looked at again under the same key
    got = sums.sum(UTC, [a, b], NOON + 900, key)
    assert {k: t.offered for k, t in got.items()} == {NOON: 7, NOON + 900: 15}
    got = sums.sum(UTC, [a, b], NOON + 900, (*key, "another"))
    assert got[NOON].offered == 107
    assert sums.sum(UTC, [a], None, key)[NOON].offered == 102  # a closed day: as it is
