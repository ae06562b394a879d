"""The screen and the state document agree on every KPI, through pauses and midnights.

Random sequences of queue events, agent changes, display pauses and clock
jumps across midnight drive a real app (Pilot); after each step the KPI
tiles and every queue row must show exactly what the document says,
formatted the way the screen formats it.
"""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from scenario import agent_status, caller_status
from ui_helpers import bare_app, utc
from wallboard.model import WallboardState, state_document
from wallboard.model.calendar import Calendar
from wallboard.ui.fmt import dur, pct, short_dur
from wallboard.ui.panels import QueuesTable
from wallboard.ui.widgets import KpiTiles

pytestmark = pytest.mark.timeout(120)

QUEUES = {"q1": "8001", "q2": "8002", "q3": "8003"}
REASONS = ["enqueue"] * 4 + ["agent_answered"] * 3 + ["hangup", "overflow", "callback", "parked"]
STATES = ["READY", "QUEUE_CALL", "WRAP_UP", "NOT_READY", "LOGGED_OUT"]
# Three minutes before a UTC midnight (the tests run with TZ=UTC).
START = 1_800_000_000.0 - 1_800_000_000.0 % 86400 + 86400 - 180


class Clock:
    def __init__(self, t: float) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def picture(qid: str, t: float) -> dict[str, Any]:
    return {
        "event_type": "queue_status",
        "tenant_id": "1",
        "queue_id": qid,
        "queue_number": QUEUES[qid],
        "queue_name": f"Queue {qid}",
        "waiting_list": [],
        "agents": [],
        "time": str(int(t)),
    }


def step(rng: random.Random, state: WallboardState, clock: Clock, callers: list[str]) -> str:
    """One random thing happens; returns what, for the failure message."""
    roll = rng.random()
    qid = rng.choice(list(QUEUES))
    if roll < 0.6:
        if callers and rng.random() < 0.7:
            sid = rng.choice(callers)
        else:
            sid = f"c{len(callers)}"
            callers.append(sid)
        reason = rng.choice(REASONS)
        msg = caller_status(qid, sid, reason, clock.t)
    elif roll < 0.85:
        msg = agent_status(qid, str(101 + rng.randrange(6)), rng.choice(STATES), clock.t)
    else:
        msg = {}
    clock.t += rng.choice([0.5, 1, 3, 7, 25])
    if msg:
        state.apply_frame(json.dumps(msg))
        return f"{msg['event_type']} {msg.get('updated_callers') or msg.get('updated_agents')}"
    return "time passes"


def screen_numbers(app: Any) -> tuple[dict[str, str | None], dict[str, list[str]]]:
    tiles = app.query_one("#tiles", KpiTiles).values()
    rows = app.query_one("#ov-queues", QueuesTable).shown_rows()
    return tiles, rows


def document_numbers(state: WallboardState) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The document's figures in the screen's format (the oracle)."""
    doc = state_document(state)
    t = doc["totals"]
    tiles = {
        "waiting": str(t["waiting"]),
        "longest": short_dur(t["longest_wait_s"]),
        "answered": str(t["answered"]),
        "abandoned": str(t["abandoned"]),
        "sl": pct(t["service_level_pct"]).replace("—", "-"),
        "asa": short_dur(t["average_answer_s"]),
        "ready": str(t["agents_ready"]),
        "busy": str(t["agents_busy"]),
        "notready": str(t["agents_not_ready"]),
    }
    rows = {}
    for q in doc["queues"]:
        s = q["stats"]
        rows[q["queue_id"]] = [
            str(s["offered"]),
            str(s["answered"]),
            str(s["abandoned"]),
            pct(s["service_level_pct"]),
            dur(s["average_answer_s"]),
        ]
    return tiles, rows


def _strip(cells: list[str]) -> list[str]:
    # Queue table: ... SL (index 4, may carry a "!" when critical) ... Offer Ans Aband ASA.
    return [cells[9], cells[10], cells[11], cells[4].rstrip("!"), cells[12]]


@pytest.mark.parametrize("seed", range(12))
async def test_screen_equals_document_through_pauses_and_midnight(seed: int) -> None:
    rng = random.Random(seed)
    clock = Clock(START + rng.randrange(120))
    callers: list[str] = []
    days = set()
    with utc():
        state = WallboardState(clock, calendar=Calendar())
        for qid in QUEUES:
            state.apply_frame(json.dumps(picture(qid, clock.t)))
        app = bare_app(state, wall_clock=clock)
        async with app.run_test(size=(160, 50)) as pilot:
            history = []
            paused = False
            for i in range(60):
                history.append(step(rng, state, clock, callers))
                if rng.random() < 0.1:
                    paused = not paused
                    app.action_pause()
                if rng.random() < 0.05:
                    clock.t += 86400 / 2  # half a day: sometimes across midnight
                    history.append("half a day passes")
                if not paused:
                    # Most of the 5 Hz timer's passes fall within a second and do not
                    # tick: then only what changed is redrawn, and the numbers must
                    # follow all the same (a tick would redraw every row in view and
                    # hide a change that was not tracked). Durations wait for the tick.
                    app.refresh_now(tick=False)
                    await pilot.pause()
                    want_tiles, want_rows = document_numbers(state)
                    tiles, rows = screen_numbers(app)
                    del tiles["longest"], want_tiles["longest"]
                    where = f"seed {seed} step {i}, no tick: {history[-5:]}"
                    assert tiles == want_tiles, where
                    assert {k: _strip(v) for k, v in rows.items()} == want_rows, where
                app._on_timer()  # the refresh timer's own pass: tick, then refresh
                await pilot.pause()
                days.add(state.day)
                if paused:
                    continue
                want_tiles, want_rows = document_numbers(state)
                tiles, rows = screen_numbers(app)
                assert tiles == want_tiles, f"seed {seed} step {i}: {history[-5:]}"
                got = {k: _strip(v) for k, v in rows.items()}
                assert got == want_rows, f"seed {seed} step {i}: {history[-5:]}"
    assert len(days) >= 2, "the sequence must cross midnight"
