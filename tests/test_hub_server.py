"""`wallboard hub` on real sockets: the simulator → the hub → viewers, /state, /metrics, /healthz.

The hub's clock is stepped with the simulator's virtual clock (hub_helpers),
so documents compare with `==`. Every fault of the issue has a test here:
junk, a huge frame, no auth in time, a wrong token, a flood of viewers, a
revoked token, a slow viewer, the PBX going away, the hub going away.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
from pathlib import Path
from typing import Any

import orjson
import pytest
from prometheus_client.parser import text_string_to_metric_families
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from hub_helpers import (
    SCOPED,
    TOKEN,
    StepClock,
    hidden_parts,
    http_get,
    hub_rig,
    raw_feed,
    sim_settings,
    until,
    viewer,
    write_tokens,
)
from live_helpers import have_openssl, make_cert, server_ssl
from wallboard.feed.hubwire import CLOSE_AUTH_TIMEOUT, CLOSE_POLICY, CLOSE_UNAUTHORIZED
from wallboard.feed.viewer import HubViewer, ViewerSettings
from wallboard.hub.journal import HubState
from wallboard.hub.run import Hub
from wallboard.hub.server import UNAUTHORIZED_TEXT, HubConfig
from wallboard.hub.tokens import TokenFile, revoke_token
from wallboard.model import WallboardState, state_document
from wallboard.model.scope import Scope, scoped_model
from wallboard.sim import Simulator

pytestmark = pytest.mark.timeout(90)


def tokens_file(tmp_path: Path) -> TokenFile:
    path = write_tokens(
        tmp_path / "tokens.toml", [("wall", TOKEN, None), ("team", SCOPED, ["8002", "8004"])]
    )
    return TokenFile(path)


async def equal_soon(rig: Any, view: WallboardState, expected: Any = None) -> None:
    await rig.settle()
    want = expected or (lambda: state_document(rig.state))
    await until(lambda: state_document(view) == want(), what="the viewer equals the hub")


# ------------------------------------------------------------ equality
@pytest.mark.parametrize("dialect", ["v12", "v16"])
async def test_two_viewers_show_the_same_state_as_the_hub(dialect: str) -> None:
    async with hub_rig(dialect, sim_kw={"agents": 60, "queues": 4}) as rig, viewer(rig.url) as a:
        await until(lambda: a.ready.is_set(), what="viewer a ready")
        for _ in range(6):
            rig.step(20)
            await asyncio.sleep(0.02)
        async with viewer(rig.url) as b:  # joins in the middle of the day
            for _ in range(6):
                rig.step(20)
                await asyncio.sleep(0.02)
            await equal_soon(rig, a.state)
            await equal_soon(rig, b.state)
            assert hidden_parts(a.state) == hidden_parts(rig.state)
            assert hidden_parts(b.state) == hidden_parts(rig.state)
            assert rig.state.events > 100 and a.model.skipped == b.model.skipped == 0
            assert a.model.checkpoints == b.model.checkpoints == 1


async def test_a_scoped_viewer_sees_only_its_queues_in_the_feed_state_and_metrics(
    tmp_path: Path,
) -> None:
    async with hub_rig("v16", tokens=tokens_file(tmp_path)) as rig:
        scope = Scope.of(["8002", "8004"])
        async with viewer(rig.url, SCOPED) as team, viewer(rig.url, TOKEN) as wall:
            await until(lambda: team.ready.is_set() and wall.ready.is_set())
            for _ in range(8):
                rig.step(15)
                await asyncio.sleep(0.02)
            await rig.settle()
            expected = lambda: state_document(scoped_model(rig.state, scope))  # noqa: E731
            await until(lambda: state_document(team.state) == expected(), what="scoped equal")
            await until(lambda: state_document(wall.state) == state_document(rig.state))
            assert team.link.scope == ["8002", "8004"] and team.link.token == "team"
            doc = state_document(team.state)
            assert {q["number"] for q in doc["queues"]} == {"8002", "8004"}
            agents = {a["extension"] for q in doc["queues"] for a in q["agents"]}
            assert {e["number"] for e in doc["extensions"]} <= agents
            assert len(doc["extensions"]) < len(state_document(rig.state)["extensions"])
            # /state with the scoped token: the same restriction.
            status, _h, body = await http_get(rig.url + "/state", SCOPED)
            assert status == 200 and orjson.loads(body) == expected()
            # /metrics with the scoped token: only its queues.
            status, _h, body = await http_get(rig.url + "/metrics", SCOPED)
            queues = {
                s.labels["queue"]
                for fam in text_string_to_metric_families(body.decode())
                for s in fam.samples
                if "queue" in s.labels
            }
            assert queues == {"8002", "8004"}


# ------------------------------------------------------------------ HTTP
async def test_state_with_a_token_401_without_and_metrics_equal_the_document(
    tmp_path: Path,
) -> None:
    async with hub_rig("v16", tokens=tokens_file(tmp_path), sim_kw={"agents": 60}) as rig:
        for _ in range(10):
            rig.step(30)
            await asyncio.sleep(0.01)
        await rig.settle()
        status, headers, body = await http_get(rig.url + "/state", TOKEN)
        assert status == 200 and headers["content-type"] == "application/json"
        doc = orjson.loads(body)
        assert doc == state_document(rig.state)
        # Without a token, with a wrong one, with one in the URL: 401, the same words.
        answers = [
            await http_get(rig.url + "/state"),
            await http_get(rig.url + "/state", TOKEN + "x"),
            await http_get(rig.url + "/metrics", "Bearer"),
            await http_get(rig.url + f"/state?token={TOKEN}"),
        ]
        for st, hd, b in answers:
            assert (
                st == 401
                and b.decode() == UNAUTHORIZED_TEXT
                and "bearer" in hd["www-authenticate"].lower()
            )
        status, headers, body = await http_get(rig.url + "/metrics", TOKEN)
        assert status == 200 and headers["content-type"].startswith("text/plain")
        check_metrics_equal_document(body.decode(), doc)


def check_metrics_equal_document(text: str, doc: dict[str, Any]) -> None:
    samples: dict[str, dict[tuple[tuple[str, str], ...], float]] = {}
    for fam in text_string_to_metric_families(text):
        for s in fam.samples:
            samples.setdefault(s.name, {})[tuple(sorted(s.labels.items()))] = s.value
    assert samples["wallboard_pbx_connected"][()] == (doc["source"]["status"] == "connected")
    frames = samples["wallboard_frames_total"]
    for kind, key in (("event", "events"), ("unknown", "unknown"), ("invalid", "invalid")):
        assert frames[(("kind", kind),)] == doc["counters"][key]
    some_sl = False
    for q in doc["queues"]:
        lab = (("name", q["name"]), ("queue", q["number"]))
        st = q["stats"]
        waiting = sum(1 for w in q["waiting"] if w["type"] == "normal")
        assert samples["wallboard_queue_waiting"][lab] == waiting
        assert samples["wallboard_queue_longest_wait_seconds"][lab] == pytest.approx(
            st["longest_wait_s"], abs=1e-3
        )
        assert samples["wallboard_queue_offered_total"][lab] == st["offered"]
        assert samples["wallboard_queue_answered_total"][lab] == st["answered"]
        assert samples["wallboard_queue_abandoned_total"][lab] == st["abandoned"]
        sl = samples["wallboard_queue_service_level_ratio"].get(lab)
        if st["service_level_pct"] is None:
            assert sl is None  # absent while undefined
        else:
            some_sl = True
            assert sl == pytest.approx(st["service_level_pct"] / 100, abs=1e-5)
        by_state: dict[str, int] = {}
        for a in q["agents"]:
            by_state[a["state"]] = by_state.get(a["state"], 0) + 1
        got = {
            dict(k)["state"]: v
            for k, v in samples["wallboard_queue_agents"].items()
            if dict(k)["queue"] == q["number"]
        }
        assert got == by_state
    assert some_sl, "the traffic should define at least one service level"


async def test_healthz_flips_to_503_when_the_pbx_drops_and_viewers_keep_the_last_state() -> None:
    async with hub_rig("v16") as rig, viewer(rig.url) as v:
        for _ in range(4):
            rig.step(20)
        await equal_soon(rig, v.state)
        status, _h, body = await http_get(rig.url + "/healthz")
        assert status == 200
        queues_before = {q["number"] for q in state_document(v.state)["queues"]}
        port = rig.sim.port
        await rig.sim.stop()
        await until(lambda: rig.state.source.status == "reconnecting", what="hub reconnecting")
        status, _h, body = await http_get(rig.url + "/healthz")
        assert status == 503 and b"8001" not in body
        # The viewer: the hub's countdown, the last state.
        await until(lambda: v.state.source.status == "reconnecting", what="viewer sees it")
        assert v.state.source.retry_in is not None and v.state.source.last_error
        assert {q["number"] for q in state_document(v.state)["queues"]} == queues_before
        assert v.link.status == "connected"
        sim2 = Simulator(rig.sim.config)
        sim2.config.port = port
        await sim2.start()
        try:
            await until(lambda: rig.state.source.status == "connected", what="hub back")
            await until(lambda: v.state.source.status == "connected", what="viewer sees it")
            status, _h, _b = await http_get(rig.url + "/healthz")
            assert status == 200
            await asyncio.sleep(0.1)
            rig.state.tick()
            rig.hub.server.fanout.flush()
            await until(lambda: state_document(v.state) == state_document(rig.state))
        finally:
            await sim2.stop()


# ---------------------------------------------------------------- viewers
async def test_a_reconnecting_viewer_gets_a_fresh_checkpoint() -> None:
    async with hub_rig("v16") as rig:
        for n in range(2):
            ws = await raw_feed(rig.url)
            hello = orjson.loads(await ws.recv())
            cp = orjson.loads(await ws.recv())
            assert hello["type"] == "hello" and hello["protocol"] == 1 and hello["feed"] == "frames"
            assert cp["type"] == "checkpoint" and cp["data"]["checkpoint"] == 1
            assert cp["data"]["live"]["counters"]["frames"] == rig.state.frames
            await ws.close()
            rig.step(10)
            await rig.settle()
            assert n < 2


async def test_a_viewer_that_stops_reading_is_dropped_and_slows_nobody() -> None:
    async with (
        hub_rig("v16", sim_kw={"agents": 200, "queues": 5}, max_viewer_buffer=32 * 1024) as rig,
        viewer(rig.url) as good,
    ):
        await until(lambda: good.ready.is_set())
        # A viewer with a tiny receive window that never reads.
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.connect(("127.0.0.1", rig.hub.server.port))
        slow = await connect(
            rig.url.replace("http", "ws") + "/feed", sock=sock, max_queue=1, compression=None
        )
        await until(lambda: rig.hub.server.fanout.count == 2)
        for _ in range(40):
            rig.step(15)
            await asyncio.sleep(0.01)
            if rig.hub.server.fanout.stats.dropped_slow:
                break
        await until(lambda: rig.hub.server.fanout.stats.dropped_slow == 1, what="slow dropped")
        assert rig.hub.server.fanout.count == 1
        await equal_soon(rig, good.state)  # the other one kept up
        assert good.model.checkpoints == 1  # and was never dropped
        with contextlib.suppress(Exception):
            while True:  # the slow one reads its backlog, then the close code
                await asyncio.wait_for(slow.recv(), 5)
        assert slow.close_code in (1013, 1006)
        assert rig.state.frames == sum(c.sent for c in rig.sim._clients)  # the PBX side: all


async def test_the_hub_going_away_and_coming_back() -> None:
    """Viewers keep the last state, say the hub is unreachable, reconnect with backoff."""
    sim = Simulator(__import__("sim_helpers").config("v16"))
    await sim.start()
    try:
        clock = StepClock(sim.now)
        hub = Hub(sim_settings(sim), HubState(clock), HubConfig(port=0, flush_interval=0.005))
        url = await hub.start()
        port = hub.server.port
        v = HubViewer(ViewerSettings(url, backoff_base=0.1, backoff_max=0.5), WallboardState())
        task = asyncio.create_task(v.run())
        try:
            await until(lambda: v.ready.is_set() and bool(v.state.queues))
            doc_before = state_document(v.state)
            await hub.stop()
            await until(lambda: v.link.status == "reconnecting", what="link down")
            assert "went away" in v.link.last_error or "refused" in v.link.last_error
            assert state_document(v.state)["queues"] == doc_before["queues"]
            await asyncio.sleep(0.6)  # a few refused attempts: backoff, not a spin
            assert 1 < v.link.attempt < 12
            hub2 = Hub(
                sim_settings(sim), HubState(clock), HubConfig(port=port, flush_interval=0.005)
            )
            await hub2.start()
            try:
                await until(lambda: v.link.status == "connected" and v.model.checkpoints == 2)
                await until(lambda: state_document(v.state) == state_document(hub2.state))
            finally:
                await hub2.stop()
        finally:
            v.stop()
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await task
    finally:
        await sim.stop()


# ----------------------------------------------------------------- faults
async def _closed(ws: Any, timeout: float = 5.0) -> tuple[int | None, str | None]:
    with contextlib.suppress(ConnectionClosed):
        async with asyncio.timeout(timeout):
            while True:
                await ws.recv()
    return ws.close_code, ws.close_reason


async def test_junk_huge_frames_and_silence_get_a_viewer_closed(tmp_path: Path) -> None:
    async with hub_rig("v16", tokens=tokens_file(tmp_path), auth_timeout=0.3) as rig:
        ws = await raw_feed(rig.url, TOKEN)
        await ws.recv()
        await ws.send("junk")  # viewers send nothing after auth
        assert (await _closed(ws))[0] == CLOSE_POLICY
        ws = await raw_feed(rig.url, TOKEN, max_size=None)
        await ws.send("x" * 200_000)  # over the 64 KiB a viewer may send
        assert (await _closed(ws))[0] == 1009
        ws = await raw_feed(rig.url)  # no header, and no auth message either
        assert (await _closed(ws))[0] == CLOSE_AUTH_TIMEOUT
        ws = await raw_feed(rig.url)
        await ws.send(b"\x00\x01 binary junk")
        assert (await _closed(ws))[0] == CLOSE_POLICY
        assert rig.hub.server.fanout.count == 0 and rig.state.source.status == "connected"


async def test_a_wrong_token_is_refused_without_a_hint(tmp_path: Path) -> None:
    async with hub_rig("v16", tokens=tokens_file(tmp_path)) as rig:
        bodies = set()
        for bad in (TOKEN + "x", "short", "x" * 5000):
            with pytest.raises(InvalidStatus) as exc:
                await raw_feed(rig.url, bad)
            assert exc.value.response.status_code == 401
            bodies.add(bytes(exc.value.response.body))
        reasons = set()
        for bad in (TOKEN[:-1], "", 5, None):
            ws = await raw_feed(rig.url)
            await ws.send(orjson.dumps({"type": "auth", "token": bad}))
            code, reason = await _closed(ws)
            assert code == CLOSE_UNAUTHORIZED
            reasons.add(reason)
        assert len(bodies) == 1 and reasons == {"unauthorized"}
        # The first-message auth works with the right token, and gets the hello.
        ws = await raw_feed(rig.url)
        await ws.send(orjson.dumps({"type": "auth", "token": TOKEN}))
        assert orjson.loads(await ws.recv())["token"] == "wall"
        await ws.close()
        # A real viewer with a wrong token stops (no hammering) and says so.
        async with viewer(rig.url, "wbt_wrong") as v:
            await until(lambda: v.link.status == "rejected")
            assert TOKEN not in v.link.last_error and "wbt_wrong" not in v.link.last_error


async def test_a_flood_of_viewers_is_capped() -> None:
    async with hub_rig("v16", max_viewers=3) as rig:
        held = [await raw_feed(rig.url) for _ in range(3)]
        for ws in held:
            await ws.recv()
        with pytest.raises(InvalidStatus) as exc:
            await raw_feed(rig.url)
        assert exc.value.response.status_code == 503
        await held[0].close()
        await until(lambda: rig.hub.server.fanout.count == 2)
        again = await raw_feed(rig.url)
        assert orjson.loads(await again.recv())["type"] == "hello"
        for ws in [*held[1:], again]:
            await ws.close()


async def test_a_revoked_token_closes_its_viewers_within_a_second(tmp_path: Path) -> None:
    tokens = tokens_file(tmp_path)
    async with (
        hub_rig("v16", tokens=tokens) as rig,
        viewer(rig.url, SCOPED) as team,
        viewer(rig.url, TOKEN) as wall,
    ):
        await until(lambda: team.ready.is_set() and wall.ready.is_set())
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        revoke_token(tokens.path, "team")
        await until(lambda: team.link.status == "rejected", timeout=3, what="closed")
        assert loop.time() - t0 < 1.0
        assert wall.link.status == "connected" and rig.hub.server.fanout.count == 1
        status, _h, _b = await http_get(rig.url + "/state", SCOPED)
        assert status == 401


@pytest.mark.skipif(not have_openssl(), reason="needs the openssl command line tool")
async def test_a_hub_over_tls(tmp_path: Path) -> None:
    cert, key = make_cert(tmp_path)
    async with hub_rig("v16", ssl_context=server_ssl(cert, key)) as rig:
        assert rig.url.startswith("https://")
        ctx = ssl.create_default_context(cafile=str(cert))
        async with viewer(rig.url, ssl_context=ctx) as v:
            rig.step(20)
            await equal_soon(rig, v.state)
        untrusted = HubViewer(ViewerSettings(rig.url), WallboardState())
        with pytest.raises(Exception, match="does not verify"):
            await asyncio.wait_for(untrusted.run(wait_on_fatal=False), 10)
