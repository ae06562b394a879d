"""The simulator's REST API over real HTTP on 127.0.0.1: login, refresh, paging, errors."""

from __future__ import annotations

import asyncio
import base64
import json
import shutil
import ssl
from pathlib import Path
from typing import Any

import httpx
import pytest

from live_helpers import make_cert
from sim_helpers import AUTH, config, open_peer
from wallboard.sim import (
    OAUTH_CLIENT_ID,
    TENANT2_ID,
    TENANT_ID,
    SimConfig,
    Simulator,
)


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl not available")
    return make_cert(tmp_path_factory.mktemp("tls"))


FORM = {"grant_type": "password", "scope": "all", "client_id": OAUTH_CLIENT_ID}
ADMIN = {"username": "admin", "password": "demo", "domain": "demo.local"}


async def _token(client: httpx.AsyncClient, base: str, **creds: str) -> dict[str, Any]:
    r = await client.post(f"{base}/login/oauth/token", data={**FORM, **(creds or ADMIN)})
    assert r.status_code == 200, r.text
    return r.json()


def _bearer(doc: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {doc['access_token']}"}


async def test_oauth_login_users_paging_and_count() -> None:
    async with (
        Simulator(config("v22", agents=250, queues=5)) as sim,
        httpx.AsyncClient() as http,
    ):
        base = sim.rest_url
        assert base == sim.url.replace("ws://", "http://").replace("/wsi", "/api")
        doc = await _token(http, base)
        assert doc["token_type"] == "Bearer" and doc["expires_in"] == 1800
        assert doc["access_token"] and doc["refresh_token"]
        created = list(sim.traffic.created_exts)  # by management events, until destroyed
        total = 250 + len(created)
        seen: list[str] = []
        for skip in (0, 100, 200):
            r = await http.get(
                f"{base}/users",
                params={"top": 100, "skip": skip, "count": "true"},
                headers=_bearer(doc),
            )
            assert r.status_code == 200
            page = r.json()
            assert page["count"] == total
            seen += [u["extension_number"] for u in page["items"]]
            for u in page["items"]:
                assert {"extension_number", "display_name", "name", "email", "department"} <= set(u)
                assert u["enabled"] is True
        assert seen[:250] == [str(n) for n in range(101, 351)]
        assert seen[250:] == created
        r = await http.get(f"{base}/users", params={"skip": total}, headers=_bearer(doc))
        assert r.json() == {"items": []}
        names = {
            u["display_name"]
            for u in (await http.get(f"{base}/users", headers=_bearer(doc))).json()["items"]
        }
        assert any(not n.isascii() for n in names)  # realistic names include non-ASCII ones
        # The WSI and the REST API agree on names: the roster is the one source.
        assert sim.roster.ext_names["101"] in names


async def test_top_above_100_and_bad_paging_are_400() -> None:
    async with Simulator(config("v22")) as sim, httpx.AsyncClient() as http:
        doc = await _token(http, sim.rest_url)
        for params in ({"top": 101}, {"top": 0}, {"skip": -1}, {"top": "many"}):
            r = await http.get(f"{sim.rest_url}/users", params=params, headers=_bearer(doc))
            assert r.status_code == 400, params
            assert r.json()["errors"][0]["code"]


async def test_bad_login_is_400_with_errors() -> None:
    async with Simulator(config("v22")) as sim, httpx.AsyncClient() as http:
        base = sim.rest_url
        for creds in (
            {**ADMIN, "password": "wrong"},
            {**ADMIN, "domain": "other.local"},
            {"username": "sysadmin", "password": "wrong"},
            {"username": "nobody", "password": "demo", "domain": "demo.local"},
        ):
            r = await http.post(f"{base}/login/oauth/token", data={**FORM, **creds})
            assert r.status_code == 400
            assert r.json() == {
                "errors": [
                    {"code": "UNAUTHORIZED", "message": "Login failed, authentication error"}
                ]
            }
        r = await http.post(f"{base}/login/oauth/token", data={**FORM, **ADMIN, "client_id": "x"})
        assert r.status_code == 400 and r.json()["errors"]
        r = await http.post(f"{base}/login", json={**ADMIN, "password": "nope"})
        assert r.status_code == 400 and r.json()["errors"][0]["code"] == "UNAUTHORIZED"


async def test_every_data_call_needs_a_valid_bearer_token() -> None:
    async with Simulator(config("v22", rest_token_ttl=0.5)) as sim, httpx.AsyncClient() as http:
        base = sim.rest_url
        for headers in ({}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Basic x"}):
            for path in ("/users", "/call_queues", "/tenant", "/login"):
                r = await http.get(base + path, headers=headers)
                assert r.status_code == 401, (path, headers)
                assert r.json()["errors"][0]["code"] == "UNAUTHORIZED"
        doc = await _token(http, base)
        assert (await http.get(f"{base}/users", headers=_bearer(doc))).status_code == 200
        await asyncio.sleep(0.6)  # the token expires
        assert (await http.get(f"{base}/users", headers=_bearer(doc))).status_code == 401


async def test_refresh_token_gives_a_new_token_once() -> None:
    async with Simulator(config("v22")) as sim, httpx.AsyncClient() as http:
        base = sim.rest_url
        doc = await _token(http, base)
        form = {
            "grant_type": "refresh_token",
            "refresh_token": doc["refresh_token"],
            "client_id": OAUTH_CLIENT_ID,
        }
        r = await http.post(f"{base}/login/oauth/token", data=form)
        assert r.status_code == 200
        new = r.json()
        assert new["access_token"] != doc["access_token"]
        assert (await http.get(f"{base}/users", headers=_bearer(new))).status_code == 200
        again = await http.post(f"{base}/login/oauth/token", data=form)  # used up
        assert again.status_code == 400 and again.json()["errors"][0]["code"] == "UNKNOWN"
        assert sim.rest_stats.logins == 1 and sim.rest_stats.refreshes == 1
        revoke = await http.post(f"{base}/login/oauth/revoke", headers=_bearer(new))
        assert revoke.status_code == 200
        assert (await http.get(f"{base}/users", headers=_bearer(new))).status_code == 401


async def test_json_login_and_logout() -> None:
    async with Simulator(config("v22")) as sim, httpx.AsyncClient() as http:
        base = sim.rest_url
        r = await http.post(f"{base}/login", json=ADMIN)
        assert r.status_code == 200
        doc = r.json()
        assert doc["expires_in"] == 3600 and doc["role"] == "Admin"
        assert doc["expires_at"].endswith("Z")
        status = await http.get(f"{base}/login", headers=_bearer(doc))
        assert status.json()["role"] == "Admin"
        assert (await http.post(f"{base}/logout", headers=_bearer(doc))).status_code == 204
        assert (await http.get(f"{base}/users", headers=_bearer(doc))).status_code == 401
        bad = await http.post(
            f"{base}/login", content=b"not json", headers={"Content-Type": "application/json"}
        )
        assert bad.status_code == 400


async def test_call_queues_detail_and_agents() -> None:
    async with Simulator(config("v22", agents=40, queues=4)) as sim, httpx.AsyncClient() as http:
        base = sim.rest_url
        h = _bearer(await _token(http, base))
        queues = (await http.get(f"{base}/call_queues", headers=h)).json()["items"]
        assert [q["extension_number"] for q in queues] == ["8001", "8002", "8003", "8004"]
        assert [q["name"] for q in queues] == ["Sales", "Support", "Billing", "Technical"]
        qid = queues[1]["id"]
        assert base64.b64decode(qid).decode() == sim.roster.queue_ids["8002"]
        detail = (await http.get(f"{base}/call_queues/{qid}", headers=h)).json()
        assert {"sla_time", "max_waiting_time", "ring_time", "max_callers"} <= set(detail)
        assert detail["sla_time"] == sim.traffic.queues["8002"].sla
        agents = (await http.get(f"{base}/call_queues/{qid}/agents", headers=h)).json()["items"]
        assert [a["extension_number"] for a in agents] == sim.roster.agents_of_queue["8002"]
        assert all(a["display_name"] == sim.roster.ext_names[a["extension_number"]] for a in agents)
        missing = await http.get(
            f"{base}/call_queues/{base64.b64encode(b'1').decode()}/agents", headers=h
        )
        assert missing.status_code == 404
        assert (await http.get(f"{base}/no_such_thing", headers=h)).status_code == 404


async def test_roles_tenant_admin_extension_and_sysadmin() -> None:
    async with Simulator(config("v22")) as sim, httpx.AsyncClient() as http:
        base = sim.rest_url
        admin = _bearer(await _token(http, base))
        me = (await http.get(f"{base}/tenant", headers=admin)).json()
        assert base64.b64decode(me["id"]).decode() == TENANT_ID and me["name"] == "demo"
        assert (await http.get(f"{base}/tenants", headers=admin)).status_code == 403
        # An extension's own account (by number or by user name) may not list users.
        ext = _bearer(
            await _token(http, base, username="101", password="demo", domain="demo.local")
        )
        assert (await http.get(f"{base}/users", headers=ext)).status_code == 403
        sup = sim.roster.supervisor  # the queue manager sees queues and agents
        mgr = _bearer(await _token(http, base, username=sup, password="demo", domain="demo.local"))
        assert (await http.get(f"{base}/call_queues", headers=mgr)).status_code == 200
        # The system admin lists both tenants and works inside one after a switch.
        sys_ = _bearer(await _token(http, base, username="sysadmin", password="demo"))
        tenants = (await http.get(f"{base}/tenants", headers=sys_)).json()["items"]
        assert [(base64.b64decode(t["id"]).decode(), t["name"]) for t in tenants] == [
            (TENANT_ID, "demo"),
            (TENANT2_ID, "northwind"),
        ]
        assert (await http.get(f"{base}/users", headers=sys_)).json()["items"] == []
        r = await http.post(f"{base}/tenants/switch", params={"id": tenants[1]["id"]}, headers=sys_)
        assert r.status_code == 200
        users = (await http.get(f"{base}/users", headers=sys_)).json()["items"]
        second = sim.tenants[1].roster
        listed = second.extensions + list(sim.tenants[1].traffic.created_exts)
        assert [u["extension_number"] for u in users] == listed
        assert [u["display_name"] for u in users][: len(second.extensions)] == [
            second.ext_names[n] for n in second.extensions
        ]
        assert all(u["email"].endswith("@northwind.local") for u in users)
        bad = await http.post(f"{base}/tenants/switch", params={"id": "bm9wZQ=="}, headers=sys_)
        assert bad.status_code == 404
        # The second tenant's own admin sees only its own users.
        other = _bearer(
            await _token(http, base, username="admin", password="demo", domain="northwind.local")
        )
        mine = (await http.get(f"{base}/users", headers=other)).json()["items"]
        assert [u["extension_number"] for u in mine] == listed


async def test_wsi_and_rest_share_one_port() -> None:
    async with Simulator(config("v22")) as sim, httpx.AsyncClient() as http:
        peer = await open_peer(sim)
        reply = await peer.command({"command": "subscribe", "topics": ["queue_events"]})
        assert reply["status"] == 0
        h = _bearer(await _token(http, sim.rest_url))
        assert (await http.get(f"{sim.rest_url}/users", headers=h)).status_code == 200
        assert (
            await http.get(sim.url.replace("ws://", "http://").replace("/wsi", "/"))
        ).status_code == 404
        plain = await http.get(sim.url.replace("ws://", "http://"))
        assert plain.status_code == 426  # /wsi without the upgrade
        assert not peer.closed.is_set()
        await peer.close()


@pytest.mark.parametrize("dialect", ["v12", "v16"])
async def test_no_rest_api_below_v22(dialect: str) -> None:
    async with Simulator(config(dialect)) as sim, httpx.AsyncClient() as http:
        base = sim.url.replace("ws://", "http://") + "/api"
        r = await http.post(f"{base}/login/oauth/token", data={**FORM, **ADMIN})
        assert r.status_code == 404
        assert "v22" in r.text


async def test_rest_over_tls_on_the_wsi_port(self_signed: tuple[Path, Path]) -> None:
    cert, key = self_signed
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(cert, key)
    async with Simulator(config("v22", ssl_context=server_ctx)) as sim:
        assert sim.rest_url.startswith("https://127.0.0.1:")
        trust = ssl.create_default_context(cafile=str(cert))
        async with httpx.AsyncClient(verify=trust) as http:
            doc = await _token(http, sim.rest_url)
            assert (
                await http.get(f"{sim.rest_url}/users", headers=_bearer(doc))
            ).status_code == 200
        peer = await open_peer(sim, "tenant", ssl=trust)
        await peer.close()
        async with httpx.AsyncClient() as http:
            with pytest.raises(httpx.ConnectError):
                await http.get(f"{sim.rest_url}/users")


async def test_the_wsi_auth_and_rest_login_use_the_same_password() -> None:
    async with Simulator(SimConfig(dialect="v22", port=0, password="pw-Q7", autorun=False)) as sim:
        async with httpx.AsyncClient() as http:
            r = await http.post(f"{sim.rest_url}/login/oauth/token", data={**FORM, **ADMIN})
            assert r.status_code == 400  # "demo" is not the password here
            r = await http.post(
                f"{sim.rest_url}/login/oauth/token", data={**FORM, **ADMIN, "password": "pw-Q7"}
            )
            assert r.status_code == 200
        peer = await open_peer(sim, None)
        ok = await peer.command(dict(AUTH["v22"]["tenant"], password="pw-Q7"))
        assert ok["status"] == 0
        assert json.dumps(ok)
        await peer.close()
