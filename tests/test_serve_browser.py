"""`wallboard serve` in a real headless Chromium (Debian's `chromium`, over the DevTools protocol).

The terminal is drawn on a canvas, so the page's text is not in the DOM: the
tests read the xterm.js buffer through `window.wallboard.screenText()`.
Nothing here ever clicks or types (a check asserts no `Input.*` command was
sent): a TV on a wall has nobody to do it.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
from pathlib import Path

import pytest

from browser_helpers import Browser, need_chromium
from serve_helpers import ServeProcess, cmdline, wait_gone, write_tokens
from wallboard.serve.server import COOKIE

pytestmark = pytest.mark.slow

QUEUE_ROW = re.compile(r"│ (800[1-4]) +(Sales|Support|Billing|Onboarding|\S+)? ")


@pytest.fixture(autouse=True)
def _chromium() -> None:
    need_chromium()


async def wait_board(b: Browser, timeout: float = 60.0) -> str:
    """Until the KPI tiles and at least one simulator queue with its name are on screen."""
    js = (
        "(() => { const s = window.wallboard ? window.wallboard.screenText() : '';"
        " return s.includes('Waiting') && s.includes('Service lvl') && s.includes('Answered')"
        " && /│ 800[1-4] +(Sales|Support|Billing)/.test(s) ? s : ''; })()"
    )
    return str(await b.wait_js(js, timeout))


def queues_on(text: str) -> set[str]:
    return {m.group(1) for m in QUEUE_ROW.finditer(text)}


async def test_demo_board_in_chromium_and_it_comes_back_by_itself(tmp_path: Path) -> None:
    async with ServeProcess("--demo") as serve, Browser() as b:
        await b.goto(serve.url + "/")
        text = await wait_board(b)
        assert "connected" in text.splitlines()[0]
        assert queues_on(text)

        shot = await b.screenshot(tmp_path / "serve.png")
        data = shot.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000

        # Offline: everything came from serve itself, the font included.
        urls = b.requested_urls()
        assert any(u.endswith("/static/js/textual.js") for u in urls)
        assert all(u.startswith(serve.url + "/") for u in urls if not u.startswith("data:")), urls
        sockets = [
            e["params"]["url"] for e in b.events if e["method"] == "Network.webSocketCreated"
        ]
        assert sockets and all(u.startswith(serve.url.replace("http", "ws")) for u in sockets)
        assert await b.js("""[...document.fonts].some(f => f.family.includes('Roboto Mono')
                             && f.status === 'loaded')""")
        assert await b.js("document.body.innerText.includes('Restart')") is False

        # The app process dies: the page gets a new one, nobody clicks.
        [pid] = await serve.wait_app_pids(1)
        os.kill(pid, signal.SIGKILL)
        await b.wait_js("wallboard.history.includes('reconnecting')", 15)
        await b.js("wallboard.terminal.reset()")  # so the board below is the new app's
        await b.wait_js("wallboard.state === 'connected' && wallboard.connects === 2", 60)
        await wait_board(b)
        [new_pid] = await serve.wait_app_pids(1)
        assert new_pid != pid

        # The server restarts (same port): "reconnecting" meanwhile, then the board.
        port = serve.port
        assert await serve.stop(signal.SIGTERM) == 0
        await wait_gone([new_pid], 1)  # no orphan left behind
        await b.wait_js("wallboard.state === 'reconnecting'", 15)
        banner = await b.js("document.getElementById('wb-status').textContent")
        assert "reconnecting" in banner
        assert (
            await b.js("getComputedStyle(document.getElementById('wb-status')).display") != "none"
        )
        await b.screenshot(tmp_path / "reconnecting.png")
        await b.js("wallboard.terminal.reset()")
        async with ServeProcess("--demo", port=port) as again:
            await b.wait_js("wallboard.state === 'connected' && wallboard.connects === 3", 90)
            await wait_board(b)
            assert await b.js("getComputedStyle(document.getElementById('wb-status')).display") == (
                "none"
            )
            await again.stop()
    assert not [m for m in b.sent if m.startswith("Input.")]


async def test_a_silent_network_drop_is_noticed_on_both_ends() -> None:
    """A pulled cable closes nothing: the page and serve each notice the silence and recover."""
    offline = {"latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}
    async with ServeProcess("--demo") as serve, Browser() as b:
        await b.goto(serve.url + "/")
        await wait_board(b)
        [pid] = await serve.wait_app_pids(1)
        await b.call("Network.emulateNetworkConditions", {"offline": True, **offline})
        await b.wait_js("wallboard.state === 'reconnecting'", 40)  # the page: 20 s of silence
        await b.js("wallboard.terminal.reset()")
        await wait_gone([pid], 40)  # serve: its websocket heartbeat, then the app is stopped
        await b.call("Network.emulateNetworkConditions", {"offline": False, **offline})
        await b.wait_js("wallboard.state === 'connected' && wallboard.connects === 2", 60)
        await wait_board(b)
    assert not [m for m in b.sent if m.startswith("Input.")]


async def test_kiosk_url_chooses_page_mode_theme_and_font_size() -> None:
    async with ServeProcess("--demo") as serve, Browser() as b:
        await b.goto(serve.url + "/?wall=1&theme=nord&fontsize=24&bell=1")
        await b.wait_js("wallboard.state === 'connected'", 60)
        assert await b.js("wallboard.terminal.options.fontSize") in (24, "24")
        [pid] = await serve.wait_app_pids(1)
        argv = cmdline(pid)
        assert argv[argv.index("--theme") + 1] == "nord"
        assert "--wall" in argv and "--bell" in argv
        # Wall mode: big numbers, no status line and no key footer.
        text = await b.wait_js(
            "(() => { const s = wallboard.screenText();"
            # The dashboard's tiles say "Waiting" and "Service lvl" too (whole words
            # where they fit), and may be drawn before its status line and footer: wait
            # for the wall itself.
            " return s.includes('Waiting') && s.includes('Service')"
            " && !s.includes('since') && !s.includes('q Quit') ? s : ''; })()",
            60,
        )
        assert "q Quit" not in text and "last event" not in text and "view http" not in text

    async with ServeProcess("--demo") as serve, Browser() as b:
        await b.goto(serve.url + "/?page=agents")
        text = await b.wait_js(
            "(() => { const s = wallboard.screenText(); return /Agents \\(\\d+\\)/.test(s)"
            " && !s.includes('Queues (') ? s : ''; })()",
            60,
        )
        assert "Waiting" not in text  # the agents page has no KPI tiles


async def test_bell_plays_a_tone() -> None:
    """The app rings the terminal bell (BEL) on an SLA breach; the page turns it into a tone."""
    async with ServeProcess("--demo") as serve, Browser() as b:
        await b.goto(serve.url + "/")
        await b.wait_js("wallboard.state === 'connected'", 60)
        assert await b.js("wallboard.tones") == 0
        await b.js("new Promise(r => wallboard.terminal.write('\\x07', r))")
        await b.wait_js("wallboard.bells === 1", 5)
        assert await b.js("[wallboard.tones, wallboard.toneError]") == [1, None]


async def test_tokens_401_cookie_and_scoped_board(tmp_path: Path) -> None:
    tokens = write_tokens(
        tmp_path / "tokens.toml",
        [("lobby", "lobby-token-1234", None), ("floor2", "floor2-token-5678", ["8002"])],
    )
    async with ServeProcess("--demo", "--tokens", str(tokens)) as serve:
        async with Browser() as b:
            assert await b.status_of(serve.url + "/") == 401
            await b.wait_js("document.title.includes('401 Unauthorized')", 10)
            assert await b.status_of(serve.url + "/?token=wrong-token") == 401
            assert not await b.cookies()

            await b.goto(serve.url + "/?wall=0&token=lobby-token-1234")
            text = await wait_board(b)
            url = await b.url()
            assert "token" not in url and url == serve.url + "/?wall=0"
            [cookie] = [c for c in await b.cookies() if c["name"] == COOKIE]
            assert cookie["httpOnly"] is True and cookie["sameSite"] == "Strict"
            assert COOKIE not in await b.js("document.cookie")  # scripts cannot read it
            text = await b.wait_js(  # unscoped: the queues come in one by one
                "(() => { const s = wallboard.screenText();"
                " return new Set(s.match(/│ 800[1-4] /g)).size >= 3 ? s : ''; })()",
                60,
            )
            assert len(queues_on(text)) >= 3

            # The cookie is enough after that: a reload (or a restarted page) needs no token.
            assert await b.status_of(serve.url + "/") == 200

        async with Browser() as b:
            await b.goto(serve.url + "/?token=floor2-token-5678")
            text = await b.wait_js(
                "(() => { const s = wallboard.screenText();"
                " return /│ 8002 +Support/.test(s) && /Agents \\(\\d+\\)/.test(s) ? s : ''; })()",
                60,
            )
            await asyncio.sleep(2)  # let more traffic arrive: still only queue 8002
            text = await b.screen_text()
            assert queues_on(text) == {"8002"}
    log = serve.log()
    assert "token 'lobby'" in log and "token 'floor2'" in log
    for secret in ("lobby-token-1234", "floor2-token-5678"):
        assert secret not in log
