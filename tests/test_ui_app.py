"""Driving the wallboard with the keyboard: pages, panels, filter, sort, details, wall, pause."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual.geometry import Region

from scenario import T0, TENANT, agent_status, call
from ui_helpers import bare_app, replay_app, state_from, utc
from wallboard.model import WallboardState
from wallboard.protocol.parse import parse_object
from wallboard.ui.app import PAGES, WallboardApp
from wallboard.ui.panels import AgentsTable, CallsTable, QueuesTable, RowsPanel
from wallboard.ui.screens.call import CallScreen
from wallboard.ui.screens.extension import ExtensionScreen
from wallboard.ui.screens.help import HelpScreen
from wallboard.ui.screens.queue import QueueScreen
from wallboard.ui.screens.wall import WALL_PAGES, WallScreen
from wallboard.ui.widgets import AlertBar, KpiTiles, StatusLine


@pytest.fixture(autouse=True)
def _utc() -> Iterator[None]:
    with utc():
        yield


def _rows(app: WallboardApp, selector: str) -> list[list[str]]:
    return app.screen.query_one(selector, RowsPanel).shown_text()


async def test_pages_and_panel_focus() -> None:
    app = replay_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.page == "overview"
        assert isinstance(app.focused, QueuesTable)
        await pilot.press("tab")
        assert isinstance(app.focused, AgentsTable)
        await pilot.press("shift+tab")
        assert isinstance(app.focused, QueuesTable)
        for n, (page, _) in enumerate(PAGES, 1):
            await pilot.press(str(n))
            await pilot.pause()
            assert app.page == page
            # The focused panel is on the page now shown.
            assert app.focused is not None
            assert app.focused in app.query_one(f"#{page}").query("*")
        # Every panel on the system page is reachable with Tab.
        await pilot.press("5")
        await pilot.pause()
        seen = set()
        for _ in range(6):
            await pilot.press("tab")
            seen.add(app.focused.id if app.focused else None)
        assert {"extensions", "trunks", "log"} <= seen


async def test_arrows_and_jk_move_the_cursor() -> None:
    app = replay_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("3")
        await pilot.pause()
        table = app.query_one("#agents-table", AgentsTable)
        assert app.focused is table and table.cursor_row == 0
        await pilot.press("j", "j", "down")
        assert table.cursor_row == 3
        await pilot.press("k", "up")
        assert table.cursor_row == 1
        await pilot.press("G")
        assert table.cursor_row == len(table.rows) - 1
        await pilot.press("g")
        assert table.cursor_row == 0


async def test_filter_narrows_and_escape_clears() -> None:
    app = replay_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        all_rows = _rows(app, "#ov-agents")
        await pilot.press("tab", "slash")
        await pilot.press(*"8003")
        await pilot.pause()
        rows = _rows(app, "#ov-agents")
        assert 0 < len(rows) < len(all_rows)
        assert all(any("8003" in c for c in r) for r in rows)
        await pilot.press("enter")  # keep the filter, back to the table
        assert isinstance(app.focused, AgentsTable)
        assert "8003" in str(app.focused.border_title)
        await pilot.press("escape")  # clears the focused table's filter
        await pilot.pause()
        assert len(_rows(app, "#ov-agents")) == len(all_rows)
        # Esc inside the filter bar clears too.
        await pilot.press("slash", *"zzzz")
        await pilot.pause()
        assert _rows(app, "#ov-agents") == []
        await pilot.press("escape")
        await pilot.pause()
        assert len(_rows(app, "#ov-agents")) == len(all_rows)


async def test_sort_cycles_columns_and_reverses() -> None:
    app = replay_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        table = app.query_one("#ov-queues", QueuesTable)
        assert [r[0] for r in table.shown_text()] == ["8001", "8002", "8003"]
        await pilot.press("S")  # reverse the current sort
        assert [r[0] for r in table.shown_text()] == ["8003", "8002", "8001"]
        await pilot.press("s", "s")  # → Wait column (index 2)
        assert table.rows.sort_key == "waiting"
        waits = [int(r[2].rstrip("!").split("+")[0]) for r in table.shown_text()]
        assert waits == sorted(waits)
        assert "sort Wait" in str(table.border_title)


async def test_queue_detail_and_back() -> None:
    app = replay_app()
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        await pilot.press("down", "enter")  # 8002 Support: four callers waiting
        await pilot.pause()
        assert isinstance(app.screen, QueueScreen)
        waiting = _rows(app, "#queue-waiting")
        assert len(waiting) == 4 and all(r[0] == "8002" for r in waiting)
        assert waiting[0][3] == "0:46"  # longest first
        agents = _rows(app, "#queue-agents")
        assert {r[0] for r in agents} == {"102", "105", "108", "111", "114"}
        # Enter on an agent opens the agent; Esc twice is home again.
        await pilot.press("tab", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ExtensionScreen)
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert not isinstance(app.screen, (QueueScreen, ExtensionScreen))
        assert app.page == "overview"


async def test_agent_detail_shows_contacts_and_calls() -> None:
    app = replay_app()
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press("3")
        await pilot.pause()
        await pilot.press("enter")  # first agent: on a queue call
        await pilot.pause()
        assert isinstance(app.screen, ExtensionScreen)
        contacts = _rows(app, "#ext-contacts")
        calls = _rows(app, "#ext-calls")
        assert contacts and contacts[0][1]  # address and user agent shown
        assert len(calls) == 1 and calls[0][2] == "established"
        await pilot.press("1")  # a page key goes straight home
        await pilot.pause()
        assert app.page == "overview" and len(app.screen_stack) == 1


async def test_call_detail() -> None:
    app = replay_app()
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press("4")
        await pilot.pause()
        table = app.query_one("#calls-table", CallsTable)
        sid = table.cursor_key
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CallScreen) and app.screen.session_id == sid
        info = str(app.screen.query_one(".info").render())
        assert "caller" in info and "state" in info


async def test_wall_mode_rotates_and_leaves() -> None:
    app = replay_app()
    app.wall_interval = 0.3
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, WallScreen)
        tiles = app.screen.query_one(KpiTiles)
        values = tiles.values()
        assert values["waiting"] == "5" and values["answered"] == "26"
        assert values["sl"] == "81%"
        wall = app.screen
        await pilot.pause(0.8)  # the rotation timer moved on at least once
        assert wall.rotations >= 1
        assert wall.rotation_timer is not None
        wall.rotation_timer.pause()  # no rotation racing the key press below
        before = wall.page_index
        await pilot.press("right")
        assert wall.page_index == (before + 1) % len(WALL_PAGES)
        await pilot.press("w")
        await pilot.pause()
        assert not isinstance(app.screen, WallScreen)


async def test_help_is_built_from_bindings() -> None:
    app = replay_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        does = {r[1] for r in app.screen.rows}
        for needed in ("Quit", "Help", "Filter", "Sort", "Wall", "Pause", "Theme", "Overview"):
            assert needed in does
        keys = {k for r in app.screen.rows for k in r[0].split(" / ")}
        assert "j" in keys and "/" in keys
        assert ("↓ / j", "Down", "tables") in app.screen.rows
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


def _ringing(sid: str, t: float, caller: str = "5551234") -> list[dict[str, object]]:
    return [call("call_start", sid, t, caller, "101", caller_display_name="New Caller")]


async def test_pause_freezes_the_display_not_the_data() -> None:
    state = WallboardState()
    app = bare_app(state)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("4")
        await pilot.press("p")
        assert app.paused
        for m in _ringing("p1", T0):
            state.apply(parse_object(m))
        app._on_timer()
        await pilot.pause()
        table = app.query_one("#calls-table", CallsTable)
        assert len(table.rows) == 0 and "p1" in state.calls
        assert "PAUSED" in str(app.query_one(StatusLine).render())
        await pilot.press("p")
        await pilot.pause()
        assert not app.paused and len(table.rows) == 1


async def test_keyed_diff_touches_only_changed_cells(monkeypatch: pytest.MonkeyPatch) -> None:
    state = state_from(_ringing("a", T0) + _ringing("b", T0 + 1, "5550002"))
    app = bare_app(state)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("4")
        await pilot.pause()
        table = app.query_one("#calls-table", CallsTable)
        assert len(table.rows) == 2
        changed: list[set[str]] = []
        regions: list[Region] = []

        class Spy:
            def rows_changed(self, keys: object, order: bool) -> None:
                changed.append(set(keys))  # type: ignore[call-overload]

        table.rows.subscribe(Spy())
        orig_refresh = table.refresh

        def spy_refresh(*r: Region, **kw: object) -> object:
            regions.extend(r)
            return orig_refresh(*r, **kw)  # type: ignore[arg-type]

        monkeypatch.setattr(table, "refresh", spy_refresh)
        formats = table.counters.formats
        state.apply(parse_object(call("call_established", "a", T0 + 2, "5551234", "101")))
        app.refresh_now()
        assert changed == [{"a"}]  # row b's record was not even rebuilt into a change
        assert table.counters.formats == formats + 1  # one row formatted again
        # Repainted: cells of row a's line (state, duration, answered by), never its
        # unchanged caller and callee cells, nor row b.
        line_a = table.header_height + table.rows.index_of("a")
        x = sum(c.width + 2 for c in table.visible_columns[:2])
        assert regions and all(r.y == line_a and r.height == 1 for r in regions), regions
        assert Region(x, line_a, 13, 1) in regions and all(r.x >= x for r in regions), regions
        # A new call is one changed row.
        changed.clear()
        state.apply(parse_object(call("call_start", "c", T0 + 2, "5550003", "102")))
        app.refresh_now()
        assert changed == [{"c"}] and len(table.rows) == 3
        # A hidden panel is not painted, but its rows catch up (once a second) and
        # it shows them when shown.
        await pilot.press("1")
        await pilot.pause()
        changed.clear()
        regions.clear()
        state.apply(parse_object(call("call_ended", "a", T0 + 3, "5551234", "101")))
        app.refresh_now()
        assert changed == [] and len(table.rows) == 3
        app.refresh_now(tick=True)
        await pilot.pause()  # hidden tables catch up after the pass has been painted
        assert changed == [{"a"}] and len(table.rows) == 2 and regions == []
        await pilot.press("4")
        await pilot.pause()
        # Longest first: b (started T0+1), then c.
        assert [r[0] for r in table.shown_text()] == ["5550002 New Caller", "5550003"]


async def test_alerts_for_lost_connection_and_trunk() -> None:
    state = state_from(
        [
            {
                "event_type": "trunk_disconnected",
                "tenant_id": TENANT,
                "trunk_name": "PSTN",
                "time": str(int(T0)),
            }
        ]
    )
    src = state.source
    src.kind, src.status, src.retry_in, src.attempt = "live", "reconnecting", 4.0, 3
    src.last_error = "connection refused"
    app = bare_app(state)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        bar = app.query_one(AlertBar)
        assert bar.display
        text = "\n".join(bar.lines)
        assert "CONNECTION LOST" in text and "reconnecting in 4s (attempt 3)" in text
        assert "TRUNK DOWN: PSTN" in text
        status = str(app.query_one(StatusLine).render())
        assert "reconnecting in 4s (attempt 3)" in status
        src.status = "auth_failed"
        app.refresh_now(tick=True)
        assert "auth failed" in str(app.query_one(StatusLine).render())
        src.status = "connected"
        state.apply(
            parse_object(
                {
                    "event_type": "trunk_connected",
                    "tenant_id": TENANT,
                    "trunk_name": "PSTN",
                    "time": str(int(T0 + 5)),
                }
            )
        )
        src.last_frame_at = app.wall_clock()
        app.refresh_now(tick=True)
        assert not bar.display


async def test_thresholds_color_the_tiles() -> None:
    app = replay_app()
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        assert app.query_one("#kpi-waiting").has_class("-warn")  # 5 waiting: warn at 3
        assert app.query_one("#kpi-longest").has_class("-warn")  # 0:46: warn at 30 s
        answered = app.query_one("#kpi-answered")
        assert not answered.has_class("-warn") and not answered.has_class("-crit")


async def test_quit_exits_zero() -> None:
    app = replay_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("q")
    assert app.return_code == 0


async def test_theme_cycles() -> None:
    app = replay_app()
    async with app.run_test(size=(80, 24)) as pilot:
        before = app.theme
        await pilot.press("t")
        assert app.theme != before


async def test_many_rows_removed_at_once_keep_the_table_consistent() -> None:
    msgs = []
    for i in range(60):
        msgs += _ringing(f"m{i:02d}", T0 + i, f"555{i:04d}")
    state = state_from(msgs)
    app = bare_app(state)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("4")
        await pilot.pause()
        table = app.query_one("#calls-table", CallsTable)
        assert len(table.rows) == 60
        table.move_cursor(table.rows.key_at(59))
        for i in range(0, 60, 2):  # every other call ends in one refresh
            state.apply(parse_object(call("call_ended", f"m{i:02d}", T0 + 100, "1", "101")))
        app.refresh_now(tick=True)
        await pilot.pause()
        assert len(table.rows) == 30
        assert set(table.shown_rows()) == {f"m{i:02d}" for i in range(1, 60, 2)}
        assert len({r[0] for r in table.shown_text()}) == 30  # display order intact
        assert 0 <= table.cursor_row < 30
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CallScreen)


async def test_command_palette_opens_a_queue_by_name() -> None:
    app = replay_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Billing")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, QueueScreen)
        assert app.state.queues[app.screen.queue_id].name == "Billing"


async def test_bell_rings_on_a_new_sla_breach_only_when_enabled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    state = state_from([])
    app = bare_app(state)
    rings: list[int] = []
    monkeypatch.setattr(app, "bell", lambda: rings.append(1))
    breach = {
        "event_type": "queue_sla_breached",
        "tenant_id": TENANT,
        "queue_id": "q1",
        "caller": "5550000",
        "sla_time_secs": 20,
        "time": str(int(T0)),
    }
    async with app.run_test(size=(80, 24)) as pilot:
        state.apply(parse_object(breach))
        app.refresh_now()
        assert rings == []  # off by default
        await pilot.press("b")
        assert app.bell_enabled
        state.apply(parse_object({**breach, "time": str(int(T0 + 1))}))
        app.refresh_now()
        assert rings == [1]


async def test_status_line_says_when_the_pbx_clock_is_off() -> None:
    now = [T0 + 100.0]
    state = WallboardState(lambda: now[0])
    state.source.kind = "live"
    app = bare_app(state, wall_clock=lambda: now[0])
    async with app.run_test(size=(200, 30)) as pilot:
        # In step: nothing said.
        state.apply(parse_object(call("call_start", "a", now[0], "101", "102")), now[0])
        app.refresh_now(tick=True)
        await pilot.pause()
        assert "PBX clock" not in str(app.query_one(StatusLine).render())
        # The PBX runs 63 s behind us.
        for i in range(40):
            now[0] += 1
            ev = parse_object(call("call_start", f"s{i}", now[0] - 63, "101", "102"))
            state.apply(ev, now[0])
        app.refresh_now(tick=True)
        await pilot.pause()
        assert "PBX clock -63 s" in str(app.query_one(StatusLine).render())


async def test_a_ready_agent_beside_a_caller_is_being_rung() -> None:
    """The queue rings an agent before their state changes: the row says 'ringing'."""
    msgs = [
        agent_status("Q1", "101", "READY", T0),
        call("call_start", "r1", T0 + 1, "5551234", "101", direction="in"),
    ]
    state = state_from(msgs)
    app = bare_app(state)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press("3")
        app.refresh_now()
        await pilot.pause()
        row = _rows(app, "#agents-table")[0]
        assert "Ready" in row and any(c.startswith("ringing 5551234") for c in row)
        # Answered: the same caller, no longer 'ringing' (the call is talking now).
        state.apply(parse_object(call("call_established", "r1", T0 + 5, "5551234", "101")))
        app.refresh_now()
        await pilot.pause()
        row = _rows(app, "#agents-table")[0]
        assert any(c.startswith("5551234") for c in row)
        assert not any(c.startswith("ringing") for c in row)


async def test_a_flat_out_replay_redraws_once_a_second() -> None:
    """`replay --speed 0`: the timer's passes between two seconds are skipped (they
    redid most rows for a picture 0.2 s old); a live board redraws on every pass."""
    clock = [T0 + 0.1]
    state = WallboardState()
    app = bare_app(state, wall_clock=lambda: clock[0])
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("4")
        app._on_timer()  # this second's pass
        table = app.query_one("#calls-table", CallsTable)
        state.source.flat_out = True
        for m in _ringing("f1", T0):
            state.apply(parse_object(m))
        clock[0] = T0 + 0.3  # the same second: skipped
        app._on_timer()
        assert len(table.rows) == 0
        clock[0] = T0 + 1.1  # the next second: drawn
        app._on_timer()
        assert len(table.rows) == 1
        state.source.flat_out = False  # live (or paced) again: every pass draws
        for m in _ringing("f2", T0 + 1, "5550002"):
            state.apply(parse_object(m))
        clock[0] = T0 + 1.3
        app._on_timer()
        await pilot.pause()
        assert len(table.rows) == 2
