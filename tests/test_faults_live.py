"""Network faults with the TUI on the real live client (issue 7).

Each fault must leave a visible state on screen (status line / alert bar)
and in `state.source`, must not make the client hammer the PBX, and must not
lose what the wallboard already knew. Loopback only, servers on port 0,
every wait bounded.
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from fault_helpers import (
    RawConn,
    RawPBX,
    alert_text,
    fast_settings,
    live_app,
    screen_text,
    status_text,
    until,
)
from live_helpers import Conn, ScriptedPBX, have_openssl, make_cert, serve_traffic, server_ssl
from ui_helpers import utc
from wallboard.feed.livesettings import build_ssl_context
from wallboard.ui.panels import TrunksTable
from wallboard.ui.text import REPLACEMENT

pytestmark = pytest.mark.timeout(30)

T0 = 1_700_000_000


@pytest.fixture(autouse=True)
def _utc() -> Iterator[None]:
    with utc():
        yield


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def trunk(name: str, up: bool = True) -> str:
    kind = "trunk_connected" if up else "trunk_disconnected"
    return json.dumps({"event_type": kind, "trunk_name": name, "time": T0})


# ----------------------------------------------------------------- can't connect
async def test_connection_refused_is_shown_and_retried_with_backoff() -> None:
    port = free_port()
    async with live_app(fast_settings(f"ws://127.0.0.1:{port}")) as (app, client, _):
        await until(app, lambda: "connection refused" in alert_text(app), what="alert")
        assert app.state.source.status == "reconnecting"
        assert "CONNECTION LOST (reconnecting in" in alert_text(app)
        assert f"connection refused by 127.0.0.1:{port}" in alert_text(app)
        assert "reconnecting" in status_text(app) and "✖" in status_text(app)
        await asyncio.sleep(1.0)
        # Backoff 0.2, 0.4, 0.8 … (±20 %): a handful of attempts a second, not a storm.
        assert 2 <= client.attempts_total <= 5


async def test_dns_failure_names_the_host_and_does_not_hang() -> None:
    url = "ws://wallboard-test.invalid:8885"  # .invalid never resolves (RFC 2606)
    started = time.monotonic()
    async with live_app(fast_settings(url, open_timeout=1.0)) as (app, _client, _):
        await until(app, lambda: bool(app.state.source.last_error), timeout=8, what="error")
        text = alert_text(app)
        assert "CONNECTION LOST" in text
        # A resolver that answers says so; one that times out is cut off by open_timeout.
        assert (
            "cannot resolve host wallboard-test.invalid" in text
            or "no answer from wallboard-test.invalid:8885" in text
        ), text
        assert app.state.source.status == "reconnecting"
    assert time.monotonic() - started < 10


async def test_server_that_never_completes_the_handshake_hits_open_timeout() -> None:
    async def stall(conn: RawConn) -> None:
        await conn.swallow()  # reads the HTTP upgrade request, never answers it

    async with RawPBX(stall) as pbx:
        settings = fast_settings(pbx.url, open_timeout=0.5)
        async with live_app(settings) as (app, _client, _):
            # Before the first attempt fails: "connecting", not yet a lost connection.
            await until(app, lambda: app.state.source.attempt >= 1, what="first attempt")
            assert "connecting" in status_text(app) and not alert_text(app)
            await until(app, lambda: "no answer from" in alert_text(app), what="open timeout")
            assert f"no answer from 127.0.0.1:{pbx.port} within 0.5 s" in alert_text(app)
            assert app.state.source.status == "reconnecting"


# ----------------------------------------------------------- connected, then not
async def test_drop_mid_frame_keeps_what_was_known_and_reconnects() -> None:
    async def behaviour(conn: RawConn) -> None:
        await conn.handshake()
        await conn.answer_auth()
        if conn.index == 0:
            await conn.send(trunk("known-before-drop"))
            await asyncio.sleep(0.2)
            # Half of a frame, then the TCP connection is gone (no close frame).
            await conn.send_partial(trunk("never-complete-" + "x" * 200), keep=40)
            await asyncio.sleep(0.05)
            conn.abort()
            return
        await asyncio.sleep(1.0)  # keep the "reconnecting" state on screen a moment
        await conn.send(trunk("after-reconnect"))
        await conn.swallow()

    async with RawPBX(behaviour) as pbx, live_app(fast_settings(pbx.url)) as (app, client, pilot):
        await until(app, lambda: "known-before-drop" in app.state.trunks, what="first frame")
        await until(app, lambda: "no close frame" in alert_text(app), what="drop")
        assert "lost (no close frame)" in alert_text(app)
        assert "numbers are from" in alert_text(app)
        # What was known stays on screen; the half frame never counts as anything.
        await pilot.press("5")
        await pilot.pause()
        app.refresh_now(tick=True)
        names = [r[0] for r in app.query_one("#trunks", TrunksTable).shown_text()]
        assert "known-before-drop" in names
        assert not any(n.startswith("never-complete") for n in app.state.trunks)
        await until(app, lambda: "after-reconnect" in app.state.trunks, what="reconnect")
        await until(app, lambda: not alert_text(app), what="alert cleared")
        assert "connected" in status_text(app)
        assert "known-before-drop" in app.state.trunks
        assert client.sessions == 2 and pbx.connections == 2
        assert app.state.invalid == 0


async def test_server_that_stops_answering_after_subscribe_is_caught_by_keepalive() -> None:
    from live_helpers import SilentPBX

    async with SilentPBX() as pbx:
        settings = fast_settings(pbx.url, ping_interval=0.2, ping_timeout=0.2, backoff_base=0.5)
        async with live_app(settings) as (app, client, _):
            await until(
                app, lambda: "keep-alive" in alert_text(app), timeout=6, what="keep-alive alert"
            )
            assert "stopped answering keep-alive pings (0.2 s)" in alert_text(app)
            assert app.state.source.status == "reconnecting"
            assert client.sessions >= 1


@pytest.mark.parametrize(
    ("code", "name"),
    [(1011, "internal error"), (1008, "policy violation"), (4000, "unknown code")],
)
async def test_close_codes_with_reasons_are_shown(code: int, name: str) -> None:
    reason = "tenant suspended [/x]\x1b]0;t\x07"

    async def behaviour(conn: Conn) -> None:
        assert await conn.auth()
        await asyncio.wait_for(conn.subscribed.wait(), 5)
        if conn.index == 0:
            await conn.send(trunk("kept"))
            await asyncio.sleep(0.1)
            await conn.close(code, reason)
            return
        await asyncio.sleep(1.0)
        await conn.hold()

    async with ScriptedPBX(behaviour) as pbx, live_app(fast_settings(pbx.url)) as (app, _client, _):
        await until(app, lambda: f"code {code}" in alert_text(app), what=f"close {code}")
        text = alert_text(app)
        assert f"the PBX closed the connection (code {code}, {name}: " in text
        # The reason is PBX text: literal, control characters replaced.
        assert f"tenant suspended [/x]{REPLACEMENT}]0;t{REPLACEMENT}" in text
        assert "\x1b" not in screen_text(app)
        assert app.state.source.status == "reconnecting"
        assert "kept" in app.state.trunks
        await until(app, lambda: app.state.source.status == "connected", what="back")


# ------------------------------------------------------------------------- auth
async def test_auth_revoked_mid_session_stops_after_one_rejected_retry() -> None:
    """Closed with 1008 while connected, then the password no longer works: no hammering."""

    async def behaviour(conn: Conn) -> None:
        if not await conn.auth():
            return  # rejected: the client must give up now
        await asyncio.wait_for(conn.subscribed.wait(), 5)
        await conn.send(trunk("known-before-revoke"))
        await asyncio.sleep(0.2)
        conn.pbx.password = "rotated-by-the-admin"
        await conn.send(
            json.dumps({"command": "auth", "status": -1, "error": "token revoked", "id": "9"})
        )
        await conn.close(1008, "credentials revoked")

    async with (
        ScriptedPBX(behaviour) as pbx,
        live_app(fast_settings(pbx.url)) as (app, client, pilot),
    ):
        await until(app, lambda: app.state.source.status == "auth_failed", what="auth_failed")
        text = alert_text(app)
        assert "LOGIN REJECTED (auth failed): the PBX rejected the credentials" in text
        assert "numbers are from" in text
        assert "auth failed" in status_text(app)
        # The revocation itself was visible as the reason of the drop and in the errors.
        assert any(e.error == "token revoked" for e in app.state.errors)
        assert "known-before-revoke" in app.state.trunks
        await asyncio.sleep(1.0)
        assert pbx.auth_attempts == 2 and pbx.connections == 2  # waits for the user
        await pilot.press("r")  # the user says "try again": exactly one more attempt
        await until(app, lambda: pbx.auth_attempts == 3, what="manual retry")
        await asyncio.sleep(0.5)
        assert pbx.connections == 3 and app.state.source.status == "auth_failed"
        assert client.failure is not None


async def test_policy_close_after_every_login_backs_off() -> None:
    """A PBX that accepts the login and then closes (1008) each time: growing waits."""

    async def behaviour(conn: Conn) -> None:
        assert await conn.auth()
        await asyncio.wait_for(conn.subscribed.wait(), 5)
        await conn.close(1008, "licence limit reached")

    async with ScriptedPBX(behaviour) as pbx:
        settings = fast_settings(pbx.url, backoff_base=0.1, backoff_max=2.0, backoff_jitter=0.0)
        async with live_app(settings) as (app, _client, _):
            await until(app, lambda: "licence limit" in alert_text(app), what="policy close")
            await asyncio.sleep(2.0)
            # 0.1 + 0.2 + 0.4 + 0.8 = 1.5 s: at most five logins in ~2 s, never a storm.
            assert 3 <= pbx.connections <= 6, pbx.connections
            assert app.state.source.attempt >= 3
            assert "code 1008, policy violation: licence limit reached" in alert_text(app)


# -------------------------------------------------------------------------- TLS
@pytest.fixture(scope="module")
def cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if not have_openssl():
        pytest.skip("the openssl command is needed to make a test certificate")
    return make_cert(tmp_path_factory.mktemp("tls"))


async def test_certificate_that_does_not_verify_is_shown_with_the_fix(
    cert: tuple[Path, Path],
) -> None:
    async with ScriptedPBX(serve_traffic, ssl_context=server_ssl(*cert)) as pbx:
        ctx = build_ssl_context(pbx.url, None, False)
        settings = fast_settings(pbx.url, ssl_context=ctx)
        async with live_app(settings, size=(80, 24)) as (app, client, _):
            await until(app, lambda: client.failure is not None, what="TLS failure")
            text = alert_text(app)
            assert "does not verify" in text
            assert "--ca-file PATH" in text and "--insecure" in text
            assert app.state.source.status == "disconnected"
            await asyncio.sleep(0.5)
            assert client.attempts_total == 1  # not retried: it cannot get better by itself
            assert pbx.connections == 0


async def test_wss_url_on_a_plain_server_says_so() -> None:
    async with ScriptedPBX(serve_traffic) as pbx:
        url = pbx.url.replace("ws://", "wss://")
        settings = fast_settings(url, ssl_context=build_ssl_context(url, None, False))
        async with live_app(settings) as (app, client, _):
            await until(app, lambda: "TLS handshake" in alert_text(app), what="TLS on plain")
            text = alert_text(app)
            assert "plain ws:// server" in text, text
            assert app.state.source.status in ("reconnecting", "disconnected")
            await asyncio.sleep(0.6)
            assert client.attempts_total <= 4


# ------------------------------------------------------------------ PBX restart
async def test_pbx_restart_with_other_state_leaves_no_ghosts() -> None:
    """The simulator stopped and started on the same port with another seed and size."""
    from wallboard.feed.secrets import Secret
    from wallboard.sim import SimConfig, Simulator
    from wallboard.ui.panels import QueuesTable

    common = {"dialect": "v16", "speed": 20.0, "password": "pw", "warmup": 120.0}
    sim = Simulator(SimConfig(agents=30, queues=3, seed=3, **common))  # type: ignore[arg-type]
    await sim.start()
    port = sim.port
    settings = fast_settings(sim.url, password=Secret("pw"), stale_after=1.0)
    sim2: Simulator | None = None
    try:
        async with live_app(settings, size=(160, 50)) as (app, client, pilot):
            st = app.state
            await until(app, lambda: len(st.queues) == 3 and bool(st.calls), what="first run")
            await sim.stop()
            await until(app, lambda: st.source.status == "reconnecting", what="restart seen")
            sim2 = Simulator(SimConfig(agents=10, queues=2, seed=4, port=port, **common))  # type: ignore[arg-type]
            await sim2.start()
            await until(app, lambda: client.sessions == 2, timeout=8, what="second session")
            # Until the new session confirms them, old entities are marked, not passed off as live.
            await until(
                app, lambda: "unconfirmed since the reconnect" in alert_text(app), what="marked"
            )
            await until(app, lambda: len(st.queues) == 2, timeout=5, what="ghost queue dropped")
            await until(app, lambda: not any(c.stale for c in st.calls.values()), what="calls")
            assert sorted(q.number for q in st.queues.values()) == ["8001", "8002"]
            agents = {a for q in st.queues.values() for a in q.agents}
            assert agents <= {str(n) for n in range(101, 111)}, agents
            # The old run's online extensions are still listed, clearly marked "online ?".
            ghosts = [e for (_, n), e in st.extensions.items() if int(n) > 110 and e.online_flag]
            assert ghosts and all(e.stale for e in ghosts)
            await pilot.press("2")
            await pilot.pause()
            app.refresh_now(tick=True)
            rows = app.query_one("#queues-table", QueuesTable).shown_text()
            assert sorted(r[0] for r in rows) == ["8001", "8002"]
            # Every call and queue is confirmed or dropped: the reconnect warning is gone.
            assert "unconfirmed" not in alert_text(app), alert_text(app)
    finally:
        await sim.stop()
        if sim2 is not None:
            await sim2.stop()
