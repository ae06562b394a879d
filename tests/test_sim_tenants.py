"""Several tenants on the v22 simulator: the system admin sees them all, a tenant only itself."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from sim_helpers import ALL_TOPICS, AUTH, config, open_peer, run
from wallboard.sim import TENANT2_DOMAIN, TENANT2_ID, TENANT_ID, Simulator

GLOBAL = [
    "global_extension_events",
    "global_cdr_events",
    "global_queue_events",
    "global_extension_management_events",
    "global_queue_management_events",
]
ADMIN2 = dict(AUTH["v22"]["tenant"], domain=TENANT2_DOMAIN)


def _tenants(events: list[dict[str, Any]]) -> Counter[str]:
    return Counter(e.get("tenant_id", "") for e in events)


async def test_system_admin_sees_both_tenants_each_admin_only_its_own() -> None:
    async with Simulator(config("v22", rate=1.0)) as sim:
        assert [t.tenant_id for t in sim.tenants] == [TENANT_ID, TENANT2_ID]
        sysadmin = await open_peer(sim, "sysadmin")
        reply = await sysadmin.command(
            {"command": "subscribe", "topics": GLOBAL, "tenants": [TENANT_ID, TENANT2_ID]}
        )
        assert reply["status"] == 0, reply
        admin1 = await open_peer(sim)
        admin2 = await open_peer(sim, None)
        assert (await admin2.command(ADMIN2))["status"] == 0
        for peer in (admin1, admin2):
            reply = await peer.command({"command": "subscribe", "topics": ALL_TOPICS["v22"]})
            assert reply["status"] == 0, reply
        peers = [sysadmin, admin1, admin2]
        await run(sim, peers, 300)
        seen = _tenants(sysadmin.events())
        assert seen[TENANT_ID] > 100 and seen[TENANT2_ID] > 50, seen
        assert set(_tenants(admin1.events())) == {TENANT_ID}
        assert set(_tenants(admin2.events())) == {TENANT2_ID}
        # The system admin's stream is exactly the two tenants' streams, interleaved.
        mine = [e for e in sysadmin.events() if e["tenant_id"] == TENANT_ID]
        assert mine == admin1.events()
        theirs = [e for e in sysadmin.events() if e["tenant_id"] == TENANT2_ID]
        assert theirs == admin2.events()
        kinds = {e["event_type"] for e in theirs}
        assert {"call_start", "call_cdr", "queue_status", "extension_status"} <= kinds
        # Call ids are unique across the tenants (one PBX, one id space).
        sids = [e["session_id"] for e in sysadmin.events() if e["event_type"] == "call_start"]
        assert len(sids) == len(set(sids))
        for p in peers:
            await p.close()


async def test_system_admin_can_watch_one_tenant_and_pictures_come_per_tenant() -> None:
    async with Simulator(config("v22", rate=1.0)) as sim:
        peer = await open_peer(sim, "sysadmin")
        reply = await peer.command(
            {"command": "subscribe", "topics": ["global_queue_events"], "tenants": [TENANT2_ID]}
        )
        assert reply["status"] == 0
        await run(sim, [peer], 1)
        pictures = [e for e in peer.events() if e["event_type"] == "queue_status"]
        second = sim.tenants[1].roster
        assert [p["queue_number"] for p in pictures] == second.queues
        assert {p["tenant_id"] for p in pictures} == {TENANT2_ID}
        assert [p["queue_name"] for p in pictures] == [second.queue_names[q] for q in second.queues]
        await run(sim, [peer], 200)
        assert set(_tenants(peer.events())) == {TENANT2_ID}
        # Adding the other tenant later widens the same subscription.
        reply = await peer.command(
            {"command": "subscribe", "topics": ["global_queue_events"], "tenants": [TENANT_ID]}
        )
        assert reply["status"] == 0
        mark = len(peer.frames)
        await run(sim, [peer], 200)
        later = [m for m in peer.messages[mark:] if "event_type" in m]
        assert set(_tenants(later)) == {TENANT_ID, TENANT2_ID}
        await peer.close()


async def test_tenant_admin_may_not_reach_the_other_tenant() -> None:
    async with Simulator(config("v22")) as sim:
        admin2 = await open_peer(sim, None)
        assert (await admin2.command(ADMIN2))["status"] == 0
        bad = await admin2.command(
            {"command": "subscribe", "topics": ["global_cdr_events"], "tenants": [TENANT_ID]}
        )
        assert bad["status"] == -1
        # Extension 101 of the second tenant logs in with its own domain.
        ext2 = await open_peer(sim, None)
        auth = dict(AUTH["v22"]["ext"], domain=TENANT2_DOMAIN)
        assert (await ext2.command(auth))["status"] == 0
        sysadmin = await open_peer(sim, "sysadmin")
        unknown = await sysadmin.command(
            {"command": "subscribe", "topics": ["global_cdr_events"], "tenants": ["42"]}
        )
        assert unknown["status"] == -1 and "42" in unknown["error"]
        for p in (admin2, ext2, sysadmin):
            await p.close()


async def _sysadmin_frames(seed: int, step: float) -> list[str]:
    async with Simulator(config("v22", rate=1.0, seed=seed)) as sim:
        peer = await open_peer(sim, "sysadmin")
        await peer.command(
            {"command": "subscribe", "topics": GLOBAL, "tenants": [TENANT_ID, TENANT2_ID]}
        )
        await run(sim, [peer], 120, step=step)
        await peer.close()
        return peer.frames


async def test_two_tenants_are_deterministic_whatever_the_clock_steps() -> None:
    a = await _sysadmin_frames(5, 1.0)
    b = await _sysadmin_frames(5, 40.0)
    assert len(a) > 200
    assert a == b
    assert a != await _sysadmin_frames(6, 40.0)


@pytest.mark.parametrize("dialect", ["v12", "v16"])
async def test_one_tenant_below_v22(dialect: str) -> None:
    async with Simulator(config(dialect)) as sim:
        assert [t.tenant_id for t in sim.tenants] == [TENANT_ID]
        peer = await open_peer(sim, None)
        key = "name" if dialect == "v12" else "username"
        auth = dict(AUTH[dialect]["tenant"], **{key: "northwind" if dialect == "v12" else "admin"})
        if dialect != "v12":
            auth["domain"] = TENANT2_DOMAIN
        assert (await peer.command(auth))["status"] == -1
        await peer.close()


async def test_display_names_come_from_the_seed() -> None:
    async with (
        Simulator(config("v22", seed=3, agents=200)) as a,
        Simulator(config("v22", seed=3, agents=200)) as b,
        Simulator(config("v22", seed=4, agents=200)) as c,
    ):
        assert a.roster.ext_names == b.roster.ext_names
        assert a.roster.ext_names != c.roster.ext_names
        names = list(a.roster.ext_names.values())
        assert sum(not n.isascii() for n in names) >= 10
        assert a.tenants[1].roster.ext_names != a.roster.ext_names
