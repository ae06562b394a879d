"""`i` explanations: the formula text and today's inputs add up to the number shown."""

from __future__ import annotations

from wallboard.model import explain, kpi
from wallboard.model.entities import AgentDay
from wallboard.model.tally import Tally


def tally() -> Tally:
    # 31 answered (26 within 20 s, 1 with an unknown wait), 3 abandoned (2 short).
    return Tally(
        offered=36,
        answered=31,
        answered_unknown_wait=1,
        answered_within=26,
        abandoned=3,
        abandoned_known_wait=3,
        abandoned_within=2,
        short_abandoned=2,
        overflowed=1,
        answer_wait_sum=450.0,
        handled=30,
        talk_sum=5400.0,
        wrap_sum=900.0,
    )


def test_service_level_default() -> None:
    e = explain.service_level(tally(), "answered_abandoned", 20, 5)
    # 26 / (30 known + 3 abandoned) = 78.8 %
    assert e.value == "79 %"
    assert e.inputs.startswith("SL 79 % = 26 answered within 20 s ÷ (30 answered + 3 abandoned)")
    assert "1 answered with an unknown wait left out" in e.inputs
    assert e.formula == "answered within target ÷ (answered + abandoned)"


def test_service_level_without_short_abandons() -> None:
    e = explain.service_level(tally(), "no_short_abandons", 20, 5)
    # 26 / (30 + 3 − 2) = 83.9 %
    assert e.value == "84 %"
    assert "(30 answered + 3 abandoned − 2 short abandons)" in e.inputs
    assert "hung up within 5 s" in e.inputs


def test_service_level_over_offered_and_abandons_within_target() -> None:
    t = tally()
    e = explain.service_level(t, "offered", 20, 5)
    assert t.ended_waits == 34  # 30 + 3 + 1 overflowed
    assert e.value == "76 %"  # 26 / 34
    assert "(30 answered + 3 abandoned + 1 overflowed)" in e.inputs
    e = explain.service_level(t, "offered_abandons_ok", 20, 5)
    assert e.value == "82 %"  # (26 + 2) / 34
    assert "(26 answered within 20 s + 2 abandoned within 20 s)" in e.inputs


def test_undefined_service_level_says_why() -> None:
    e = explain.service_level(Tally(), "answered_abandoned", 20, 5)
    assert e.value == "—" and "nobody answered or abandoned yet" in e.inputs


def test_asa_aht_abandon_rate_and_counts() -> None:
    t = tally()
    assert explain.asa(t).inputs.startswith("ASA 15 s = 450 s ÷ 30 answered")
    assert kpi.aht(t) == 210.0
    assert explain.aht(t).value == "3:30"
    assert "(5400 s talk + 900 s wrap-up) ÷ 30 calls" in explain.aht(t).inputs
    assert explain.abandon_rate(t).value == "9 %"  # 3 / 35
    assert "1 still waiting" in explain.count("offered", t).inputs
    assert (
        "26 within target, 4 later, 1 with an unknown wait" in explain.count("answered", t).inputs
    )


def test_occupancy_of_an_agent_day() -> None:
    day = AgentDay(tenant_id="t", number="101", state="READY", since=1000.0)
    day.state_s = {"QUEUE_CALL": 1800.0, "WRAP_UP": 600.0, "READY": 1200.0}
    e = explain.occupancy(day, now=1600.0)  # 600 s more READY
    assert e.value == "57 %"  # 2400 / 4200
    assert e.inputs == "57 % = (1800 s + 600 s) ÷ (1800 s + 600 s + 1800 s)"
