"""No orphans: every tab's app process ends with its page, with serve, or by itself.

Real `wallboard serve --demo` processes on 127.0.0.1 port 0 (each with its
simulator and hub inside); the tabs are the page's websocket opened by
aiohttp (the browser tests open real pages), and every tab's app is
`wallboard view` of the demo's hub.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import aiohttp
import pytest

from hub_helpers import http_get, until
from serve_helpers import (
    ServeProcess,
    Tab,
    alive,
    children,
    cmdline,
    environ,
    wait_gone,
    write_tokens,
)
from wallboard.cli.run_serve import DemoHub
from wallboard.config import load_config
from wallboard.serve.child import HubTarget, child_command
from wallboard.serve.kiosk import Kiosk, parse_kiosk
from wallboard.serve.process import QUIT_GRACE, TERM_GRACE, TabProcess
from wallboard.serve.server import (
    CLOSE_FULL,
    CLOSE_REVOKED,
    COOKIE,
    RECHECK_EVERY,
    ServeConfig,
    WallServer,
)

pytestmark = pytest.mark.slow


async def test_closing_the_page_stops_its_app() -> None:
    async with ServeProcess("--demo") as serve, Tab(serve) as tab:
        await tab.read_until_bytes()
        [pid] = await serve.wait_app_pids(1)
        hub = serve.demo_hub_url()
        assert hub.startswith("http://127.0.0.1:")
        assert cmdline(pid)[1:] == [
            "-m",
            "wallboard",
            "view",
            hub,
            "--token-env",
            "WALLBOARD_TOKEN",
        ]
        await tab.close()
        await wait_gone([pid], 10)
        assert "screen 1 closed (0 open)" in serve.log()


async def test_sigterm_stops_serve_and_every_app() -> None:
    async with ServeProcess("--demo") as serve, Tab(serve) as t1, Tab(serve) as t2:
        await t1.read_until_bytes()
        await t2.read_until_bytes()
        pids = await serve.wait_app_pids(2)
        hub = serve.demo_hub_url()
        assert (await http_get(hub + "/healthz"))[0] == 200
        t0 = time.monotonic()
        assert await serve.stop(signal.SIGTERM) == 0
        assert time.monotonic() - t0 < QUIT_GRACE + TERM_GRACE + 5
        await wait_gone(pids, 1)
    with pytest.raises(OSError):  # the demo's hub (and its simulator) went with it
        await http_get(hub + "/healthz")


async def test_tabs_are_viewers_of_one_hub_on_one_simulator_login() -> None:
    """`serve --demo`'s wiring in this test's loop: N tabs, one hub, one PBX login."""
    demo = DemoHub(load_config(None), morning=600.0)
    url = await demo.start()
    server = WallServer(ServeConfig(port=0), HubTarget(url))
    await server.start()
    pids: list[int] = []
    try:
        async with Tab(server) as t1, Tab(server) as t2, Tab(server) as t3:
            for tab in (t1, t2, t3):
                await tab.read_until_bytes()
            hub = demo.hub
            assert hub is not None
            await until(lambda: hub.server.fanout.count == 3, 30, "three viewers on the hub")
            assert demo.sim.client_count == 1  # the hub's one login
            pids = [t.process.pid for t in server.tabs.values() if t.process and t.process.pid]
            assert len(pids) == 3
            assert all(cmdline(pid)[3:5] == ["view", url] for pid in pids)
            assert hub.state.source.status == "connected"
            assert sum(q.stats.offered for q in hub.state.queues.values()) > 0  # a morning
    finally:
        await server.stop()
        await demo.stop()
    await wait_gone(pids, 1)
    assert demo.sim.client_count == 0


async def test_the_demo_hub_checks_the_same_token_file(tmp_path: Path) -> None:
    """A browser's scoped token reaches the hub in the tab's environment; the hub scopes."""
    tokens = write_tokens(
        tmp_path / "tokens.toml",
        [("lobby", "lobby-token-31", None), ("f2", "f2-token-32", ["8002"])],
    )
    async with (
        ServeProcess("--demo", "--tokens", str(tokens)) as serve,
        Tab(serve, Authorization="Bearer f2-token-32") as tab,
    ):
        await tab.read_until_bytes()
        [pid] = await serve.wait_app_pids(1)
        assert "f2-token-32" not in " ".join(cmdline(pid))
        assert environ(pid)["WALLBOARD_TOKEN"] == "f2-token-32"
        hub = serve.demo_hub_url()
        assert (await http_get(hub + "/state"))[0] == 401  # not an open hub: it has the file
        status, _, body = await http_get(hub + "/state", "f2-token-32")
        assert status == 200
        assert {q["number"] for q in json.loads(body)["queues"]} == {"8002"}
        status, _, body = await http_get(hub + "/state", "lobby-token-31")
        assert {q["number"] for q in json.loads(body)["queues"]} == {"8001", "8002", "8003", "8004"}
    assert "f2-token-32" not in serve.log() and "lobby-token-31" not in serve.log()


async def test_apps_exit_by_themselves_when_serve_is_killed() -> None:
    """SIGKILL gives serve no chance to clean up: the apps notice on their own."""
    async with ServeProcess("--demo") as serve, Tab(serve) as tab:
        await tab.read_until_bytes()
        pids = await serve.wait_app_pids(1)
        await serve.stop(signal.SIGKILL)
        await wait_gone(pids, 10)


async def test_an_app_that_dies_closes_its_page_socket_so_the_page_reconnects() -> None:
    async with ServeProcess("--demo") as serve, Tab(serve) as tab:
        await tab.read_until_bytes()
        [pid] = await serve.wait_app_pids(1)
        os.kill(pid, signal.SIGKILL)
        await tab.wait_closed(10)
        async with Tab(serve) as again:  # what the page does next
            await again.read_until_bytes()
            [new] = await serve.wait_app_pids(1)
            assert new != pid


async def test_tab_cap_has_a_clear_page_and_frees_up() -> None:
    async with ServeProcess("--demo", "--max-tabs", "1") as serve, Tab(serve) as first:
        await first.read_until_bytes()
        async with aiohttp.ClientSession() as http:
            async with http.get(serve.url + "/") as resp:
                assert resp.status == 503
                page = await resp.text()
                assert "Too many screens" in page and "1 screens" in page
            async with http.get(serve.url + "/session") as resp:
                assert resp.status == 503
            async with Tab(serve) as second:
                assert second.ws is not None
                msg = await second.ws.receive(timeout=10)
                assert json.loads(msg.data) == ["wallboard", {"type": "full", "max": 1}]
                await second.wait_closed(10)
                assert second.ws.close_code == CLOSE_FULL
            assert len(await serve.wait_app_pids(1)) == 1
            await first.close()
            deadline = time.monotonic() + 10
            status = 0
            while time.monotonic() < deadline and status != 200:
                async with http.get(serve.url + "/") as resp:
                    status = resp.status
                await asyncio.sleep(0.1)
            assert status == 200


async def test_cross_site_websocket_is_refused() -> None:
    async with ServeProcess("--demo") as serve:
        with pytest.raises(aiohttp.WSServerHandshakeError) as exc:
            async with Tab(serve, Origin="http://evil.example"):
                pass
        assert exc.value.status == 403
        assert serve.app_pids() == []


# ----------------------------------------------------------- the app on its own


def _nobody_listens() -> str:
    """A loopback URL whose port was free a moment ago: a hub that is not there."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def _lone_tab() -> subprocess.Popen[bytes]:
    """A tab's app (`wallboard view`, showing HUB UNREACHABLE) with no serve around it."""
    spec = child_command(
        HubTarget(_nobody_listens()), Kiosk(), browser_token=None, width=80, height=24
    )
    return subprocess.Popen(
        spec.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        env=spec.env, start_new_session=True,
    )  # fmt: skip


