"""Hostile PBX text through the whole TUI (issue 7): tests/fixtures/hostile.jsonl, replayed.

Every string a stranger can choose (a caller's display name, a trunk name, a
queue name from a compromised PBX, an error text) must reach the screen
literally: markup shown as text and never run, escape / C1 / bidi characters
replaced, long values cut for display. The app keeps running, every bad frame
is counted, and the normal event after them still applies.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from typing import Any

import pytest
from textual.fuzzy import Matcher

from hostile import FIXTURE, HOSTILE_INVALID, HOSTILE_NAMES, HOSTILE_UNKNOWN, hostile_lines
from ui_helpers import bare_app, utc
from wallboard.feed.paced import replay_feed
from wallboard.model import WallboardState
from wallboard.protocol.events import Reply
from wallboard.ui.app import WallboardApp, literal_highlight
from wallboard.ui.panels import CallsTable, EventLog, RowsPanel, TrunksTable, WaitingTable
from wallboard.ui.screens.call import CallScreen
from wallboard.ui.screens.extension import ExtensionScreen
from wallboard.ui.screens.help import HelpScreen
from wallboard.ui.screens.queue import QueueScreen
from wallboard.ui.text import REPLACEMENT, safe_text

pytestmark = pytest.mark.timeout(120)

# Never on screen: C0 (newlines join the lines below), DEL, C1, bidi controls.
UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture(autouse=True)
def _utc() -> Iterator[None]:
    with utc():
        yield


def screen_text(app: WallboardApp) -> str:
    """What the terminal would show now, one line per row (the compositor's strips)."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def data_actions(app: WallboardApp) -> list[str]:
    """`@click` actions on screen that came from data (markup that was run, not shown)."""
    out = []
    for strip in app.screen._compositor.render_strips():
        for seg in strip:
            style = seg.style
            meta = style.meta if style is not None else {}
            click = meta.get("@click")
            if click and "app.quit" in str(click):
                out.append(str(click))
            if style is not None and style.link and "evil" in style.link:
                out.append(style.link)
    return out


def assert_clean(app: WallboardApp, where: str, svg: bool = False) -> str:
    """No unsafe character and no data-made action on screen; returns the screen text."""
    text = screen_text(app)
    bad = UNSAFE.findall(text)
    assert not bad, f"{where}: {bad[:5]!r}"
    assert not data_actions(app), where
    if svg:  # the exported screenshot too (slow: only where it matters)
        image = app.export_screenshot()
        assert "\x1b" not in image and "\u202e" not in image and "\x9b" not in image, where
    return text


async def replayed(app: WallboardApp, pilot: Any) -> None:
    async with asyncio.timeout(20):
        while app.state.source.status != "finished":
            await asyncio.sleep(0.01)
    app.refresh_now(tick=True)
    await pilot.pause()


async def test_hostile_replay_every_page_and_screen_shows_literal_safe_text() -> None:
    app = bare_app(WallboardState(), feed=replay_feed(FIXTURE, 0.0), feed_label="replay")
    async with app.run_test(size=(160, 50)) as pilot:
        await replayed(app, pilot)
        st = app.state
        # Every bad frame counted, the normal one after them applied.
        assert st.invalid == HOSTILE_INVALID
        assert st.unknown == HOSTILE_UNKNOWN
        assert st.frames == len(hostile_lines())
        assert st.frames == st.events + st.replies + st.unknown + st.invalid
        assert "after-hostile" in st.trunks and st.trunks["after-hostile"].connected

        pages: dict[str, str] = {}
        for n in "12345":
            await pilot.press(n)
            await pilot.pause()
            app.refresh_now(tick=True)
            await pilot.pause()
            pages[n] = assert_clean(app, f"page {n}", svg=n in "245")

        # Calls: every hostile name shown literally (sanitised, bounded) in the table.
        await pilot.press("4")
        await pilot.pause()
        calls = app.query_one("#calls-table", CallsTable)
        shown = calls.shown_rows()
        assert set(shown) == {f"h{i}" for i in range(len(HOSTILE_NAMES))}
        for i, name in enumerate(HOSTILE_NAMES):
            caller_cell = shown[f"h{i}"][0]
            assert safe_text(name, 28) in caller_cell, (name, caller_cell)
            assert len(caller_cell) <= 24 + 1 + 28
        # On screen too (the column is narrower than the cell: the start of each).
        assert " [/x] " in pages["4"]  # number and name both "[/x]": shown once
        assert "[link=https://evil.exam" in pages["4"]
        assert f"{REPLACEMENT}]0 {REPLACEMENT}]0;pwned title{REPLACEMENT}" in pages["4"]
        assert f"bidi {REPLACEMENT}txt.exe{REPLACEMENT}" in pages["4"]
        # The model keeps the 5000-character name whole; the screen shows a bounded cut.
        assert st.calls["h12"].caller_name == "L" * 5000
        assert "L" * 100 not in pages["4"] and "L" * 20 in pages["4"]

        # Click (and so select) the rows with markup names: an action would quit the app.
        for row in range(4):
            calls.focus()
            calls.move_cursor(calls.rows.key_at(row))
            await pilot.pause()
            await pilot.click(calls, offset=(3, row + 2))
            await pilot.pause()
            if isinstance(app.screen, CallScreen):
                app.pop_screen()
                await pilot.pause()
            assert app.is_running
        # And open each call's detail by keyboard: full name, bounded, safe.
        # Each kind once: markup, OSC title, OSC 52, CSI, C1, bidi, NUL, 5000 chars.
        for i, name in enumerate(HOSTILE_NAMES):
            if i not in (0, 1, 4, 5, 6, 7, 8, 9, 12):
                continue
            app.open_detail("call", f"h{i}")
            await pilot.pause()
            text = assert_clean(app, f"call h{i}")
            assert "session" in text and f"h{i}" in text
            if len(name) <= 40:  # the whole name, literally (made safe)
                assert safe_text(name) in text, (name, text)
            else:  # bounded for display
                assert "L" * 40 in text and "L" * 100 not in text
            app.pop_screen()
            await pilot.pause()

        # Waiting callers and the queue: literal, with the queue's hostile number/name.
        await pilot.press("2")
        await pilot.pause()
        waiting = app.query_one("#waiting", WaitingTable)
        cells = [c for row in waiting.shown_text() for c in row]
        assert any("[@click=app.quit]click me[/]" in c for c in cells)
        assert any(c.startswith("[red]8001") for c in cells)
        for i in range(min(3, len(waiting.rows))):
            waiting.focus()
            waiting.move_cursor(waiting.rows.key_at(i))
            await pilot.press("enter")
            await pilot.pause()
            assert_clean(app, f"waiting row {i}")
            app.pop_screen()
            await pilot.pause()
        app.open_detail("queue", "q-hostile")
        await pilot.pause()
        app.refresh_now(tick=True)
        await pilot.pause()
        assert isinstance(app.screen, QueueScreen)
        text = assert_clean(app, "queue detail")
        assert "[red]8001" in text and f"{REPLACEMENT}[5mBlink[/] {REPLACEMENT}Sales" in text
        agents_table = app.screen.query_one("#queue-agents", RowsPanel)
        agents = agents_table.shown_text()
        assert agents and agents[0][0] == "[b]101"
        # A state as received (the Name column is hidden: no names known).
        assert agents_table.column_text("state")[0] == safe_text("[@click=app.quit]X", 16)
        assert safe_text("[@click=app.quit]X", 16) in agents[0]
        app.pop_screen()
        await pilot.pause()

        # Agent and extension detail screens (the agent "[b]101", the extension "[/x]").
        for kind, key in (("agent", "[b]101"), ("extension", "/[/x]")):
            app.open_detail(kind, key)
            await pilot.pause()
            assert isinstance(app.screen, ExtensionScreen)
            text = assert_clean(app, f"{kind} {key}")
            assert key.lstrip("/") in text
            app.pop_screen()
            await pilot.pause()

        # System page: trunks, event log (unknown event type shown literally), counters.
        await pilot.press("5")
        await pilot.pause()
        trunks = app.query_one("#trunks", TrunksTable).shown_text()
        names = [r[0] for r in trunks]
        assert "after-hostile" in names
        assert f"{REPLACEMENT}]0;t{REPLACEMENT}[/]trunk" in names
        log = app.query_one("#log", EventLog)
        log_text = "\n".join(log.lines_text())
        assert f"event_type [/x]{REPLACEMENT}]0;x{REPLACEMENT}" in log_text
        assert not UNSAFE.search(log_text)
        assert f"invalid {HOSTILE_INVALID}" in pages["5"]

        # Status line and alerts: the hostile trunk name is there, made safe.
        alerts = app.query_one("#alerts")
        assert any(
            f"TRUNK DOWN: {REPLACEMENT}]0;t{REPLACEMENT}[/]trunk" in line
            for line in alerts.lines  # type: ignore[attr-defined]
        )

        # Help, then the command palette with entries built from data.
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert_clean(app, "help")
        await pilot.press("escape")
        await pilot.pause()
        for query, expect in (("Queue", "Queue [red]8001"), ("Extension", "Extension [/x]")):
            await pilot.press("ctrl+p")
            await pilot.pause(0.2)
            await pilot.press(*query)
            await pilot.pause(0.3)
            text = assert_clean(app, f"palette {query}")
            assert expect in text, text
            await pilot.press("escape")
            await pilot.pause()
        await pilot.press("ctrl+p")
        await pilot.pause(0.2)
        await pilot.press(*"8001")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, QueueScreen) and app.screen.queue_id == "q-hostile"
        app.pop_screen()
        await pilot.pause()

        # Wall mode pages.
        await pilot.press("w")
        await pilot.pause()
        for _ in range(3):
            assert_clean(app, "wall")
            await pilot.press("n")
            await pilot.pause()
        await pilot.press("w")
        await pilot.pause()
        assert app.is_running
        await pilot.press("q")
    assert app.return_code == 0


