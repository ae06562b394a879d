"""The live client and the names task together against the simulator (WSI + REST, one port)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from names_helpers import PASSWORD, Recorder, book_for, names_task
from tests.test_live_client import make_settings, running, until
from wallboard.feed.client import LiveClient
from wallboard.feed.names import NamesTask, rest_client_for
from wallboard.feed.secrets import Secret
from wallboard.model import WallboardState
from wallboard.sim import (
    ADMIN_USER,
    DOMAIN,
    SYSADMIN_USER,
    TENANT2_ID,
    TENANT_ID,
    RestFault,
    SimConfig,
    Simulator,
)

pytestmark = pytest.mark.timeout(60)


def sim_config(**kw: Any) -> SimConfig:
    base: dict[str, Any] = {
        "dialect": "v22",
        "agents": 30,
        "queues": 3,
        "seed": 5,
        "speed": 10.0,
        "password": PASSWORD,
        "warmup": 60.0,
    }
    base.update(kw)
    return SimConfig(**base)


def _on_changed(state: WallboardState, rec: Recorder) -> Any:
    real = getattr(state, "names_changed", None)

    def changed() -> None:
        rec.changed()
        if real is not None:
            real()

    return changed


async def test_the_wsi_feed_keeps_flowing_while_rest_hangs() -> None:
    async with Simulator(sim_config(rate=2.0)) as sim:
        # The first REST call (the login) hangs; the client gives up after its timeout.
        sim.rest_faults.append(RestFault(delay=30.0, times=1))
        state = WallboardState(clock=time.time)
        settings = make_settings(
            sim.url, "v22", password=Secret(PASSWORD), user=ADMIN_USER, domain=DOMAIN
        )
        rest = rest_client_for(settings, timeout=5.0)
        assert rest is not None
        book, rec = book_for(state), Recorder()
        task = names_task(rest, book, rec, failure_retry=0.2)
        client = LiveClient(settings, state, on_event=task.watch)
        task.start()
        async with running(client):
            await until(lambda: state.source.status == "connected")
            frames = state.frames
            t0 = time.monotonic()
            # For two seconds the REST login hangs, and frames keep arriving all along.
            while time.monotonic() - t0 < 2.0:
                before = state.frames
                await asyncio.sleep(0.4)
                assert state.frames > before, "the WSI feed stalled while REST hung"
            assert state.frames > frames + 20
            assert task.fetches == 0 and rec.notices == []
            # The hung call times out: one notice, names as they were (none), feed still up.
            await until(lambda: len(rec.notices) >= 1, timeout=10)
            assert "did not answer" in rec.notices[0]
            assert state.source.status == "connected"
            # The PBX answers again: names arrive without a restart of anything.
            await until(lambda: task.fetches >= 1, timeout=10)
            assert book.name(TENANT_ID, "101") == sim.roster.ext_names["101"]
            assert len(rec.notices) == 2 and "read again" in rec.notices[1]
            assert state.source.status == "connected"
        await task.stop()
        assert PASSWORD not in " ".join(rec.notices)


async def test_extension_management_events_from_the_wsi_trigger_a_refetch() -> None:
    # At speed 100 the simulator sends a management event every second or two.
    async with Simulator(sim_config(speed=100.0)) as sim:
        state = WallboardState(clock=time.time)
        settings = make_settings(
            sim.url, "v22", password=Secret(PASSWORD), user=ADMIN_USER, domain=DOMAIN
        )
        rest = rest_client_for(settings)
        assert rest is not None
        rec = Recorder()
        task = names_task(
            rest,
            book_for(state),
            rec,
            interval=600.0,
            debounce=0.1,
            max_debounce=0.5,
            min_gap=0.3,
        )
        client = LiveClient(settings, state, on_event=task.watch)
        task.start()
        async with running(client):
            await until(lambda: task.fetches >= 1, timeout=10)
            await until(lambda: task.fetches >= 3, timeout=20)  # only events can cause these
        await task.stop()
        users = sim.rest_stats.requests.count("GET /users")
        assert users >= 3
        assert rec.notices == []


async def test_system_admin_live_with_names_of_two_tenants() -> None:
    async with Simulator(sim_config()) as sim:
        state = WallboardState(clock=time.time)
        settings = make_settings(
            sim.url,
            "v22",
            password=Secret(PASSWORD),
            user=SYSADMIN_USER,
            domain=None,
            tenants=[TENANT_ID, TENANT2_ID],
        )
        assert settings.system_admin
        rest = rest_client_for(settings)
        assert rest is not None
        book, rec = book_for(state), Recorder()
        task = names_task(
            rest,
            book,
            rec,
            system_admin=True,
            tenants=settings.tenants,
        )
        client = LiveClient(settings, state, on_event=task.watch)
        task.start()
        async with running(client):
            await until(lambda: task.fetches >= 1, timeout=10)
            tenants = {e.tenant_id for e in state.extensions.values()}
            await until(
                lambda: {e.tenant_id for e in state.extensions.values()} >= {TENANT_ID, TENANT2_ID}
            )
            assert tenants <= {TENANT_ID, TENANT2_ID}
        await task.stop()
        assert book.tenant_name(TENANT2_ID) == "northwind"
        assert book.name(TENANT2_ID, "101") == sim.tenants[1].roster.ext_names["101"]
        assert rec.notices == []


def test_no_rest_below_v22() -> None:
    for dialect in ("v12", "v16"):
        s = make_settings("ws://127.0.0.1:1", dialect, user="admin", domain="demo.local")
        assert rest_client_for(s) is None


async def test_rest_names_reach_the_state_document() -> None:
    from wallboard.model import state_document

    async with Simulator(sim_config()) as sim:
        state = WallboardState(clock=time.time)
        settings = make_settings(
            sim.url, "v22", password=Secret(PASSWORD), user=ADMIN_USER, domain=DOMAIN
        )
        rest = rest_client_for(settings)
        assert rest is not None
        rec = Recorder()
        task = NamesTask(rest, state.names, on_changed=state.names_changed, on_notice=rec.notice)
        client = LiveClient(settings, state, on_event=task.watch)
        task.start()
        async with running(client):
            await until(lambda: task.fetches >= 1 and bool(state.queues), timeout=10)
            doc = state_document(state)
        await task.stop()
    names = sim.roster.ext_names
    exts = {e["number"]: e for e in doc["extensions"] if e["tenant_id"] == TENANT_ID}
    assert exts and all(e["name"] == names[n] for n, e in exts.items() if n in names)
    agents = [a for q in doc["queues"] for a in q["agents"]]
    assert agents and all(a["name"] == names[a["extension"]] for a in agents)


@pytest.mark.parametrize("dialect", ["v12", "v16"])
async def test_a_names_file_reaches_the_state_document(dialect: str, tmp_path: Any) -> None:
    from wallboard.feed.namefile import load_overrides
    from wallboard.model import state_document

    f = tmp_path / "names.csv"
    f.write_text("number,name\n101,Front Desk\n102,Zoë Núñez\n8001,Main line\n", "utf-8")
    async with Simulator(sim_config(dialect=dialect)) as sim:
        state = WallboardState(clock=time.time)
        if state.names.set_overrides(load_overrides(None, f, print)):
            state.names_changed()
        user = "demo" if dialect == "v12" else ADMIN_USER
        settings = make_settings(
            sim.url,
            dialect,
            password=Secret(PASSWORD),
            user=user,
            domain=None if dialect == "v12" else DOMAIN,
        )
        client = LiveClient(settings, state)

        def seen() -> set[str]:
            numbers = {n for _, n in state.extensions}
            return numbers | {a for q in state.queues.values() for a in q.agents}

        async with running(client):
            # v12 has no status pictures: wait until 101 or 102 showed up somewhere.
            await until(lambda: bool(seen() & {"101", "102"}) and bool(state.queues), timeout=20)
            doc = state_document(state)
    exts = {e["number"]: e["name"] for e in doc["extensions"]}
    agents = {a["extension"]: a["name"] for q in doc["queues"] for a in q["agents"]}
    given = {"101": "Front Desk", "102": "Zoë Núñez"}
    assert {**exts, **agents}.keys() & given.keys()
    assert all(name == given.get(n) for n, name in exts.items())
    assert all(name == given.get(n) for n, name in agents.items())