def test_an_app_leaves_when_its_input_pipe_ends() -> None:
    """The end of stdin (serve gone, pipe closed) ends the app even though its parent lives."""
    proc = _lone_tab()
    try:
        assert proc.stdout is not None and proc.stdin is not None
        assert proc.stdout.readline() == b"__GANGLION__\n"
        proc.stdout.read1(4096)
        proc.stdin.close()
        t0 = time.monotonic()
        while proc.poll() is None and time.monotonic() - t0 < 10:
            proc.stdout.read1(65536)  # keep its output flowing
        assert proc.wait(1) is not None
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_an_app_leaves_when_its_output_pipe_breaks() -> None:
    proc = _lone_tab()
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline() == b"__GANGLION__\n"
        proc.stdout.close()  # nobody reads its screens any more
        assert proc.wait(10) is not None
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


# ------------------------------------------------------------- stop() escalates

STUBBORN = textwrap.dedent(
    """
    import signal, subprocess, sys, time
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    sys.stdout.write("__GANGLION__\\n" + str(child.pid) + "\\n")
    sys.stdout.flush()
    time.sleep(120)
    """
)


async def test_stop_escalates_to_sigkill_and_takes_the_whole_group() -> None:
    spec = child_command(HubTarget(_nobody_listens()), parse_kiosk({}), browser_token=None,
                         width=80, height=24)  # fmt: skip
    spec.argv[:] = [sys.executable, "-c", STUBBORN]
    sent: list[bytes] = []
    closed = asyncio.Event()

    async def write_bytes(b: bytes) -> None:
        sent.append(b)

    async def write_str(s: str) -> None:
        pass

    async def close() -> None:
        closed.set()

    from textual_serve.download_manager import DownloadManager

    proc = TabProcess(spec, write_bytes=write_bytes, write_str=write_str, close=close,
                      download_manager=DownloadManager())  # fmt: skip
    await proc.start(80, 24)
    assert proc.pid is not None
    deadline = time.monotonic() + 10
    grandchildren: list[int] = []
    while not grandchildren and time.monotonic() < deadline:
        grandchildren = children(proc.pid)
        await asyncio.sleep(0.05)
    assert grandchildren
    t0 = time.monotonic()
    await proc.stop()
    took = time.monotonic() - t0
    assert not alive(proc.pid)
    await wait_gone(grandchildren, 2)
    assert QUIT_GRACE + TERM_GRACE - 0.5 < took < QUIT_GRACE + TERM_GRACE + 5
    assert closed.is_set()  # the page was told


