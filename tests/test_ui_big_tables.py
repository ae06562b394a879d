"""Big tables fill and catch up a slice per refresh, and end complete and sorted."""

from __future__ import annotations

import itertools

from wallboard.bench.stream import StreamGenerator
from wallboard.model import WallboardState
from wallboard.ui.app import WallboardApp
from wallboard.ui.panels import FILL_SLICE, AgentsTable


async def test_a_big_table_fills_a_slice_per_refresh_and_ends_sorted() -> None:
    agents = 2 * FILL_SLICE + 500
    state = WallboardState()
    for frame in StreamGenerator(agents=agents, queues=5).pictures(1_760_000_000.0):
        state.apply_frame(frame)
    app = WallboardApp(state, refresh_hz=0, watch_terminal=False)
    async with app.run_test(size=(160, 50)) as pilot:
        table = app.query_one("#ov-agents", AgentsTable)
        await pilot.pause()
        counts = [table.row_count]  # the app's own first refresh at mount
        for _ in range(5):
            app.refresh_now(tick=True)
            await pilot.pause()
            counts.append(table.row_count)
        # Never more than one slice per refresh, and complete in the end.
        steps = [b - a for a, b in itertools.pairwise(counts)]
        assert 0 < counts[0] <= FILL_SLICE and max(steps) <= FILL_SLICE, counts
        assert counts[-1] == agents
        assert len(table.shown_rows()) == agents
        order = [row[0] for row in table.shown_text()]
        assert order == sorted(order, key=lambda ext: int(ext)), order[:10]


async def test_a_storm_of_new_rows_is_caught_up_a_slice_per_refresh() -> None:
    agents = 2 * FILL_SLICE + 500
    state = WallboardState()
    app = WallboardApp(state, refresh_hz=0, watch_terminal=False)
    async with app.run_test(size=(160, 50)) as pilot:
        table = app.query_one("#ov-agents", AgentsTable)
        await pilot.pause()
        assert table.row_count == 0
        # Every picture at once, as after a reconnect.
        for frame in StreamGenerator(agents=agents, queues=5).pictures(1_760_000_000.0):
            state.apply_frame(frame)
        counts = []
        for _ in range(4):
            app.refresh_now(tick=False)
            await pilot.pause()
            counts.append(table.row_count)
        assert counts == [FILL_SLICE, 2 * FILL_SLICE, agents, agents]
