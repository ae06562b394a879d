"""LiveClient against the embedded simulator: every dialect and login, permissions, restarts."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

import pytest

from tests.test_live_client import make_settings, running, until
from wallboard.errors import AuthRejected
from wallboard.feed.client import LiveClient
from wallboard.feed.live import snapshot_live
from wallboard.feed.secrets import Secret
from wallboard.model import WallboardState
from wallboard.sim import DOMAIN, SYSADMIN_USER, TENANT_ID, SimConfig, Simulator

pytestmark = pytest.mark.timeout(60)

PW = "sim-pw-QQ7"


def sim_config(dialect: str, **kw: Any) -> SimConfig:
    base: dict[str, Any] = {
        "dialect": dialect,
        "agents": 20,
        "queues": 2,
        "seed": 3,
        "speed": 10.0,
        "password": PW,
        "warmup": 60.0,
    }
    base.update(kw)
    return SimConfig(**base)


@pytest.mark.parametrize("dialect", ["v12", "v16", "v22"])
async def test_tenant_login_sees_the_call_center(dialect: str) -> None:
    async with Simulator(sim_config(dialect)) as sim:
        s = make_settings(
            sim.url,
            dialect,
            password=Secret(PW),
            user="demo" if dialect == "v12" else "admin",
            domain=None if dialect == "v12" else DOMAIN,
        )
        doc = await snapshot_live(s, 1.0)
    assert doc["source"]["status"] == "connected"
    assert doc["errors"] == []
    assert doc["counters"]["invalid"] == 0 and doc["counters"]["unknown"] == 0
    assert doc["counters"]["events"] > 0
    if dialect == "v12":
        # No pictures in v12: only what happened since the subscribe. Calls start within
        # the first simulated seconds; the first registration refresh may come later
        # than this one-second look (10 s at speed 10), so extensions are not required.
        assert doc["calls"] or any(doc["finished_calls"].values()), doc["counters"]
    else:  # v16+ send the status pictures right after subscribing
        assert [q["number"] for q in doc["queues"]] == ["8001", "8002"]
        assert len(doc["extensions"]) == 20


async def test_v22_system_admin_subscribes_to_global_topics() -> None:
    async with Simulator(sim_config("v22")) as sim:
        s = make_settings(
            sim.url,
            "v22",
            password=Secret(PW),
            user=SYSADMIN_USER,
            domain=None,
            tenants=[TENANT_ID],
        )
        client_state = WallboardState(clock=time.time)
        doc = await snapshot_live(s, 1.0, state=client_state)
    assert doc["errors"] == [], doc["errors"]
    assert doc["queues"]


async def test_extension_login_within_its_permissions() -> None:
    async with Simulator(sim_config("v16")) as sim:
        s = make_settings(
            sim.url,
            "v16",
            password=Secret(PW),
            user=None,
            extension="101",
            domain=DOMAIN,
            extensions=[str(n) for n in range(101, 111)],
            queues=["8001"],
        )
        doc = await snapshot_live(s, 0.5)
    assert doc["errors"] == []
    # 8001's picture arrives right after subscribing; another queue may appear only
    # through extension events (the supervisor 110 is in 101's extension group).
    assert "8001" in [q["number"] for q in doc["queues"]]


async def test_v12_refused_subscribe_is_shown_with_its_command() -> None:
    async with Simulator(sim_config("v12")) as sim:
        s = make_settings(
            sim.url,
            "v12",
            password=Secret(PW),
            user=None,
            extension="101",
            domain=DOMAIN,
            extensions=["150"],  # not in 101's extension group
        )
        state = WallboardState(clock=time.time)
        client = LiveClient(s, state)
        async with running(client):
            await until(lambda: bool(client.command_errors))
            assert state.source.status == "connected"  # the PBX keeps the connection
    assert client.command_errors[0][0] == "subscribe extension_events"
    assert state.errors[0].command == "subscribe extension_events"
    assert "subscribe extension_events failed" in state.source.last_error


async def test_wrong_password_against_the_simulator() -> None:
    async with Simulator(sim_config("v16")) as sim:
        s = make_settings(sim.url, "v16", password=Secret("wrong"))
        client = LiveClient(s, WallboardState(clock=time.time))
        with pytest.raises(AuthRejected):
            await asyncio.wait_for(client.run(wait_on_fatal=False), 10)
    assert client.attempts_total == 1


async def test_simulator_restart_reconnect_and_fresh_picture() -> None:
    sim = Simulator(sim_config("v16"))
    await sim.start()
    port = sim.port
    state = WallboardState(clock=time.time)
    s = make_settings(sim.url, "v16", password=Secret(PW))
    client = LiveClient(s, state)
    sim2: Simulator | None = None
    try:
        async with running(client):
            await until(lambda: state.source.status == "connected" and bool(state.queues))
            await sim.stop()
            await until(lambda: state.source.status == "reconnecting")
            frames_before = state.frames
            sim2 = Simulator(sim_config("v16", port=port, seed=4))
            await sim2.start()
            await until(lambda: client.sessions == 2 and state.source.status == "connected")
            await until(lambda: state.frames > frames_before + 3)
            assert len(state.queues) == 2
            assert state.source.last_error == ""
    finally:
        with contextlib.suppress(Exception):
            await sim.stop()
        if sim2 is not None:
            await sim2.stop()
