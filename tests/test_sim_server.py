"""The simulator as a WSI server: auth, bad frames, permissions, paths, TLS, slow clients."""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
import ssl
import subprocess
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from sim_helpers import ALL_TOPICS, AUTH, Peer, config, open_peer, run, settle
from wallboard.sim import OVERFLOW_CLOSE_CODE, TENANT_ID, Simulator

DIALECTS = ["v12", "v16", "v22"]


def _is_error(reply: dict[str, Any], dialect: str, command: str | None = None) -> bool:
    ok = reply.get("status") == -1 and isinstance(reply.get("error"), str) and reply["error"]
    if dialect != "v12":
        ok = ok and "id" in reply and "command" in reply
        if command is not None:
            ok = ok and reply["command"] == command
    return bool(ok)


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_auth_ok_and_rejected_keeps_connection(dialect: str) -> None:
    async with Simulator(config(dialect)) as sim:
        peer = await open_peer(sim, None)
        bad = dict(AUTH[dialect]["tenant"], password="wrong")
        reply = await peer.command(bad)
        assert _is_error(reply, dialect, "auth")
        documented = json.loads(
            (
                Path(__file__).parent / "fixtures/examples" / dialect / "resp_auth_error.json"
            ).read_text()
        )
        assert reply["error"] == documented["error"]
        assert set(reply) == set(documented)
        # Same connection, right password this time.
        reply = await peer.command(AUTH[dialect]["tenant"])
        assert reply["status"] == 0
        if dialect == "v12":
            assert reply == {"status": 0}
        else:
            assert reply == {"command": "auth", "id": "2", "status": 0}
        await peer.close()


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_extension_auth(dialect: str) -> None:
    async with Simulator(config(dialect)) as sim:
        peer = await open_peer(sim, "ext")
        wrong_domain = dict(AUTH[dialect]["ext"], domain="other.local")
        peer2 = await open_peer(sim, None)
        assert _is_error(await peer2.command(wrong_domain), dialect)
        unknown = dict(AUTH[dialect]["ext"])
        unknown["extension" if dialect == "v12" else "extension_number"] = "999"
        assert _is_error(await peer2.command(unknown), dialect)
        await peer.close()
        await peer2.close()


async def test_v16_reply_echoes_the_client_id() -> None:
    async with Simulator(config("v16")) as sim:
        peer = await open_peer(sim, None)
        reply = await peer.command(dict(AUTH["v16"]["tenant"], id="abc"))
        assert reply == {"command": "auth", "id": "abc", "status": 0}
        await peer.close()


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_garbage_is_answered_and_the_connection_stays(dialect: str) -> None:
    async with Simulator(config(dialect)) as sim:
        peer = await open_peer(sim, None)
        sub = {"command": "subscribe", "topics": ALL_TOPICS[dialect]}
        assert _is_error(await peer.command(sub), dialect, "subscribe")  # before auth
        assert _is_error(await peer.command("this is not json{"), dialect)
        assert _is_error(await peer.command(b"\x00\x01binary"), dialect)
        assert _is_error(await peer.command("[1, 2, 3]"), dialect)
        assert _is_error(await peer.command({"no": "command"}), dialect)
        assert _is_error(await peer.command({"command": "reboot"}), dialect, "reboot")
        reply = await peer.command(AUTH[dialect]["tenant"])
        assert reply["status"] == 0
        assert _is_error(await peer.command(AUTH[dialect]["tenant"]), dialect, "auth")
        bad_topics = [
            {"command": "subscribe"},
            {"command": "subscribe", "topics": "extension_events"},
            {"command": "subscribe", "topics": ["no_such_topic"]},
            {"command": "subscribe", "topics": ALL_TOPICS[dialect], "extensions": ["99999"]},
            {"command": "subscribe", "topics": ALL_TOPICS[dialect], "queues": ["1"]},
            {"command": "subscribe", "topics": ALL_TOPICS[dialect], "extensions": "101"},
        ]
        for cmd in bad_topics:
            assert _is_error(await peer.command(cmd), dialect), cmd
        assert (await peer.command(sub))["status"] == 0
        assert not peer.closed.is_set()
        await peer.close()


