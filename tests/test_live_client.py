"""LiveClient against scripted servers on real loopback sockets.

Each test bounds its waits; timings (ping intervals, backoff) are shrunk so
the whole file runs in a few seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.live_helpers import (
    PASSWORD,
    T0,
    Conn,
    ScriptedPBX,
    SilentPBX,
    client_settings,
    have_openssl,
    make_cert,
    serve_traffic,
    server_ssl,
)
from wallboard.errors import AuthRejected, ConnectFailed
from wallboard.feed.backoff import backoff_delay
from wallboard.feed.client import LiveClient, LiveSettings
from wallboard.feed.livesettings import build_ssl_context
from wallboard.model import WallboardState

pytestmark = pytest.mark.timeout(30)


def make_settings(url: str, dialect: str = "v16", **kw: Any) -> LiveSettings:
    timing: dict[str, Any] = {
        "backoff_base": 0.05,
        "backoff_max": 0.2,
        "open_timeout": 2.0,
        "reply_timeout": 2.0,
        "close_timeout": 0.5,
    }
    return client_settings(url, dialect, **(timing | kw))


async def until(cond: Callable[[], bool], timeout: float = 5.0) -> None:
    """Poll a condition; fail the test with a clear message on timeout."""
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


@contextlib.asynccontextmanager
async def running(client: LiveClient, **kw: Any):  # type: ignore[no-untyped-def]
    task = asyncio.create_task(client.run(**kw))
    try:
        yield task
    finally:
        client.stop()
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await asyncio.wait_for(task, 5)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ------------------------------------------------------------------ happy path
@pytest.mark.parametrize("dialect", ["v12", "v16", "v22"])
async def test_auth_subscribe_and_frames_reach_the_model(dialect: str) -> None:
    async with ScriptedPBX(serve_traffic, dialect=dialect) as pbx:
        state = WallboardState(clock=time.time)
        changes: list[int] = []
        client = LiveClient(
            make_settings(pbx.url, dialect), state, on_change=lambda: changes.append(1)
        )
        async with running(client):
            await until(lambda: state.unknown == 1 and state.invalid == 1)
            assert state.source.status == "connected"
            assert state.source.kind == "live"
            assert state.source.dialect == dialect
        first = pbx.commands[0]
        assert first["command"] == "auth" and first["password"] == PASSWORD
        subs = pbx.commands_named("subscribe")
        topics = [t["topic"] if isinstance(t, dict) else t for c in subs for t in c["topics"]]
        assert "extension_events" in topics and "queue_events" in topics
        assert "cdr_events" in topics
        assert ("trunk_events" in topics) == (dialect == "v12")
        assert all(len(c["topics"]) == 1 for c in subs)  # one topic per subscribe
        assert changes
        assert client.sent_commands[0] == "auth"
        assert state.source.status == "disconnected"  # after stop()


async def test_filters_go_to_the_topics_they_narrow() -> None:
    async with ScriptedPBX(serve_traffic) as pbx:
        s = make_settings(pbx.url, extensions=["101", "102"], queues=["8001"])
        client = LiveClient(s, WallboardState(clock=time.time))
        async with running(client):
            await until(lambda: client.subscribed.is_set())
            await until(lambda: len(pbx.commands_named("subscribe")) == 3)
    by_topic = {c["topics"][0]: c for c in pbx.commands_named("subscribe")}
    assert by_topic["extension_events"]["extensions"] == ["101", "102"]
    assert "queues" not in by_topic["extension_events"]
    assert by_topic["queue_events"]["queues"] == ["8001"]
    assert "extensions" not in by_topic["queue_events"]


# ------------------------------------------------------------------- staying up
def queue_picture(waiting: list[str], agent_state: str, t: int) -> str:
    return json.dumps(
        {
            "event_type": "queue_status",
            "tenant_id": "1",
            "queue_id": "900",
            "queue_number": "8001",
            "queue_name": "Sales",
            "waiting_list": [
                {"session_id": sid, "caller_number": "555", "timestamp": str(t), "type": "normal"}
                for sid in waiting
            ],
            "agents": [
                {"state": agent_state, "agent_extension_number": "101", "timestamp": str(t)}
            ],
        }
    )


async def test_drop_mid_stream_reconnects_resubscribes_and_gets_a_fresh_picture() -> None:
    async def behaviour(conn: Conn) -> None:
        assert await conn.auth()
        await asyncio.wait_for(conn.subscribed.wait(), 5)
        if conn.index == 0:
            await conn.send(queue_picture(["7001", "7002"], "QUEUE_CALL", T0))
            await asyncio.sleep(0.05)
            await conn.close(1012, "service restart")
            return
        await conn.send(queue_picture([], "READY", T0 + 60))
        await conn.hold()

    async with ScriptedPBX(behaviour) as pbx:
        state = WallboardState(clock=time.time)
        statuses: list[str] = []
        client = LiveClient(make_settings(pbx.url), state, on_status=statuses.append)
        async with running(client):
            await until(lambda: client.sessions == 2 and state.source.status == "connected")
            await until(lambda: not state.queues["900"].waiting)
            q = state.queues["900"]
            assert q.agents["101"].state == "READY"
            assert pbx.connections == 2
            # auth + the same subscribes again on the second connection
            assert pbx.conns[1].received[0]["command"] == "auth"
            await until(lambda: len(pbx.conns[1].received) == len(pbx.conns[0].received))
        assert any("code 1012" in line and "retrying" in line for line in statuses), statuses


async def test_v12_reconnect_marks_old_calls_stale_and_ages_out_the_unconfirmed() -> None:
    def call(kind: str, sid: str, t: int) -> str:
        return json.dumps(
            {
                "event_type": kind,
                "session_id": sid,
                "caller": "sip:101@d",
                "callee": "sip:102@d",
                "time": str(t),
            }
        )

    async def behaviour(conn: Conn) -> None:
        assert await conn.auth()
        await asyncio.wait_for(conn.subscribed.wait(), 5)
        if conn.index == 0:
            await conn.send_all([call("call_start", "5001", T0), call("call_start", "5002", T0)])
            await asyncio.sleep(0.05)
            await conn.close()
            return
        await asyncio.sleep(0.1)
        await conn.send(call("call_established", "5001", T0 + 5))
        await conn.hold()

    async with ScriptedPBX(behaviour, dialect="v12") as pbx:
        state = WallboardState(clock=time.time)
        client = LiveClient(make_settings(pbx.url, "v12", stale_after=0.4), state)
        async with running(client):
            await until(lambda: client.sessions == 2)
            assert state.calls["5001"].stale and state.calls["5002"].stale
            await until(lambda: not state.calls["5001"].stale)  # confirmed by a new event
            await until(lambda: "5002" not in state.calls, timeout=3)
            assert "5001" in state.calls


async def test_v16_reconnect_pictures_confirm_and_ghosts_are_dropped() -> None:
    """v16 re-sends queue pictures, not calls; a queue the new session never names is gone."""
    other = json.loads(queue_picture([], "READY", T0))
    other.update(queue_id="901", queue_number="8002", queue_name="Old")

    async def behaviour(conn: Conn) -> None:
        assert await conn.auth()
        await asyncio.wait_for(conn.subscribed.wait(), 5)
        if conn.index == 0:
            await conn.send_all([queue_picture([], "READY", T0), json.dumps(other)])
            await conn.send(
                json.dumps({"event_type": "call_start", "session_id": "c1", "time": T0})
            )
            await asyncio.sleep(0.05)
            await conn.close()
            return
        await conn.send(queue_picture([], "READY", T0 + 60))
        await conn.hold()

    async with ScriptedPBX(behaviour) as pbx:
        state = WallboardState(clock=time.time)
        client = LiveClient(make_settings(pbx.url, stale_after=0.4), state)
        async with running(client):
            await until(lambda: client.sessions == 2)
            await until(lambda: not state.queues["900"].stale)  # confirmed by its picture
            assert state.queues["901"].stale and state.calls["c1"].stale
            await until(lambda: "901" not in state.queues, timeout=3)
            assert "c1" not in state.calls and "900" in state.queues


async def test_silent_pbx_keepalive_timeout_then_reconnect() -> None:
    async with SilentPBX() as pbx:
        state = WallboardState(clock=time.time)
        lines: list[str] = []
        s = make_settings(pbx.url, ping_interval=0.2, ping_timeout=0.2)
        client = LiveClient(s, state, on_status=lines.append)
        started = time.monotonic()
        async with running(client):
            await until(lambda: pbx.connections >= 2, timeout=8)
        assert time.monotonic() - started < 8
        assert client.sessions >= 1
        assert any("keep-alive" in line for line in lines), lines


async def test_auth_without_answer_times_out_and_retries() -> None:
    async with SilentPBX(answer_auth=False) as pbx:
        state = WallboardState(clock=time.time)
        client = LiveClient(make_settings(pbx.url, reply_timeout=0.3), state)
        async with running(client):
            await until(lambda: pbx.connections >= 2, timeout=8)
            await until(lambda: "did not answer the auth" in state.source.last_error)
        assert client.sessions == 0


async def test_unreachable_pbx_keeps_retrying_with_growing_backoff() -> None:
    url = f"ws://127.0.0.1:{free_port()}"
    state = WallboardState(clock=time.time)
    delays: list[float] = []

    def seen(_line: str) -> None:
        if state.source.status == "reconnecting" and state.source.retry_in is not None:
            delays.append(state.source.retry_in)

    s = make_settings(url, backoff_base=0.02, backoff_max=0.16, backoff_jitter=0.0)
    client = LiveClient(s, state, on_status=seen)
    async with running(client):
        await until(lambda: len(delays) >= 5, timeout=5)
        assert state.source.status == "reconnecting"
        assert "connection refused" in state.source.last_error
        assert client.failure is None
    assert delays[:5] == pytest.approx([0.02, 0.04, 0.08, 0.16, 0.16])
    assert state.source.attempt >= 5


async def test_stop_interrupts_a_long_backoff_and_retry_now_skips_it() -> None:
    url = f"ws://127.0.0.1:{free_port()}"
    state = WallboardState(clock=time.time)
    client = LiveClient(make_settings(url, backoff_base=30, backoff_max=30), state)
    async with running(client) as task:
        await until(lambda: state.source.status == "reconnecting")
        n = client.attempts_total
        client.retry_now()
        await until(lambda: client.attempts_total > n)
        t = time.monotonic()
        client.stop()
        await asyncio.wait_for(task, 2)
        assert time.monotonic() - t < 1
    assert state.source.status == "disconnected"


def test_backoff_delay_doubles_caps_and_jitters() -> None:
    rng = random.Random(7)
    exact = [backoff_delay(n, 1.0, 60.0, 0.0) for n in range(1, 9)]
    assert exact == [1, 2, 4, 8, 16, 32, 60, 60]
    for n in range(1, 40):
        d = backoff_delay(n, 1.0, 60.0, 0.2, rng)
        base = min(60.0, 2.0 ** (n - 1))
        assert 0.8 * base <= d <= 1.2 * base
    spread = {round(backoff_delay(3, 1.0, 60.0, 0.2, rng), 3) for _ in range(20)}
    assert len(spread) > 5  # jitter really spreads reconnects


# ------------------------------------------------------------------ failing well
async def test_rejected_credentials_stop_headless_with_auth_rejected() -> None:
    async with ScriptedPBX(serve_traffic, password="other") as pbx:
        state = WallboardState(clock=time.time)
        client = LiveClient(make_settings(pbx.url), state)
        t = time.monotonic()
        with pytest.raises(AuthRejected) as info:
            await asyncio.wait_for(client.run(wait_on_fatal=False), 10)
        assert time.monotonic() - t < 3
        assert pbx.auth_attempts == 1
        assert "rejected the credentials" in str(info.value)
        assert "password error" in str(info.value)
        assert PASSWORD not in str(info.value)
        assert state.source.status == "auth_failed"


async def test_rejected_credentials_wait_for_the_user_in_the_tui() -> None:
    async with ScriptedPBX(serve_traffic, password="other") as pbx:
        state = WallboardState(clock=time.time)
        client = LiveClient(make_settings(pbx.url), state)
        async with running(client) as task:
            await until(lambda: state.source.status == "auth_failed")
            await asyncio.sleep(0.3)  # no hammering while we wait for the user
            assert pbx.auth_attempts == 1 and client.phase == "failed"
            pbx.password = PASSWORD  # the admin fixed it
            client.retry_now()
            await until(lambda: state.source.status == "connected")
            assert pbx.auth_attempts == 2
            client.stop()
            await asyncio.wait_for(task, 2)


async def test_pbx_that_drops_the_connection_after_auth_counts_as_rejected() -> None:
    async def behaviour(conn: Conn) -> None:
        await conn.recv_command()
        conn.pbx.auth_attempts += 1
        await conn.close(1008, "policy violation")

    async with ScriptedPBX(behaviour) as pbx:
        client = LiveClient(make_settings(pbx.url), WallboardState(clock=time.time))
        with pytest.raises(AuthRejected):
            await asyncio.wait_for(client.run(wait_on_fatal=False), 10)
        assert pbx.auth_attempts == 3


async def test_failed_subscribe_is_named_even_in_v12() -> None:
    async with ScriptedPBX(serve_traffic, dialect="v12", refuse_topics=("trunk_events",)) as pbx:
        state = WallboardState(clock=time.time)
        lines: list[str] = []
        client = LiveClient(make_settings(pbx.url, "v12"), state, on_status=lines.append)
        async with running(client):
            await until(lambda: bool(client.command_errors))
            assert state.source.status == "connected"
        assert client.command_errors[0] == (
            "subscribe trunk_events",
            "no permission for trunk_events",
        )
        assert state.errors[-1].command == "subscribe trunk_events"
        assert "subscribe trunk_events failed: no permission" in state.source.last_error
        assert any(line.startswith("subscribe trunk_events failed") for line in lines)


async def test_junk_and_binary_frames_are_counted_and_the_connection_kept() -> None:
    async def behaviour(conn: Conn) -> None:
        assert await conn.auth()
        await asyncio.wait_for(conn.subscribed.wait(), 5)
        if conn.index == 0:
            await conn.send_all(["junk", b"\x00\x01binary", '{"no": "type"}', "", "42"])
            await conn.send('{"event_type": "call_start", "caller": "x"}')  # no session_id
            await asyncio.sleep(0.05)
            await conn.send("x" * 5000)  # larger than max_size below: 1009, reconnect
        await conn.hold()

    async with ScriptedPBX(behaviour) as pbx:
        state = WallboardState(clock=time.time)
        lines: list[str] = []
        client = LiveClient(make_settings(pbx.url, max_size=4096), state, on_status=lines.append)
        async with running(client):
            await until(lambda: state.invalid >= 6)
            assert pbx.connections == 1  # junk alone never costs the connection
            await until(lambda: client.sessions == 2)
            assert state.invalid == 7
        # The oversized frame cost the connection, and the user was told why.
        assert any("the PBX sent a frame larger than" in line for line in lines), lines
        reasons = [getattr(ev, "reason", "") for _, ev in state.log]
        assert "binary frame" in reasons
        assert any("oversized" in r for r in reasons)


# --------------------------------------------------------------------------- TLS
@pytest.fixture(scope="module")
def cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if not have_openssl():
        pytest.skip("the openssl command is needed to make a test certificate")
    return make_cert(tmp_path_factory.mktemp("tls"))


async def test_tls_self_signed_with_ca_file(cert: tuple[Path, Path]) -> None:
    async with ScriptedPBX(serve_traffic, ssl_context=server_ssl(*cert)) as pbx:
        ctx = build_ssl_context(pbx.url, str(cert[0]), False)
        state = WallboardState(clock=time.time)
        client = LiveClient(make_settings(pbx.url, ssl_context=ctx, ca_file=str(cert[0])), state)
        async with running(client):
            await until(lambda: state.source.status == "connected")
            assert state.source.insecure is False


async def test_tls_self_signed_without_ca_fails_clearly_and_stops(cert: tuple[Path, Path]) -> None:
    async with ScriptedPBX(serve_traffic, ssl_context=server_ssl(*cert)) as pbx:
        ctx = build_ssl_context(pbx.url, None, False)
        state = WallboardState(clock=time.time)
        client = LiveClient(make_settings(pbx.url, ssl_context=ctx), state)
        with pytest.raises(ConnectFailed) as info:
            await asyncio.wait_for(client.run(wait_on_fatal=False), 10)
        text = str(info.value)
        assert "certificate" in text and "--ca-file" in text and "--insecure" in text
        assert client.attempts_total == 1
        assert pbx.connections == 0


async def test_tls_insecure_connects_and_says_so(cert: tuple[Path, Path]) -> None:
    async with ScriptedPBX(serve_traffic, ssl_context=server_ssl(*cert)) as pbx:
        ctx = build_ssl_context(pbx.url, None, True)
        state = WallboardState(clock=time.time)
        client = LiveClient(make_settings(pbx.url, ssl_context=ctx, insecure=True), state)
        async with running(client):
            await until(lambda: state.source.status == "connected")
            assert state.source.insecure is True


# ------------------------------------------------------------------------ secrets
def test_nothing_prints_the_password() -> None:
    s = make_settings("ws://admin:urlpw@127.0.0.1:1")
    client = LiveClient(s, WallboardState())
    for text in (repr(s), str(s), repr(client), repr(s.password), f"{s.password}"):
        assert PASSWORD not in text and "urlpw" not in text
    assert s.shown_url == "ws://127.0.0.1:1"
    assert client.state.source.url == "ws://127.0.0.1:1"


async def test_stop_from_a_callback_cuts_the_backoff_short() -> None:
    url = f"ws://127.0.0.1:{free_port()}"
    state = WallboardState(clock=time.time)
    client = LiveClient(make_settings(url, backoff_base=30, backoff_max=30), state)
    client.on_status = lambda _line: client.stop()
    t = time.monotonic()
    await asyncio.wait_for(client.run(), 5)
    assert time.monotonic() - t < 2
    assert client.attempts_total == 1


async def test_a_recording_that_cannot_be_written_stops_the_client() -> None:
    from wallboard.errors import WallboardError

    async with ScriptedPBX(serve_traffic) as pbx:

        def broken(_frame: str, _t: float) -> None:
            raise WallboardError("cannot write rec.jsonl: No space left on device")

        client = LiveClient(
            make_settings(pbx.url), WallboardState(clock=time.time), on_frame=broken
        )
        with pytest.raises(WallboardError, match="No space left"):
            await asyncio.wait_for(client.run(), 5)
        assert pbx.connections == 1


def _closed(rcvd: tuple[int, str] | None, sent: tuple[int, str] | None) -> Exception:
    from websockets.exceptions import ConnectionClosedError
    from websockets.frames import Close

    r = Close(*rcvd) if rcvd else None
    s = Close(*sent) if sent else None
    return ConnectionClosedError(r, s, True if r and s else None)


def _http(status: int) -> Exception:
    from websockets.datastructures import Headers
    from websockets.exceptions import InvalidStatus
    from websockets.http11 import Response

    return InvalidStatus(Response(status, "x", Headers()))


@pytest.mark.parametrize(
    ("exc", "needle"),
    [
        (ConnectionRefusedError(111, "Connection refused"), "connection refused by pbx:8885"),
        (socket.gaierror(-2, "Name or service not known"), "cannot resolve host pbx"),
        (TimeoutError(), "no answer from pbx:8885 within 2 s"),
        (_http(404), "HTTP 404 (wrong path? v22 uses /wsi"),
        (_http(503), "refused the WebSocket upgrade: HTTP 503"),
        (_closed((1001, "going away"), (1001, "")), "closed the connection (code 1001, going away"),
        (_closed(None, (1009, "too big")), "larger than 4 MiB"),
        (_closed(None, (1011, "keepalive ping timeout")), "stopped answering keep-alive"),
        (_closed(None, None), "lost (no close frame)"),
        (OSError(113, "No route to host"), "No route to host"),
        (RuntimeError("boom " + PASSWORD), "failed: RuntimeError"),
    ],
)
def test_every_failure_is_one_clear_line(exc: Exception, needle: str) -> None:
    from wallboard.feed.liveerrors import describe_error

    s = make_settings(f"ws://admin:{PASSWORD}@pbx:8885", max_size=4 * 1024 * 1024)
    text = describe_error(exc, s)
    assert needle in text
    assert "\n" not in text and PASSWORD not in text
