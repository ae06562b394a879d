"""`i`: the focused number explained, with its formula and the inputs it came from.

The hand-computed day of `history_helpers.two_tenants_state`: queue 8001 has
9 offered, 7 answered (6 within 20 s; waits 5+10+15+20+40+8+12 = 110 s), 2
abandoned (one short, 3 s); queue 9001 has 1 answered (30 s) and 2
abandoned. The simulated morning checks every tile against its explanation.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from history_helpers import morning_state, two_tenants_state
from ui_helpers import bare_app, utc
from wallboard.ui.explainscreen import ExplainScreen
from wallboard.ui.panels import AgentsTable, QueuesTable
from wallboard.ui.tiles import ExplainableTiles
from wallboard.ui.widgets import TILES, KpiTiles

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(autouse=True)
def _utc() -> Iterator[None]:
    with utc():
        yield


def shown(app: object) -> ExplainScreen:
    screen = app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, ExplainScreen)
    return screen


async def test_i_on_a_queue_row_explains_that_queue_with_its_own_settings() -> None:
    app = bare_app(two_tenants_state())
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        assert isinstance(app.focused, QueuesTable) and app.focused.cursor_key == "qa"
        await pilot.press("i")
        await pilot.pause()
        body = shown(app).body
        assert body.subject.title == "Queue 8001 Acme Sales"
        e = body.current
        assert e is not None and e.title == "Service level" and e.value == "67 %"
        assert e.formula == "answered within target ÷ (answered + abandoned)"
        assert e.inputs == (
            "SL 67 % = 6 answered within 20 s ÷ (7 answered + 2 abandoned); "
            "1 of the abandons within 5 s (counted)"
        )
        assert body.settings == (
            "answer target 20 s · SL definition answered_abandoned · short abandons ≤ 5 s"
        )
        text = body.render_text().plain
        assert "Inputs   SL 67 % = 6 answered within 20 s" in text
        await pilot.press("right")
        e = body.current
        assert (
            e is not None and e.inputs == "ASA 15 s = 110 s ÷ 7 answered"
        )  # 15.7 s, cut like the board
        await pilot.press("i")  # i again: the next number
        assert body.current is not None and body.current.title == "Abandon rate"
        assert body.current.inputs == (
            "22 % = 2 abandoned ÷ 9 callers whose wait ended (1 short abandons among them)"
        )
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ExplainScreen)


async def test_i_on_the_tiles_explains_the_picked_tile_totals() -> None:
    app = bare_app(two_tenants_state())
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await pilot.press("shift+tab")
        tiles = app.focused
        assert isinstance(tiles, ExplainableTiles) and tiles.picked_key == "sl"
        await pilot.press("i")
        await pilot.pause()
        body = shown(app).body
        assert body.subject.title == "Totals · all queues"
        e = body.current
        # 6 within / (8 answered + 4 abandoned); both queues have the 20 s target.
        assert e is not None and e.value == "50 %"
        assert e.inputs.startswith("SL 50 % = 6 answered within 20 s ÷ (8 answered + 4 abandoned)")
        assert body.settings.startswith("2 queues summed · answer target 20 s")
        await pilot.press("escape", "right", "enter")  # the next tile: ASA; Enter explains too
        await pilot.pause()
        e = shown(app).body.current
        assert (
            e is not None and e.inputs == "ASA 17 s = 140 s ÷ 8 answered"
        )  # 17.5 s, as the tile: 0:17


def seconds(text: str) -> float | None:
    """A shown duration or count as a number: '1:05' and '65 s' are both 65."""
    text = text.replace("%", "").replace(" s", "").strip()
    if text in ("-", "—", ""):
        return None
    if ":" in text:
        parts = [int(p) for p in text.split(":")]
        return float(parts[0] * 60 + parts[1]) if len(parts) == 2 else float(parts[0] * 3600)
    return float(re.sub(r"[^0-9.]", "", text))


async def test_every_tile_agrees_with_its_explanation() -> None:
    app = bare_app(morning_state(hours=2.0))
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        app.refresh_now(tick=True)
        tiles = app.query_one(ExplainableTiles)
        values = tiles.values()
        state = app.state
        assert values["waiting"] != "0"  # a busy morning: something to explain
        for i, (key, _, _) in enumerate(TILES):
            tiles.picked = i
            subject = tiles.explain_subject()
            items, _ = subject.build(state, state.pbx_now())
            first = dict(items)[subject.first]
            assert seconds(first.value) == seconds(values[key] or ""), key


async def test_i_on_an_agent_row_explains_the_agent_day() -> None:
    app = bare_app(morning_state(hours=2.0))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("3")
        await pilot.pause()
        table = app.focused
        assert isinstance(table, AgentsTable)
        tenant, number = table.cursor_key  # agents are keyed (tenant, number)
        await pilot.press("i")
        await pilot.pause()
        body = shown(app).body
        day = app.state.agent_days[(tenant, number)]
        name = app.state.names.name(tenant, number)
        assert body.subject.title == f"Agent {number} {name}"
        e = body.current
        assert e is not None and e.title == "Agent's day"
        assert e.value == f"{day.answered} answered"
        assert e.inputs.startswith(f"{day.answered} answered, {day.missed} missed; ")
        await pilot.press("right")
        e = body.current
        assert e is not None and e.title == "Occupancy"
        now = app.state.pbx_now()
        talk = day.seconds("QUEUE_CALL", now)
        assert f"({talk:.0f} s + " in e.inputs


async def test_i_on_the_history_chart_explains_the_interval_under_the_cursor() -> None:
    app = bare_app(two_tenants_state())
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("6", "left", "i")
        await pilot.pause()
        body = shown(app).body
        assert body.subject.title == "All queues · 12:00–12:15"
        e = body.current
        assert e is not None and e.inputs.startswith(
            "SL 40 % = 4 answered within their queue's target ÷ (6 answered + 4 abandoned)"
        )
        await pilot.press("escape", "full_stop", "left", "i")
        await pilot.pause()
        body = shown(app).body
        assert body.subject.title == "Queue 8001 Acme Sales · 12:00–12:15"
        e = body.current
        assert e is not None and e.inputs.startswith(
            "SL 57 % = 4 answered within 20 s ÷ (5 answered + 2 abandoned)"
        )


async def test_the_palette_explains_a_number_by_name() -> None:
    app = bare_app(two_tenants_state())
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("shift+tab")  # the tiles: totals
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Explain: abandon rate")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        e = shown(app).body.current
        assert e is not None and e.title == "Abandon rate"
        assert e.inputs.startswith("33 % = 4 abandoned ÷ 12 callers whose wait ended")


async def test_explanations_stay_live_while_open() -> None:
    from history_helpers import NOON, T1, apply_all, visit

    app = bare_app(two_tenants_state())
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("i")
        await pilot.pause()
        body = shown(app).body
        assert body.current is not None and body.current.value == "67 %"
        apply_all(app.state, visit(T1, "qa", "late", NOON + 1200, 30, "abandoned"))
        app.refresh_now(tick=True)
        # 6 within / (7 + 3)
        assert body.current is not None and body.current.value == "60 %"
        assert app.query_one(KpiTiles) is not None


async def test_hostile_queue_and_caller_names_are_explained_literally() -> None:
    from hostile import FIXTURE
    from wallboard.feed.replay import replay_into
    from wallboard.model import WallboardState

    unsafe = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
    st = WallboardState()
    replay_into(st, FIXTURE)
    app = bare_app(st)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("2")
        await pilot.pause()
        table = app.focused
        assert isinstance(table, QueuesTable)
        await pilot.press("i")
        await pilot.pause()
        body = shown(app).body
        assert "Blink[/]" in body.subject.title and not unsafe.search(body.subject.title)
        screen = "\n".join(s.text for s in app.screen._compositor.render_strips())
        assert "Blink[/]" in screen and not unsafe.search(screen)