def test_palette_highlight_is_literal() -> None:
    """The palette's fuzzy highlight must not parse the (PBX-supplied) candidate as markup."""
    m = Matcher("ext")
    for name in ("Extension [/x]", "Extension 5 [@click=app.quit]boom[/]", "Queue [red]8001"):
        content = literal_highlight(m, name)
        assert content.plain == name
        assert all("@click" not in str(span.style) for span in content.spans)
    assert [s.start for s in literal_highlight(m, "Extension 1").spans] == [0, 1, 2]


async def test_errors_from_the_pbx_are_shown_safely_in_status_and_counters() -> None:
    """A reply's error text and the connection's last error are attacker-controlled too."""
    st = WallboardState()
    evil = "\x1b]0;owned\x07[/x][@click=app.quit]denied \u202eroot"
    st.apply(Reply(status=-1, error=evil, command="subscribe queue_events"))
    st.source.kind = "live"
    st.source.status = "reconnecting"
    st.source.last_error = f"the PBX closed the connection (code 4000, unknown code: {evil})"
    st.source.url = "ws://[/x]\x1b[2J@pbx"
    app = bare_app(st)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("5")
        await pilot.pause()
        app.refresh_now(tick=True)
        await pilot.pause()
        text = assert_clean(app, "errors")
        assert "CONNECTION LOST" in text
        assert "code 4000" in text and "[/x][@click=app.quit]denied" in text
        assert "last command error" in text
        log = app.query_one("#log", EventLog)
        assert any("denied" in line for line in log.lines_text())
        await pilot.press("q")
    assert app.return_code == 0
