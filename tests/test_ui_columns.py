"""The columns other screens need: names, the queue trend and totals row, today's agent
numbers, a queue's own thresholds, and tenants side by side (v22 global topics)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from ui_helpers import bare_app, replay_app, utc
from wallboard.config import Thresholds
from wallboard.model import WallboardState
from wallboard.model.document import state_document
from wallboard.ui.fmt import dur, pct, sparkline
from wallboard.ui.panels import AgentsTable, CallsTable, QueuesTable
from wallboard.ui.screens.extension import ExtensionScreen

T0 = 1_760_000_000.0
ACME, BETA = "100000000000000001", "100000000000000002"


@pytest.fixture(autouse=True)
def _utc() -> Iterator[None]:
    with utc():
        yield


def _queue(tenant: str, qid: str, number: str, agents: dict[str, str], t: float) -> str:
    return json.dumps(
        {
            "event_type": "queue_status",
            "tenant_id": tenant,
            "queue_id": qid,
            "queue_number": number,
            "queue_name": f"Queue {number}",
            "waiting_list": [],
            "agents": [
                {"state": s, "agent_extension_number": ext, "timestamp": str(int(t))}
                for ext, s in agents.items()
            ],
        }
    )


def _agent(tenant: str, qid: str, ext: str, state: str, t: float, **extra: Any) -> str:
    agent = {"state": state, "agent_extension_number": ext, "timestamp": str(int(t)), **extra}
    return json.dumps(
        {
            "event_type": "queue_agent_status",
            "queue_id": qid,
            "tenant_id": tenant,
            "updated_agents": [agent],
        }
    )


def test_sparkline_draws_the_hour_relative_to_its_peak() -> None:
    now = T0 + 3600
    minute = 60.0
    trend = [(T0 + 5 * minute, 0), (T0 + 30 * minute, 4), (T0 + 55 * minute, 8)]
    line = sparkline(trend, now, width=12)
    assert len(line) == 12
    assert line[0] == " "  # before the first sample: nothing to draw
    assert line[1] == "▁" and line[5] == "▁"  # none waiting: the lowest block
    assert line[6] == "▅" and line[10] == "▅"  # 4 of a peak of 8, carried on
    assert line[11] == "█"  # the peak
    # Before the first sample of the hour there is nothing to draw.
    assert sparkline([(T0 + 50 * minute, 2)], now, width=12).startswith(" " * 10)
    assert sparkline([], now) == ""


async def test_queue_table_trend_column_and_totals_row_from_the_sums() -> None:
    app = replay_app()
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause()
        table = app.query_one("#ov-queues", QueuesTable)
        keys = [c.key for c in table.visible_columns]
        assert "trend" in keys  # room for it at 200 columns
        trend = table.column_text("trend")
        assert all(len(t) == 12 for t in trend) and any(t.strip() for t in trend)
        # The totals row: the model's sums, KPIs from the sums (never an average of %).
        doc = state_document(app.state)["totals"]
        foot = dict(zip(keys, table.footer_text() or [], strict=True))
        assert foot["number"] == "Total"
        assert foot["waiting"].rstrip("!") == str(doc["waiting"])
        assert foot["answered"] == str(doc["answered"])
        assert foot["offered"] == str(doc["offered"])
        assert foot["abandoned"] == str(doc["abandoned"])
        assert foot["sl"].rstrip("!") == pct(doc["service_level_pct"])
        assert foot["asa"] == dur(doc["average_answer_s"])
        assert foot["ready"] == str(doc["agents_ready"])
        mean_of_rows = sum(float(r[keys.index("sl")].rstrip("%!")) for r in table.shown_text()) / 3
        assert foot["sl"].rstrip("%!") != f"{mean_of_rows:.0f}"  # not a mean of the rows
        # Pinned under the rows, not one of them (not sorted, not selectable).
        assert len(table.rows) == 3
        lines = table.screen_text()
        assert lines[4].lstrip().startswith("Total")
    app = replay_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.query_one("#ov-queues", QueuesTable)
        assert "trend" not in [c.key for c in table.visible_columns]  # no room at 80


async def test_wall_queue_page_has_the_totals_row() -> None:
    app = replay_app()
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press("w")
        await pilot.pause()
        await pilot.press("right")  # wall page 2: the queues
        await pilot.pause()
        app.refresh_now(tick=True)
        await pilot.pause()
        total = app.screen.query_one(".wq-total")
        doc = state_document(app.state)["totals"]
        assert "All queues" in str(total.query_one(".wq-name").render())
        assert total.query_one(".wq-waiting").value == str(doc["waiting"])  # type: ignore[attr-defined]


async def test_a_queue_with_its_own_thresholds_is_coloured_by_them() -> None:
    own = Thresholds(waiting_warn=1, waiting_crit=5, service_level_warn=90, service_level_crit=75)
    app = replay_app()
    app.queue_thresholds = {"8003": own}
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        table = app.query_one("#ov-queues", QueuesTable)
        cells = {k: table.format_row(k, table.rows.get(k)) for k in table.rows}
        by_number = {c[1][0]: c for c in cells.values()}
        i_wait = [c.key for c in table.COLUMNS].index("waiting")
        i_sl = [c.key for c in table.COLUMNS].index("sl")
        # 8003 (1 waiting, 73 %) under its own thresholds: warn and crit.
        assert by_number["8003"][i_wait][1] == "vtable--warn"
        assert by_number["8003"][i_sl] == ("73%!", "vtable--crit")
        # 8001 under the board's: 0 waiting is fine, 80 % is not below 80.
        assert by_number["8001"][i_wait][1] == ""


def _two_tenants() -> WallboardState:
    state = WallboardState()
    state.names.set_tenant_names({ACME: "Acme"})
    for frame in (
        _queue(ACME, "900000000000000001", "8001", {"101": "READY", "102": "NOT_READY"}, T0),
        _queue(BETA, "900000000000000002", "8001", {"101": "QUEUE_CALL"}, T0),
    ):
        state.apply_frame(frame)
    return state


async def test_two_tenants_show_a_tenant_column_and_one_row_per_tenant_agent() -> None:
    app = bare_app(_two_tenants())
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.press("3")
        await pilot.pause()
        agents = app.query_one("#agents-table", AgentsTable)
        assert set(agents.rows) == {(ACME, "101"), (ACME, "102"), (BETA, "101")}
        assert agents.visible_columns[0].key == "tenant"
        rows = agents.shown_rows()
        assert rows[(ACME, "101")][:2] == ["Acme", "101"]  # the tenant's name
        assert rows[(BETA, "101")][:2] == [BETA, "101"]  # no name known: its id
        await pilot.press("2")
        await pilot.pause()
        queues = app.query_one("#queues-table", QueuesTable)
        assert queues.visible_columns[0].key == "tenant"
        assert sorted(r[0] for r in queues.shown_text()) == sorted(["Acme", BETA])
        # Enter on an agent opens that tenant's extension.
        await pilot.press("3")
        await pilot.pause()
        agents.move_cursor((BETA, "101"))
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ExtensionScreen) and app.screen.ext_key == (BETA, "101")
        calls = app.query_one("#calls-table", CallsTable)
        assert "tenant" in [c.key for c in calls.visible_columns]


async def test_one_tenant_shows_no_tenant_column() -> None:
    state = WallboardState()
    state.apply_frame(_queue(ACME, "900000000000000001", "8001", {"101": "READY"}, T0))
    app = bare_app(state)
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.press("3")
        await pilot.pause()
        agents = app.query_one("#agents-table", AgentsTable)
        assert "tenant" not in [c.key for c in agents.visible_columns]


def _agent_day() -> WallboardState:
    """101: ready 10 s, a queue call of 60 s, 30 s wrap-up, ready 30 s, not ready 60 s."""
    state = WallboardState()
    state.names.set_overrides({"101": "Nadia Novak"})
    frames = [
        _queue(ACME, "900000000000000001", "8001", {"101": "READY", "102": "READY"}, T0),
        _agent(
            ACME,
            "900000000000000001",
            "101",
            "QUEUE_CALL",
            T0 + 10,
            session_id="s1",
            caller_number="555",
        ),
        _agent(ACME, "900000000000000001", "101", "WRAP_UP", T0 + 70),
        _agent(ACME, "900000000000000001", "101", "READY", T0 + 100),
        _agent(ACME, "900000000000000001", "101", "NOT_READY", T0 + 130),
        _agent(ACME, "900000000000000001", "102", "NOT_READY", T0 + 190),  # the clock moves on
    ]
    for f in frames:
        state.apply_frame(f)
    return state


async def test_agent_table_shows_todays_numbers_where_there_is_room() -> None:
    app = bare_app(_agent_day())
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.press("3")
        await pilot.pause()
        agents = app.query_one("#agents-table", AgentsTable)
        keys = [c.key for c in agents.visible_columns]
        assert {"answered", "missed", "aht", "not_ready", "occupancy"} <= set(keys)
        row = dict(zip(keys, agents.shown_rows()[(ACME, "101")], strict=True))
        assert row["name"] == "Nadia Novak"
        assert row["answered"] == "1" and row["missed"] == "0"
        assert row["aht"] == "1:30"  # (60 s call + 30 s wrap-up) / 1
        assert row["not_ready"] == "1:00"  # not ready since T0 + 130, now T0 + 190
        assert row["occupancy"] == "69%"  # 90 / (90 + 40 ready)
    app = bare_app(_agent_day())
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("3")
        await pilot.pause()
        agents = app.query_one("#agents-table", AgentsTable)
        assert "occupancy" not in [c.key for c in agents.visible_columns]  # no room


async def test_agent_detail_always_shows_todays_numbers() -> None:
    app = bare_app(_agent_day())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.open_detail("agent", (ACME, "101"))
        await pilot.pause()
        text = str(app.screen.query_one(".info").render())
        assert "answered 1" in text and "missed 0" in text
        assert "AHT 1:30" in text and "not ready 1:00" in text and "occupancy 69%" in text
