"""The REST client and the names task against the simulator's REST API (real HTTP).

Every fault the names feature must survive is injected on the simulator's
side (`RestFault`) and goes through the real client: names stay as they were,
exactly one notice, and the password (or a token) appears nowhere.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import ssl
from pathlib import Path
from typing import Any

import pytest

from live_helpers import make_cert
from names_helpers import (
    PASSWORD,
    Recorder,
    closed_port,
    names_task,
    new_book,
    pbx_names,
    rest_for,
)
from wallboard.feed.rest import PortsipRest, RestError, clean_name, rest_url_for, wsi_tenant_id
from wallboard.feed.secrets import Secret
from wallboard.protocol.events import Management
from wallboard.sim import TENANT2_ID, TENANT_ID, RestFault, SimConfig, Simulator


def sim_config(**kw: Any) -> SimConfig:
    base: dict[str, Any] = {
        "dialect": "v22",
        "agents": 250,
        "queues": 5,
        "seed": 7,
        "port": 0,
        "password": PASSWORD,
        "start_epoch": 1_700_000_000.0,
        "autorun": False,
    }
    base.update(kw)
    return SimConfig(**base)


def _secrets_of(sim: Simulator) -> list[str]:
    tokens = [PASSWORD]
    for token, session in sim.rest._sessions.items():
        tokens.append(token)
        if session.refresh_token:
            tokens.append(session.refresh_token)
    return tokens


def assert_no_secrets(sim: Simulator, *texts: str) -> None:
    for text in texts:
        for secret in _secrets_of(sim):
            assert secret not in text, "a password or token leaked"


# --------------------------------------------------------------- the client


async def test_client_logs_in_pages_with_top_100_and_reads_queues() -> None:
    async with Simulator(sim_config()) as sim, rest_for(sim) as rest:
        users = await rest.users()
        assert len(users.names) >= 250 and not users.refused
        assert users.names["101"] == sim.roster.ext_names["101"]
        queues = await rest.call_queues()
        assert [q.number for q in queues] == sim.roster.queues
        agents = await rest.queue_agents(queues[0])
        assert set(agents.names) == set(sim.roster.agents_of_queue["8001"])
        tenant = await rest.current_tenant()
        assert tenant.wsi_id == TENANT_ID and tenant.name == "demo"
        pages = [r for r in sim.rest_stats.requests if r == "GET /users"]
        assert len(pages) == 3  # 250 users (+ a few created) in pages of 100
        assert rest.logins == 1
        assert_no_secrets(sim, repr(rest))


async def test_client_falls_back_to_the_json_login() -> None:
    async with Simulator(sim_config()) as sim:
        sim.rest_faults.append(RestFault(status=404, paths=("/login/oauth",)))
        async with rest_for(sim) as rest:
            assert (await rest.users()).names
            assert "POST /login" in sim.rest_stats.requests
            await rest.users()
            # The generation that answered is remembered: no second oauth attempt.
            assert sim.rest_stats.requests.count("POST /login/oauth/token") == 1


async def test_client_refreshes_before_expiry_and_logs_in_again_after_a_401() -> None:
    sim = Simulator(sim_config(rest_token_ttl=1.0))
    async with sim, rest_for(sim, refresh_margin=0.5) as rest:
        await rest.current_tenant()
        await asyncio.sleep(0.7)  # past the renewal point, before expiry
        await rest.current_tenant()
        assert rest.refreshes == 1 and sim.rest_stats.refreshes == 1
        assert sim.rest_stats.logins == 1
        # The PBX forgets the session (restart): one 401, a new login, success.
        sim.rest._sessions.clear()
        sim.rest._refresh.clear()
        await rest.current_tenant()
        assert sim.rest_stats.logins == 2


async def test_client_rejected_credentials() -> None:
    async with Simulator(sim_config()) as sim, rest_for(sim, password="wrong") as rest:
        with pytest.raises(RestError) as info:
            await rest.users()
        assert info.value.kind == "auth"
        assert "wrong" not in str(info.value)


async def test_client_stops_paging_when_the_pbx_ignores_skip() -> None:
    page = (
        b'{"items": ['
        + b",".join(
            b'{"extension_number": "%d", "display_name": "N%d"}' % (n, n) for n in range(100, 200)
        )
        + b"]}"
    )
    async with Simulator(sim_config()) as sim:
        sim.rest_faults.append(RestFault(body=page, paths=("/users",)))
        async with rest_for(sim) as rest:
            users = await rest.users()
            assert len(users.names) == 100
            assert sim.rest_stats.requests.count("GET /users") == 2


def test_names_are_refused_only_for_control_characters() -> None:
    assert clean_name("  Anna Adams ") == "Anna Adams"
    assert clean_name("[b]Eve[/b] [@click=app.quit]") == "[b]Eve[/b] [@click=app.quit]"
    assert clean_name("王芳") == "王芳"
    assert clean_name(None) is None and clean_name("") is None and clean_name(5) is None
    for bad in ("\x1b[2J", "a\nb", "evil\u202egnp", "x\x9by"):
        with pytest.raises(ValueError):
            clean_name(bad)
    assert len(clean_name("x" * 5000) or "") == 256


def test_rest_url_and_tenant_ids() -> None:
    assert rest_url_for("wss://u:pw@pbx.example.com:8887/wsi") == "https://pbx.example.com:8887/api"
    assert rest_url_for("ws://127.0.0.1:9/wsi") == "http://127.0.0.1:9/api"
    assert wsi_tenant_id("NzAwNTUxOTA5NzczMTQ4MTYw") == "700551909773148160"
    assert wsi_tenant_id("700551909773148160") == "700551909773148160"
    assert wsi_tenant_id("opaque-id") is None


# ------------------------------------------------------ the names task, faults


async def _ready(sim: Simulator, **kw: Any) -> tuple[Any, Any, Recorder, PortsipRest]:
    """A names task that has fetched once successfully."""
    book, rec = new_book(), Recorder()
    rest = rest_for(sim, **kw)
    task = names_task(rest, book, rec)
    assert await task.fetch_once()
    assert book.name(TENANT_ID, "101") == sim.roster.ext_names["101"]
    assert book.tenant_name(TENANT_ID) == "demo"
    assert rec.notices == [] and rec.changes >= 1
    return task, book, rec, rest


# What the one notice must say, per fault.
SAYS = {
    "401": "refused the access token",
    "404": "HTTP 404",
    "429": "HTTP 429",
    "500": "HTTP 500",
    "timeout": "did not answer",
    "html": "an HTML page",
    "garbage": "not JSON",
    "wrong shape": "no items list",
    "huge": "larger than 256 KiB",
    "long body": "larger than 256 KiB",
    "reset": "broke off",
}
FAULTS = {
    "401": RestFault(status=401, paths=("/users",)),
    "404": RestFault(status=404, paths=("/users",)),
    "429": RestFault(status=429, retry_after=7, paths=("/users",)),
    "500": RestFault(status=500, paths=("/call_queues",)),
    "timeout": RestFault(delay=30.0, paths=("/users",)),
    "html": RestFault(
        body=b"<html><body>Bad gateway</body></html>", content_type="text/html", paths=("/users",)
    ),
    "garbage": RestFault(body=b"\x00\xff{{not json", paths=("/users",)),
    "wrong shape": RestFault(body=b'{"items": "nope"}', paths=("/users",)),
    "huge": RestFault(huge=20 * 1024 * 1024, paths=("/users",)),  # streamed, no length
    "long body": RestFault(body=b"[" + b" " * (300 * 1024) + b"]", paths=("/users",)),
    "reset": RestFault(reset=True, paths=("/call_queues",)),
}


@pytest.mark.parametrize("fault", list(FAULTS))
async def test_each_fault_leaves_names_as_they_were_with_one_notice(
    fault: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with Simulator(sim_config(agents=40)) as sim:
        task, book, rec, _ = await _ready(sim, timeout=0.5, max_body=256 * 1024)
        before = pbx_names(book)
        changes = rec.changes
        sim.rest_faults.append(FAULTS[fault])
        for _ in range(3):  # the same failure again is not told again
            assert not await task.fetch_once()
        assert pbx_names(book) == before
        assert rec.changes == changes
        assert len(rec.notices) == 1, rec.notices
        assert "names stay as they were" in rec.notices[0]
        assert SAYS[fault] in rec.notices[0], rec.notices[0]
        if fault == "429":
            assert "7 s" in rec.notices[0]
            assert task._not_before > 0
        assert_no_secrets(sim, *rec.notices, caplog.text, repr(task), str(task.last_error))
        # Once the PBX behaves again, the names come back and that is told once.
        sim.rest_faults.clear()
        assert await task.fetch_once()
        assert len(rec.notices) == 2 and "read again" in rec.notices[1]
        await task.stop()


async def test_refused_port_gives_one_notice_and_no_names() -> None:
    book, rec = new_book(), Recorder()
    rest = PortsipRest(
        f"http://127.0.0.1:{closed_port()}/api",
        username="admin",
        password=Secret(PASSWORD),
        domain="demo.local",
        timeout=1.0,
    )
    task = names_task(rest, book, rec, tenant_id=TENANT_ID)
    for _ in range(2):
        assert not await task.fetch_once()
    assert pbx_names(book) == {} and rec.changes == 0
    assert len(rec.notices) == 1 and "refused" in rec.notices[0]
    assert PASSWORD not in rec.notices[0]
    await task.stop()


async def test_rejected_credentials_give_one_notice() -> None:
    async with Simulator(sim_config(agents=20)) as sim:
        book, rec = new_book(), Recorder()
        task = names_task(rest_for(sim, password="not-it"), book, rec)
        assert not await task.fetch_once()
        assert not await task.fetch_once()
        assert len(rec.notices) == 1 and "rejected the credentials" in rec.notices[0]
        assert "not-it" not in rec.notices[0]
        assert pbx_names(book) == {}
        await task.stop()


async def test_hostile_names_control_characters_refused_markup_kept_literally() -> None:
    async with Simulator(sim_config(agents=40)) as sim:
        task, book, rec, _ = await _ready(sim)
        old_101 = book.name(TENANT_ID, "101")
        hostile = {
            "101": "\x1b]0;pwned\x07Evil",  # a terminal escape: refused
            "102": "[b]Bold[/b] [@click=app.quit]x",  # markup: just text
            "103": "abc\u202eevil",  # a bidi override: refused
        }
        sim.rest_faults.append(RestFault(names=hostile))
        assert await task.fetch_once()
        assert book.name(TENANT_ID, "101") == old_101  # as it was
        assert book.name(TENANT_ID, "102") == hostile["102"]  # kept as received
        assert book.name(TENANT_ID, "103") == sim.roster.ext_names["103"]
        assert len(rec.notices) == 1
        assert "control characters" in rec.notices[0] and "101" in rec.notices[0]
        assert "\x1b" not in rec.notices[0]
        assert await task.fetch_once()  # the same hostile names again: no second notice
        assert len(rec.notices) == 1
        await task.stop()


async def test_hostile_names_on_the_first_fetch_leave_those_names_empty() -> None:
    async with Simulator(sim_config(agents=20)) as sim:
        sim.rest_faults.append(RestFault(names={"101": "bad\x00name"}))
        book, rec = new_book(), Recorder()
        task = names_task(rest_for(sim), book, rec)
        assert await task.fetch_once()
        assert book.name(TENANT_ID, "101") is None
        assert book.name(TENANT_ID, "102") == sim.roster.ext_names["102"]
        assert len(rec.notices) == 1
        await task.stop()


async def test_an_extension_account_falls_back_to_queue_agents() -> None:
    async with Simulator(sim_config(agents=40)) as sim:
        book, rec = new_book(), Recorder()
        sup = sim.roster.supervisor  # a queue manager: agents yes, users no
        task = names_task(rest_for(sim, user=sup), book, rec, tenant_id=TENANT_ID)
        assert await task.fetch_once()
        agents = {n for q in sim.roster.queues for n in sim.roster.agents_of_queue[q]}
        assert set(pbx_names(book)[TENANT_ID]) == agents
        assert rec.notices == []
        plain = names_task(rest_for(sim, user="101"), new_book(), rec2 := Recorder())
        assert not await plain.fetch_once()
        assert len(rec2.notices) == 1 and "403" in rec2.notices[0]
        await task.stop()
        await plain.stop()


# ---------------------------------------------------------------- system admin


async def test_system_admin_gets_names_and_tenant_names_of_both_tenants() -> None:
    async with Simulator(sim_config(agents=40)) as sim:
        book, rec = new_book(), Recorder()
        task = names_task(
            rest_for(sim, user="sysadmin", domain=None),
            book,
            rec,
            system_admin=True,
            tenants=[TENANT_ID, TENANT2_ID],
        )
        assert await task.fetch_once()
        assert book.tenant_name(TENANT_ID) == "demo"
        assert book.tenant_name(TENANT2_ID) == "northwind"
        second = sim.tenants[1].roster
        assert book.name(TENANT2_ID, "101") == second.ext_names["101"]
        assert book.name(TENANT_ID, "101") == sim.roster.ext_names["101"]
        assert book.name(TENANT_ID, "101") != book.name(TENANT2_ID, "101")
        assert rec.notices == []
        await task.stop()


async def test_system_admin_with_an_unknown_tenant_gets_one_notice() -> None:
    async with Simulator(sim_config(agents=20)) as sim:
        book, rec = new_book(), Recorder()
        task = names_task(
            rest_for(sim, user="sysadmin", domain=None),
            book,
            rec,
            system_admin=True,
            tenants=[TENANT_ID, "123"],
        )
        assert not await task.fetch_once()
        assert book.name(TENANT_ID, "101") == sim.roster.ext_names["101"]
        assert len(rec.notices) == 1 and "123" in rec.notices[0]
        await task.stop()


# ------------------------------------------------------------ when to refetch


async def test_management_events_refetch_debounced_otherwise_the_interval() -> None:
    async with Simulator(sim_config(agents=20)) as sim:
        book, rec = new_book(), Recorder()
        task = names_task(
            rest_for(sim), book, rec, interval=600.0, debounce=0.2, max_debounce=1.0, min_gap=0.3
        )
        task.start()
        try:
            async with asyncio.timeout(5):
                while task.fetches < 1:
                    await asyncio.sleep(0.02)
            await asyncio.sleep(0.5)
            assert task.fetches == 1  # no reason, no fetch (the interval is 10 min)
            burst = Management(
                kind="extension_updated", tenant_id=TENANT_ID, extension_number="101"
            )
            for _ in range(20):
                task.watch(burst)
                await asyncio.sleep(0.01)
            task.watch(Management(kind="queue_updated", tenant_id=TENANT_ID, queue_number="8001"))
            async with asyncio.timeout(5):
                while task.fetches < 2:
                    await asyncio.sleep(0.02)
            await asyncio.sleep(0.6)
            assert task.fetches == 2  # twenty events, one fetch
        finally:
            await task.stop()


async def test_the_tenant_id_may_come_from_the_wsi_first() -> None:
    async with Simulator(sim_config(agents=20)) as sim:
        sim.rest_faults.append(RestFault(status=403, paths=("/tenant",), times=None))
        book, rec = new_book(), Recorder()
        task = names_task(rest_for(sim), book, rec)
        assert await task.fetch_once()
        assert pbx_names(book) == {}  # no tenant id yet: held back
        task.watch(Management(kind="queue_updated", tenant_id=TENANT_ID, queue_number="8001"))
        assert book.name(TENANT_ID, "101") == sim.roster.ext_names["101"]
        await task.stop()


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl not available")
    return make_cert(tmp_path_factory.mktemp("tls"))


async def test_tls_uses_the_websockets_settings(self_signed: tuple[Path, Path]) -> None:
    from wallboard.feed.livesettings import build_ssl_context

    cert, key = self_signed
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(cert, key)
    async with Simulator(sim_config(agents=20, ssl_context=server_ctx)) as sim:
        trusted = build_ssl_context(sim.url, str(cert), False)
        async with rest_for(sim, ssl_context=trusted) as rest:
            assert (await rest.users()).names
        insecure = build_ssl_context(sim.url, None, True)
        async with rest_for(sim, ssl_context=insecure) as rest:
            assert (await rest.users()).names
        strict = build_ssl_context(sim.url, None, False)
        book, rec = new_book(), Recorder()
        task = names_task(rest_for(sim, ssl_context=strict), book, rec)
        assert not await task.fetch_once()
        assert len(rec.notices) == 1 and "--ca-file" in rec.notices[0]
        await task.stop()


async def test_management_events_do_not_postpone_a_retry_after_a_failure() -> None:
    async with Simulator(sim_config(agents=20)) as sim:
        sim.rest_faults.append(RestFault(status=503, times=1))
        book, rec = new_book(), Recorder()
        task = names_task(rest_for(sim), book, rec, failure_retry=0.3, debounce=5.0, min_gap=30.0)
        task.start()
        try:
            async with asyncio.timeout(5):
                while task.failures < 1:
                    await asyncio.sleep(0.01)
            task.watch(
                Management(kind="extension_created", tenant_id=TENANT_ID, extension_number="199")
            )
            async with asyncio.timeout(3):  # the 0.3 s retry, not the 30 s event gap
                while task.fetches < 1:
                    await asyncio.sleep(0.01)
        finally:
            await task.stop()
        assert book.name(TENANT_ID, "101") == sim.roster.ext_names["101"]
        assert len(rec.notices) == 2 and "HTTP 503" in rec.notices[0]
