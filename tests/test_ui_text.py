"""Untrusted PBX text is shown literally and safely, and never crashes the app."""

from __future__ import annotations

from rich.text import Text

from scenario import T0, TENANT, call, caller_status
from ui_helpers import bare_app, state_from
from wallboard.ui.panels import CallsTable, WaitingTable
from wallboard.ui.screens.call import CallScreen
from wallboard.ui.text import REPLACEMENT, Cell, literal, safe_text

HOSTILE = [
    "[/x]",
    "[@click=app.quit]x",
    "[bold red]fake[/]",
    "\x1b]0;pwned\x07",
    "\x1b[2J\x1b[H",
    "\u202eevil\u202c",
    "a\nb\tc\rd",
    "\x9b31m",
    "x" * 500,
]


def test_safe_text_replaces_controls_and_bidi() -> None:
    assert safe_text("\x1b]0;pwned\x07") == f"{REPLACEMENT}]0;pwned{REPLACEMENT}"
    assert safe_text("\u202eevil") == f"{REPLACEMENT}evil"
    assert safe_text("\u2066x\u2069") == f"{REPLACEMENT}x{REPLACEMENT}"
    assert safe_text("a\nb\tc") == "a b c"
    assert safe_text("\x9b") == REPLACEMENT  # C1 CSI
    assert safe_text(None) == ""
    assert safe_text(12) == "12"
    assert safe_text("Zoë 李 😀") == "Zoë 李 😀"  # printable Unicode stays


def test_safe_text_bounds_length() -> None:
    out = safe_text("x" * 500, 20)
    assert len(out) == 20 and out.endswith("…")
    assert safe_text("short", 20) == "short"


def test_cells_are_literal_text_not_markup() -> None:
    c = Cell("[@click=app.quit]x", "bold", 1)
    assert isinstance(c, Text)
    assert c.plain == "[@click=app.quit]x" and c.sort == 1
    assert literal("[/x]").plain == "[/x]"


def _hostile_state():  # type: ignore[no-untyped-def]
    msgs = []
    for i, name in enumerate(HOSTILE):
        m = call("call_start", f"s{i}", T0 + i, "5550100", "101")
        m["caller_display_name"] = name
        m["caller_name"] = name
        m["caller"] = name  # even the number field is attacker-controlled
        msgs.append(m)
    msgs.append(
        {
            "event_type": "queue_status",
            "tenant_id": TENANT,
            "queue_id": "q1",
            "queue_number": "8001",
            "queue_name": "[/x][@click=app.quit]Q\x1b[31m",
            "waiting_callers": [],
            "agents": [],
            "time": str(int(T0)),
        }
    )
    msgs.append(caller_status("q1", "w1", "enqueue", T0, number="[/x]\x1b]0;t\x07"))
    msgs.append(
        {
            "event_type": "trunk_disconnected",
            "tenant_id": TENANT,
            "trunk_name": "[/x]\u202eT",
            "time": str(int(T0)),
        }
    )
    return state_from(msgs)


async def test_hostile_strings_render_literally_and_do_not_crash() -> None:
    state = _hostile_state()
    app = bare_app(state)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        for page in "12345":
            await pilot.press(page)
            await pilot.pause()
        app.refresh_now(tick=True)
        await pilot.press("4")
        await pilot.pause()
        calls = app.query_one("#calls-table", CallsTable)
        text = "\n".join(" ".join(r) for r in calls.shown_text())
        assert "[/x]" in text
        assert "[@click=app.quit]x" in text
        assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text
        assert REPLACEMENT in text
        # Click every row: a markup action would quit the app here.
        for row in range(len(calls.rows)):
            calls.move_cursor(calls.rows.key_at(row))
            await pilot.click(calls, offset=(3, row + 2))
            await pilot.pause()
        assert app.is_running
        while len(app.screen_stack) > 1:
            app.pop_screen()
        await pilot.pause()
        # Detail screen of a hostile call, the queue, the waiting caller, the alert bar.
        app.push_screen(CallScreen("s1"))
        await pilot.pause()
        app.pop_screen()
        await pilot.press("2")
        await pilot.pause()
        waiting = app.query_one("#waiting", WaitingTable)
        assert any("[/x]" in cell for row in waiting.shown_text() for cell in row)
        alerts = app.query_one("#alerts")
        assert any("[/x]" in line for line in alerts.lines)  # type: ignore[attr-defined]
        svg = app.export_screenshot()
        assert "pwned" not in svg or "\x1b" not in svg
        await pilot.press("q")
    assert app.return_code == 0


def test_invisible_characters_cannot_spoof_a_number() -> None:
    from wallboard.ui.text import REPLACEMENT, safe_text

    assert safe_text("1\u200b01") == f"1{REPLACEMENT}01"
    assert safe_text("1\u206001") == f"1{REPLACEMENT}01"
    # Emoji sequences keep their joiner.
    assert safe_text("👩\u200d💻") == "👩\u200d💻"