async def test_websocket_needs_the_token_too(tmp_path: Path) -> None:
    tokens = write_tokens(tmp_path / "tokens.toml", [("script", "bearer-token-42", None)])
    async with ServeProcess("--demo", "--tokens", str(tokens)) as serve:
        with pytest.raises(aiohttp.WSServerHandshakeError) as exc:
            async with Tab(serve):
                pass
        assert exc.value.status == 401
        with pytest.raises(aiohttp.WSServerHandshakeError):
            async with Tab(serve, Cookie=f"{COOKIE}=not-the-token"):
                pass
        assert serve.app_pids() == []
        async with Tab(serve, Authorization="Bearer bearer-token-42") as tab:
            await tab.read_until_bytes()
        async with Tab(serve, Cookie=f"{COOKIE}=bearer-token-42") as tab:
            await tab.read_until_bytes()
        async with aiohttp.ClientSession() as http:
            async with http.get(serve.url + "/session") as resp:
                assert resp.status == 401
            async with http.get(serve.url + "/static/js/textual.js") as resp:
                assert resp.status == 401
    assert "bearer-token-42" not in serve.log()


async def test_revoking_a_token_ends_its_open_tabs(tmp_path: Path) -> None:
    tokens = tmp_path / "tokens.toml"
    write_tokens(tokens, [("keep", "keep-token-1", None), ("gone", "gone-token-2", None)])
    async with (
        ServeProcess("--demo", "--tokens", str(tokens)) as serve,
        Tab(serve, Authorization="Bearer keep-token-1") as kept,
        Tab(serve, Authorization="Bearer gone-token-2") as revoked,
    ):
        await kept.read_until_bytes()
        await revoked.read_until_bytes()
        assert len(await serve.wait_app_pids(2)) == 2
        write_tokens(tokens, [("keep", "keep-token-1", None)])  # `hub token revoke gone`
        assert await revoked.wait_closed(RECHECK_EVERY + 10) == CLOSE_REVOKED
        assert len(await serve.wait_app_pids(1)) == 1
        await kept.read_until_bytes(kept.bytes + 100)  # the other screen goes on
    assert "screen 2: its token was revoked" in serve.log()


async def test_token_in_url_becomes_a_cookie_and_leaves_the_url(tmp_path: Path) -> None:
    tokens = write_tokens(tmp_path / "tokens.toml", [("tv", "url-token-77", None)])
    async with (
        ServeProcess("--demo", "--tokens", str(tokens)) as serve,
        aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as http,
    ):
        async with http.get(
            serve.url + "/?page=2&token=url-token-77&wall=1", allow_redirects=False
        ) as resp:
            assert resp.status == 303
            assert resp.headers["Location"] == "/?page=2&wall=1"
            cookie = resp.headers["Set-Cookie"]
            assert cookie.startswith(f"{COOKIE}=url-token-77;")
            assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
            assert "Secure" not in cookie  # plain http here
        async with http.get(
            serve.url + "/?token=url-token-77",
            allow_redirects=False,
            headers={"X-Forwarded-Proto": "https"},  # a TLS proxy on this machine
        ) as resp:
            assert "Secure" in resp.headers["Set-Cookie"]
        async with http.get(serve.url + "/?page=2&token=nope", allow_redirects=False) as resp:
            assert resp.status == 401
            assert "Set-Cookie" not in resp.headers
            assert "401 Unauthorized" in await resp.text()
        async with http.get(serve.url + "/wallboard/page.js") as resp:
            assert resp.status == 401  # nothing without a token, not even the assets
    assert "url-token-77" not in serve.log()