async def test_v12_topic_objects_and_keys_are_checked() -> None:
    async with Simulator(config("v12")) as sim:
        peer = await open_peer(sim)
        for cmd in (
            {"command": "subscribe", "topics": ["extension_events"]},
            {"command": "subscribe", "topics": [{"topic": "cdr_events", "keys": ["nope"]}]},
            {"command": "subscribe", "topics": [{"topic": "cdr_events", "keys": "call_cdr"}]},
        ):
            assert _is_error(await peer.command(cmd), "v12"), cmd
        only_start = {
            "command": "subscribe",
            "topics": [{"topic": "extension_events", "keys": ["call_start"]}],
        }
        assert (await peer.command(only_start)) == {"status": 0}
        await run(sim, [peer], 120)
        kinds = {e["event_type"] for e in peer.events()}
        assert kinds == {"call_start"}
        await peer.close()


async def _sub(peer: Peer, **cmd: Any) -> dict[str, Any]:
    return await peer.command({"command": "subscribe", **cmd})


async def test_v12_permissions() -> None:
    async with Simulator(config("v12")) as sim:
        ext = await open_peer(sim, "ext")  # 101: group 101-110, agent of 8001
        ee = ALL_TOPICS["v12"][:1]
        assert _is_error(await _sub(ext, topics=ee, extensions=["111"]), "v12")
        assert _is_error(await _sub(ext, topics=ALL_TOPICS["v12"][3:]), "v12")  # trunks
        qe = ALL_TOPICS["v12"][2:3]
        assert _is_error(await _sub(ext, topics=qe, queues=["8002"]), "v12")
        assert (await _sub(ext, topics=ee, extensions=["102", "110"]))["status"] == 0
        assert (await _sub(ext, topics=qe, queues=["8001"]))["status"] == 0
        assert (await _sub(ext, topics=ALL_TOPICS["v12"][1:2]))["status"] == 0  # cdr, own group
        await run(sim, [ext], 300)
        for e in ext.events():
            if e["event_type"] in ("queue_status", "queue_member_state"):
                assert e["queue_number"] == "8001"
        tenant = await open_peer(sim)
        assert (await _sub(tenant, topics=ALL_TOPICS["v12"]))["status"] == 0
        await ext.close()
        await tenant.close()


@pytest.mark.parametrize("dialect", ["v16", "v22"])
async def test_v16_permissions(dialect: str) -> None:
    async with Simulator(config(dialect)) as sim:
        ext = await open_peer(sim, "ext")  # 101: agent of 8001
        assert _is_error(await _sub(ext, topics=["cdr_events"]), dialect, "subscribe")
        assert _is_error(await _sub(ext, topics=["queue_events"], queues=["8002"]), dialect)
        assert _is_error(await _sub(ext, topics=["extension_events"], extensions=["140"]), dialect)
        assert (await _sub(ext, topics=["queue_events"], queues=["8001"]))["status"] == 0
        assert (await _sub(ext, topics=["extension_events"]))["status"] == 0
        if dialect == "v22":
            assert _is_error(await _sub(ext, topics=["extension_management_events"]), dialect)
            assert _is_error(
                await _sub(ext, topics=["global_cdr_events"], tenants=[TENANT_ID]), dialect
            )
        # The last extension (140) is the supervisor: manager of every queue.
        sup = await open_peer(sim, None)
        auth = dict(AUTH[dialect]["ext"], extension_number="140")
        assert (await sup.command(auth))["status"] == 0
        reply = await _sub(sup, topics=["queue_events"], queues=["8001", "8002", "8003", "8004"])
        assert reply["status"] == 0
        admin = await open_peer(sim)
        assert (await _sub(admin, topics=ALL_TOPICS[dialect]))["status"] == 0
        if dialect == "v22":
            bad = await _sub(admin, topics=["global_cdr_events"], tenants=[TENANT_ID])
            assert _is_error(bad, dialect)
        for p in (ext, sup, admin):
            await p.close()


