"""`wallboard hub`, `hub token …` and `snapshot http://…` as real processes: lines, statuses.

Every run checks that neither the PBX password nor a token appears in any
output (the one exception: `hub token add` prints the new token, once).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import signal
import stat
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from hub_helpers import SCOPED, TOKEN, http_get, until, viewer, write_tokens
from sim_helpers import config as sim_config
from tests.test_live_cli import ROOT, clean_env
from wallboard.model import state_document
from wallboard.sim import Simulator

pytestmark = pytest.mark.timeout(90)

PW = "hub-cli-pw-QQ7"
SECRETS = (PW, TOKEN, SCOPED)
FIRST_LINE = re.compile(r"^wallboard hub: listening on http://127\.0\.0\.1:(\d+)$")


def no_leak(*texts: str | bytes) -> None:
    for t in texts:
        data = t.encode() if isinstance(t, str) else t
        for secret in SECRETS:
            assert secret.encode() not in data, "a secret leaked into the output"


async def run(*args: str, env: dict[str, str], timeout: float = 30.0) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "wallboard",
        *args,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout)
    assert b"Traceback" not in err
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


class HubProcess:
    def __init__(self, proc: asyncio.subprocess.Process, url: str) -> None:
        self.proc = proc
        self.url = url
        self.err = b""
        self.out = b""


@contextlib.asynccontextmanager
async def hub_process(
    sim: Simulator, *extra: str, env: dict[str, str]
) -> AsyncIterator[HubProcess]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "wallboard",
        "hub",
        sim.url,
        "--user",
        "admin",
        "--domain",
        "demo.local",
        "--listen",
        "127.0.0.1:0",
        *extra,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    assert proc.stdout is not None and proc.stderr is not None
    try:
        line = (await asyncio.wait_for(proc.stdout.readline(), 20)).decode().rstrip("\n")
        m = FIRST_LINE.match(line)
        assert m, f"first line {line!r}"
        hp = HubProcess(proc, f"http://127.0.0.1:{m.group(1)}")
        yield hp
    finally:
        if proc.returncode is None:
            proc.kill()
        out, err = await proc.communicate()
        no_leak(out, err)
        assert b"Traceback" not in err


def hub_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = clean_env(tmp_path, WALLBOARD_PASSWORD=PW, **extra)
    env["PYTHONPATH"] = str(ROOT)
    return env


def sim() -> Simulator:
    return Simulator(sim_config("v16", password=PW, autorun=True, speed=20.0, warmup=60.0))


async def test_the_hub_command_serves_viewers_and_stops_on_sigterm(tmp_path: Path) -> None:
    tokens = write_tokens(
        tmp_path / "tokens.toml", [("wall", TOKEN, None), ("t", SCOPED, ["8002"])]
    )
    async with sim() as pbx:
        env = hub_env(tmp_path)
        async with hub_process(pbx, "--tokens", str(tokens), "--no-db", env=env) as hub:

            async def healthy() -> bool:
                return (await http_get(hub.url + "/healthz"))[0] == 200

            for _ in range(100):
                if await healthy():
                    break
                await asyncio.sleep(0.1)
            assert await healthy()
            # snapshot of the hub: the token from the environment, never from argv.
            rc, out, err = await run(
                "snapshot", hub.url, env=hub_env(tmp_path, WALLBOARD_TOKEN=TOKEN)
            )
            assert rc == 0, err
            doc = json.loads(out)
            assert doc["schema"] == "wallboard.state/1" and doc["source"]["status"] == "connected"
            assert [q["number"] for q in doc["queues"]] == ["8001", "8002", "8003", "8004"]
            token_file = tmp_path / "scoped.token"
            token_file.write_text(SCOPED + "\n")
            token_file.chmod(0o600)
            rc, out, err = await run("snapshot", hub.url, "--token-file", str(token_file), env=env)
            assert rc == 0 and [q["number"] for q in json.loads(out)["queues"]] == ["8002"]
            no_leak(out, err)
            # Without a token: exit 3 and one line; an unset --token-env: exit 2.
            rc, out, err = await run("snapshot", hub.url, env=env)
            assert rc == 3 and out == "" and err.count("\n") == 1 and "rejected the token" in err
            rc, out, err = await run("snapshot", hub.url, "--token-env", "NOPE_TOKEN", env=env)
            assert rc == 2 and "NOPE_TOKEN" in err
            hub.proc.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(hub.proc.wait(), 10) == 0


async def test_a_hub_whose_pbx_rejects_the_credentials_exits_3(tmp_path: Path) -> None:
    async with sim() as pbx:
        env = hub_env(tmp_path)
        env["WALLBOARD_PASSWORD"] = "not-" + PW[:3]
        async with hub_process(pbx, "--no-db", env=env) as hub:
            rc = await asyncio.wait_for(hub.proc.wait(), 20)
            assert rc == 3
            err = (await hub.proc.stderr.read()).decode()  # type: ignore[union-attr]
            assert "rejected the credentials" in err


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('[[token]]\nname = "a"\nsha256 = "' + "0" * 64 + '"\n\n[[token]]\nname = "b"\n', 5),
        ('[[token]]\nname = "a"\nsha256 = = "x"\n', 3),
        ('# tokens\n\n[[token]]\nname = "bad name!"\nsha256 = "' + "0" * 64 + '"\n', 3),
    ],
)
async def test_a_token_file_with_errors_exits_2_naming_the_line(
    tmp_path: Path, text: str, line: int
) -> None:
    tokens = tmp_path / "tokens.toml"
    tokens.write_text(text)
    tokens.chmod(0o600)
    rc, out, err = await run(
        "hub", "ws://127.0.0.1:1", "--user", "admin", "--tokens", str(tokens), env=hub_env(tmp_path)
    )
    assert rc == 2 and out == ""
    assert err.count("\n") == 1 and f"line {line}" in err, err


async def test_token_commands(tmp_path: Path) -> None:
    tokens = tmp_path / "tokens.toml"
    env = hub_env(tmp_path)
    rc, out, err = await run("hub", "token", "add", "lobby-tv", "--tokens", str(tokens), env=env)
    assert rc == 0 and err == ""
    lines = out.splitlines()
    assert len(lines) == 1 and re.fullmatch(r"wbt_[A-Za-z0-9_-]{43}", lines[0])
    token = lines[0]
    text = tokens.read_text()
    assert token not in text
    import hashlib

    assert hashlib.sha256(token.encode()).hexdigest() in text
    assert stat.S_IMODE(tokens.stat().st_mode) == 0o600
    rc, out2, _ = await run(
        "hub", "token", "add", "team", "--queues", "8001,8002", "--tokens", str(tokens), env=env
    )
    assert rc == 0 and out2.strip() != token
    rc, listing, err = await run("hub", "token", "list", "--tokens", str(tokens), env=env)
    assert rc == 0 and "lobby-tv" in listing and "8001,8002" in listing
    assert token not in listing and hashlib.sha256(token.encode()).hexdigest() not in listing
    rc, _, err = await run("hub", "token", "add", "team", "--tokens", str(tokens), env=env)
    assert rc == 2 and "exists" in err
    rc, _, err = await run("hub", "token", "revoke", "team", "--tokens", str(tokens), env=env)
    assert rc == 0
    rc, listing, _ = await run("hub", "token", "list", "--tokens", str(tokens), env=env)
    assert "team" not in listing
    rc, _, err = await run("hub", "token", "revoke", "team", "--tokens", str(tokens), env=env)
    assert rc == 2 and "no token named" in err
    tokens.chmod(0o644)
    rc, _, err = await run("hub", "token", "list", "--tokens", str(tokens), env=env)
    assert rc == 0 and "readable by other users" in err and "chmod 600" in err


async def test_snapshot_of_a_hub_that_is_not_there_exits_4(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    rc, out, err = await run("snapshot", f"http://127.0.0.1:{port}", env=hub_env(tmp_path))
    assert rc == 4 and out == "" and err.count("\n") == 1


def _stats(doc: dict[str, Any]) -> dict[str, Any]:
    keys = ("offered", "answered", "abandoned", "overflowed", "callbacks")
    return {q["number"]: {k: q["stats"][k] for k in keys} for q in doc["queues"]}


async def test_a_hub_killed_and_started_again_serves_the_same_totals(tmp_path: Path) -> None:
    """The store (issue 11) keeps today's totals; the restarted hub and its viewers show them."""
    db = tmp_path / "hub.sqlite3"
    stepped = Simulator(sim_config("v16", password=PW, agents=40, queues=4))
    async with stepped as pbx:
        env = hub_env(tmp_path, WALLBOARD_TOKEN="")
        async with hub_process(pbx, "--db", str(db), env=env) as hub:
            await until(lambda: pbx.client_count == 1)
            for _ in range(10):
                pbx.advance(30)
                await asyncio.sleep(0.05)
            await asyncio.sleep(2.5)  # the store writes about once a second
            status, _h, body = await http_get(hub.url + "/state")
            assert status == 200
            before = _stats(json.loads(body))
            assert sum(s["offered"] for s in before.values()) > 0
            hub.proc.send_signal(signal.SIGKILL)
            await hub.proc.wait()
        await until(lambda: pbx.client_count == 0)
        async with hub_process(pbx, "--db", str(db), env=env) as hub:
            await until(lambda: pbx.client_count == 1)
            await asyncio.sleep(1.0)
            status, _h, body = await http_get(hub.url + "/state")
            assert status == 200 and _stats(json.loads(body)) == before
            # A viewer of the restarted hub sees the same totals (its checkpoint holds them).
            async with viewer(hub.url) as v:
                await until(lambda: v.ready.is_set())
                assert _stats(state_document(v.state)) == before


async def test_no_tokens_on_a_public_address_serves_only_healthz(tmp_path: Path) -> None:
    async with sim() as pbx:
        env = hub_env(tmp_path)
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "wallboard",
            "hub",
            pbx.url,
            "--user",
            "admin",
            "--domain",
            "demo.local",
            "--listen",
            "0.0.0.0:0",
            "--no-db",
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=env,
        )
        assert proc.stdout is not None
        try:
            line = (await asyncio.wait_for(proc.stdout.readline(), 20)).decode()
            port = int(line.rsplit(":", 1)[1])
            url = f"http://127.0.0.1:{port}"
            for _ in range(100):
                if (await http_get(url + "/healthz"))[0] == 200:
                    break
                await asyncio.sleep(0.1)
            assert (await http_get(url + "/healthz"))[0] == 200
            assert (await http_get(url + "/state"))[0] == 401
        finally:
            proc.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(proc.wait(), 10) == 0
            err = (await proc.stderr.read()).decode()  # type: ignore[union-attr]
        assert "serves only /healthz" in err
