"""A 5,000-agent table on the virtual table: complete at once, sorted, filtered,
scrolled to its far end, and the cursor stays on its agent through updates."""

from __future__ import annotations

import json

from wallboard.model import WallboardState
from wallboard.ui.app import WallboardApp
from wallboard.ui.panels import AgentsTable

AGENTS = 5_000
QUEUES = 50
T0 = 1_760_000_000.0
TENANT = "883611252155219968"


class Board:
    """5,000 agents in 50 queues (one queue each), as queue_status pictures say them."""

    @staticmethod
    def queue_id(q: int) -> str:
        return str(900_000_000_000_000_000 + q)

    @staticmethod
    def extension(i: int) -> str:
        return str(1000 + i)

    def pictures(self) -> list[str]:
        ts = str(int(T0))
        return [
            json.dumps(
                {
                    "event_type": "queue_status",
                    "tenant_id": TENANT,
                    "queue_id": self.queue_id(q),
                    "queue_number": str(8001 + q),
                    "queue_name": f"Queue {q + 1}",
                    "waiting_list": [],
                    "agents": [
                        {
                            "state": "READY",
                            "agent_extension_number": self.extension(i),
                            "timestamp": ts,
                        }
                        for i in range(q, AGENTS, QUEUES)
                    ],
                }
            )
            for q in range(QUEUES)
        ]


def _board() -> tuple[WallboardState, Board]:
    state = WallboardState()
    gen = Board()
    for frame in gen.pictures():
        state.apply_frame(frame)
    return state, gen


def _agent_status(gen: Board, i: int, status: str, t: float) -> str:
    agent = {"state": status, "agent_extension_number": gen.extension(i), "timestamp": str(int(t))}
    return json.dumps(
        {
            "event_type": "queue_agent_status",
            "queue_id": gen.queue_id(i % QUEUES),
            "tenant_id": TENANT,
            "updated_agents": [agent],
        }
    )


async def test_5000_rows_scroll_to_the_far_end_and_back() -> None:
    state, _gen = _board()
    app = WallboardApp(state, refresh_hz=0, watch_terminal=False)
    async with app.run_test(size=(200, 60)) as pilot:
        await pilot.press("3")
        await pilot.pause()
        table = app.query_one("#agents-table", AgentsTable)
        assert len(table.rows) == AGENTS  # complete in the first refresh: no slices
        assert app.focused is table
        await pilot.press("end")
        await pilot.pause()
        last = table.rows.key_at(AGENTS - 1)
        assert table.cursor_key == last and table.cursor_row == AGENTS - 1
        lines = table.screen_text()
        assert any(line.lstrip().startswith(last[1] + " ") for line in lines), lines[-3:]
        assert int(table.scroll_y) == table.max_scroll_y
        # Only what is in view was ever formatted: a screenful or two, not 5,000 rows.
        assert table.counters.formats < 5 * table.size.height
        for _ in range(3):
            await pilot.press("pageup")
        await pilot.pause()
        assert table.cursor_row < AGENTS - 1 - 2 * (table.size.height - 4)
        await pilot.press("home")
        await pilot.pause()
        assert table.cursor_row == 0 and int(table.scroll_y) == 0


async def test_5000_rows_sort_by_header_click_and_filter() -> None:
    state, gen = _board()
    app = WallboardApp(state, refresh_hz=0, watch_terminal=False)
    async with app.run_test(size=(200, 60)) as pilot:
        await pilot.press("3")
        await pilot.pause()
        table = app.query_one("#agents-table", AgentsTable)
        # Click the "Ext" header label: sorted by extension number, numerically.
        await pilot.click(table, offset=(3, 1))
        await pilot.pause()
        assert table.rows.sort_key == "ext" and not table.rows.reverse
        order = list(table.rows)  # (tenant, extension) keys
        assert order == sorted(order, key=lambda k: int(k[1]))
        await pilot.click(table, offset=(3, 1))  # again: reversed
        await pilot.pause()
        assert list(table.rows) == order[::-1]
        assert "sort Ext↓" in str(table.border_title)
        # Filter on what the user reads: one extension out of 5,000.
        target = gen.extension(4321)
        await pilot.press("slash", *target)
        await pilot.pause()
        keys = list(table.rows)
        assert (TENANT, target) in keys
        assert all(target in " ".join(table.row_text(k)) for k in keys)
        assert len(keys) < 20
        await pilot.press("enter", "escape")
        await pilot.pause()
        assert len(table.rows) == AGENTS


async def test_the_cursor_stays_on_its_agent_while_rows_move() -> None:
    state, gen = _board()
    app = WallboardApp(state, refresh_hz=0, watch_terminal=False)
    async with app.run_test(size=(200, 60)) as pilot:
        await pilot.press("3")
        await pilot.pause()
        table = app.query_one("#agents-table", AgentsTable)
        for _ in range(10):
            await pilot.press("down")
        mine = table.cursor_key
        assert mine is not None and table.cursor_row == 10
        t = T0 + 5
        # 500 agents change state (sorted by state: they all move), mine among them.
        for i in range(0, AGENTS, 10):
            state.apply_frame(_agent_status(gen, i, "NOT_READY", t))
        state.apply_frame(_agent_status(gen, int(mine[1]) - int(gen.extension(0)), "WRAP_UP", t))
        app.refresh_now(tick=True)
        await pilot.pause()
        assert table.cursor_key == mine
        row = table.cursor_row
        assert table.rows.key_at(row) == mine and row != 10
        # Scrolled to it: its line is on screen, painted as the cursor line.
        assert any(line.lstrip().startswith(mine[1] + " ") for line in table.screen_text())