async def test_v22_sysadmin_rules() -> None:
    async with Simulator(config("v22")) as sim:
        sys_ = await open_peer(sim, "sysadmin")
        assert _is_error(await _sub(sys_, topics=["cdr_events"]), "v22")
        assert _is_error(await _sub(sys_, topics=["global_cdr_events"]), "v22")  # no tenants
        assert _is_error(await _sub(sys_, topics=["global_cdr_events"], tenants=["123"]), "v22")
        ok = await _sub(sys_, topics=["global_queue_events"], tenants=[TENANT_ID])
        assert ok["status"] == 0
        # A sysadmin with a domain is not a sysadmin; v16 has none at all.
        other = await open_peer(sim, None)
        with_domain = dict(AUTH["v22"]["sysadmin"], domain="demo.local")
        assert _is_error(await other.command(with_domain), "v22")
        await sys_.close()
        await other.close()
    async with Simulator(config("v16")) as sim:
        peer = await open_peer(sim, None)
        assert _is_error(await peer.command(AUTH["v22"]["sysadmin"]), "v16")
        await peer.close()


async def test_paths() -> None:
    async with Simulator(config("v22")) as sim:
        assert sim.url.endswith("/wsi")
        root = sim.url.removesuffix("/wsi")
        with pytest.raises(InvalidStatus) as info:
            await connect(root + "/")
        assert info.value.response.status_code == 404
    async with Simulator(config("v16")) as sim:
        assert not sim.url.endswith("/wsi")
        with pytest.raises(InvalidStatus):
            await connect(sim.url + "/wsi")


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl not available")
    d = tmp_path_factory.mktemp("tls")
    cert, key = d / "cert.pem", d / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


async def test_tls(self_signed: tuple[Path, Path]) -> None:
    cert, key = self_signed
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(cert, key)
    async with Simulator(config("v22", ssl_context=server_ctx)) as sim:
        assert sim.url.startswith("wss://127.0.0.1:") and sim.url.endswith("/wsi")
        client_ctx = ssl.create_default_context(cafile=str(cert))
        peer = await open_peer(sim, "tenant", ssl=client_ctx)
        assert (await _sub(peer, topics=["queue_events"]))["status"] == 0
        await settle(sim, [peer])
        assert any(e["event_type"] == "queue_status" for e in peer.events())
        await peer.close()
        # Without trusting the certificate the handshake fails.
        with pytest.raises(ssl.SSLCertVerificationError):
            await connect(sim.url)


async def test_slow_client_is_dropped_and_others_keep_going() -> None:
    async with Simulator(config("v12", rate=3.0, client_queue=1000)) as sim:
        fast = await open_peer(sim)
        assert (await _sub(fast, topics=ALL_TOPICS["v12"]))["status"] == 0
        fast_side = sim._clients[0]
        # The slow client: a tiny receive buffer and a reader that never reads.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.connect(("127.0.0.1", sim.port))
        slow = await connect(sim.url, sock=sock, max_queue=1, compression=None)
        await slow.send(json.dumps(AUTH["v12"]["tenant"]))
        assert json.loads(await slow.recv())["status"] == 0
        await slow.send(json.dumps({"command": "subscribe", "topics": ALL_TOPICS["v12"]}))
        assert json.loads(await slow.recv())["status"] == 0
        # Run until the simulator gives up on the slow one.
        for _ in range(1000):
            sim.advance(5)
            async with asyncio.timeout(5):
                while fast_side.out:
                    await asyncio.sleep(0.001)
            if sim.clients_dropped:
                break
        assert sim.clients_dropped == 1
        await run(sim, [fast], 60, step=5)
        assert len(fast.events()) > 2000
        assert not fast.closed.is_set()
        # Reading on, the slow client finds the 1013 close.
        with pytest.raises(Exception):  # noqa: B017 - ConnectionClosed* after the backlog
            async with asyncio.timeout(10):
                while True:
                    await slow.recv()
        assert slow.close_code == OVERFLOW_CLOSE_CODE
        assert "too slow" in (slow.close_reason or "")
        await fast.close()


async def test_many_clients_get_the_same_stream() -> None:
    async with Simulator(config("v16", rate=1.0)) as sim:
        peers = [await open_peer(sim) for _ in range(12)]
        for p in peers:
            assert (await _sub(p, topics=ALL_TOPICS["v16"]))["status"] == 0
        await run(sim, peers, 120)
        first = peers[0].frames
        assert len(first) > 100
        assert all(p.frames == first for p in peers[1:])
        for p in peers:
            await p.close()
        await asyncio.sleep(0.05)
        assert sim.client_count == 0
