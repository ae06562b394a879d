"""What a newcomer saw on the first day, fixed: each one checked on the real app."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from scenario import T0, call
from ui_helpers import bare_app, replay_app, state_from, utc
from wallboard.protocol.parse import parse_object
from wallboard.ui.panels import AgentsTable, CallsTable, QueuesTable, TrunksTable
from wallboard.ui.widgets import KpiTile


@pytest.fixture(autouse=True)
def _utc() -> Iterator[None]:
    with utc():
        yield


def _labels(app: object) -> dict[str, str]:
    return {
        str(t.id): str(t.query_one(".tile-label").render())
        for t in app.query(KpiTile)  # type: ignore[attr-defined]
    }


async def test_tile_labels_are_whole_words_where_they_fit() -> None:
    app = replay_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        labels = _labels(app)
        assert labels["kpi-answered"] == "Answered"
        assert labels["kpi-abandoned"] == "Abandoned"
        assert labels["kpi-notready"] == "Not ready"
    app = replay_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        labels = _labels(app)
        shorts = 0
        for tile in app.query(KpiTile):
            width = tile.content_region.width
            fits = len(tile.label) <= width
            assert labels[str(tile.id)] == (tile.label if fits else tile.short)
            shorts += not fits
        assert shorts  # 8 or 9 columns a tile: "Service lvl" does not fit


async def test_queue_table_fits_80_columns_without_a_scrollbar_band() -> None:
    app = replay_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.query_one("#ov-queues", QueuesTable)
        assert not table.show_horizontal_scrollbar
        assert table.virtual_size.width <= table.scrollable_content_region.width
        # Optional columns made room; the key figures stay.
        keys = [c.key for c in table.visible_columns]
        assert {"number", "waiting", "longest", "sl", "answered"} <= set(keys)
        assert len(keys) < len(table.COLUMNS)
    app = replay_app()
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        table = app.query_one("#ov-queues", QueuesTable)
        # Every column but Tenant (one tenant here) fits at 160.
        assert [c.key for c in table.visible_columns] == [
            c.key for c in table.COLUMNS if c.key != "tenant"
        ]


async def test_a_caller_without_a_name_is_shown_once() -> None:
    state = state_from(
        [call("call_start", "a", T0, "04962366475", "101", caller_display_name="04962366475")]
    )
    app = bare_app(state)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("4")
        await pilot.pause()
        rows = app.query_one("#calls-table", CallsTable).shown_text()
        assert rows[0][0] == "04962366475"


async def test_the_name_column_waits_for_a_name() -> None:
    app = replay_app()  # the demo replay knows no extension names
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        table = app.query_one("#ov-agents", AgentsTable)
        assert "name" not in [c.key for c in table.visible_columns]
        app.state.names.set_overrides({"101": "Nadia Novak"})
        app.derived.reset()  # names changed: every row again
        app.refresh_now(tick=True)
        await pilot.pause()
        assert "name" in [c.key for c in table.visible_columns]
        rows = {key[1]: cells for key, cells in table.shown_rows().items()}
        assert "Nadia Novak" in rows["101"]


async def test_no_trunk_panel_where_the_pbx_has_no_trunk_topic() -> None:
    state = state_from([call("call_start", "a", T0, "5551234", "101")])
    state.source.dialect = "v16"
    app = bare_app(state)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press("5")
        await pilot.pause()
        trunks = app.query_one("#trunks", TrunksTable)
        log = app.query_one("#log")
        assert not trunks.display
        assert log.region.width > 150  # the log takes the row
        # A trunk after all (a recording, a future dialect): the panel comes back.
        state.apply(
            parse_object(
                {"event_type": "trunk_connected", "trunk_name": "SIP-1", "time": str(int(T0 + 1))}
            )
        )
        app.refresh_now()
        await pilot.pause()
        app.refresh_now()
        assert trunks.display and [r[0] for r in trunks.shown_text()] == ["SIP-1"]
    app = replay_app()  # v12: trunks are a topic there
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press("5")
        await pilot.pause()
        assert app.query_one("#trunks", TrunksTable).display


async def test_queue_detail_keeps_room_for_the_day_charts() -> None:
    app = replay_app()
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        await pilot.press("down", "enter")
        await pilot.pause()
        charts = app.screen.query_one("#queue-day-charts")
        tables = app.screen.query_one("#queue-tables")
        assert charts.region.height >= 15
        assert tables.region.height <= 25
