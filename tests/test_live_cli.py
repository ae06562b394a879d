"""`wallboard snapshot URL`, `record` and the auth options, run as real subprocesses.

Exit statuses matter here, so every command runs as `python -m wallboard`.
Every run goes through `run_cli`, which also checks that the distinctive
test password appears in none of its output.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.live_helpers import (
    PASSWORD,
    ScriptedPBX,
    have_openssl,
    make_cert,
    serve_traffic,
    server_ssl,
    traffic,
)

pytestmark = pytest.mark.timeout(60)

ROOT = Path(__file__).resolve().parent.parent


def clean_env(tmp: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WALLBOARD_")}
    env["XDG_CONFIG_HOME"] = str(tmp / "xdg")  # never read the developer's own config
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


def assert_no_leak(*texts: str | bytes) -> None:
    for t in texts:
        data = t.encode() if isinstance(t, str) else t
        assert PASSWORD.encode() not in data, "the password leaked into output"


async def run_cli(*args: str, env: dict[str, str], timeout: float = 30.0) -> tuple[int, str, str]:
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
    assert_no_leak(out, err)
    assert b"Traceback" not in err
    return await proc.wait(), out.decode(), err.decode()


def auth_args(dialect: str) -> list[str]:
    if dialect == "v12":
        return ["--dialect", "v12", "--user", "demo"]
    return ["--dialect", dialect, "--user", "admin", "--domain", "demo.local"]


def normalise(doc: dict[str, Any]) -> dict[str, Any]:
    """Drop what legitimately differs between live and replay: the source and the clock."""
    doc = json.loads(json.dumps(doc))
    for key in ("source", "clock", "counting_since", "day", "coverage", "pbx_clock_offset_s"):
        doc.pop(key, None)
    for q in doc.get("queues", []):
        q["stats"].pop("longest_wait_s", None)  # now − since: live now is the wall clock
    doc.get("totals", {}).pop("longest_wait_s", None)  # the same, over all queues
    return doc


# ------------------------------------------------------------------ snapshot URL
async def test_snapshot_url_prints_the_live_document(tmp_path: Path) -> None:
    async with ScriptedPBX(serve_traffic) as pbx:
        env = clean_env(tmp_path, WALLBOARD_PASSWORD=PASSWORD)
        rc, out, err = await run_cli(
            "snapshot", pbx.url, *auth_args("v16"), "--wait", "0.5", env=env
        )
    assert rc == 0, err
    doc = json.loads(out)
    assert doc["schema"] == "wallboard.state/1"
    assert doc["source"]["kind"] == "live"
    assert doc["source"]["status"] == "connected"
    assert doc["source"]["dialect"] == "v16"
    assert doc["source"]["url"] == pbx.url
    assert doc["source"]["since"] and doc["source"]["last_frame_at"]
    assert doc["counters"]["invalid"] == 1 and doc["counters"]["unknown"] == 1
    assert abs(doc["clock"] - time.time()) < 60  # live: wall clock
    assert [q["number"] for q in doc["queues"]] == ["8001"]
    assert err == ""


async def test_snapshot_rejected_credentials_exit_3_quickly(tmp_path: Path) -> None:
    async with ScriptedPBX(serve_traffic, password="something-else") as pbx:
        env = clean_env(tmp_path, WALLBOARD_PASSWORD=PASSWORD)
        t = time.monotonic()
        rc, out, err = await run_cli("snapshot", pbx.url, *auth_args("v16"), "--wait", "5", env=env)
        elapsed = time.monotonic() - t
    assert rc == 3
    assert out == ""
    assert err.count("\n") == 1 and "rejected the credentials" in err
    assert pbx.auth_attempts <= 3
    assert elapsed < 5


async def test_snapshot_unreachable_exits_4_at_wait(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = clean_env(tmp_path, WALLBOARD_PASSWORD=PASSWORD)
    t = time.monotonic()
    rc, _, err = await run_cli(
        "snapshot", f"ws://127.0.0.1:{port}", *auth_args("v16"), "--wait", "1.5", env=env
    )
    elapsed = time.monotonic() - t
    assert rc == 4
    assert err.count("\n") == 1 and "connection refused" in err
    assert 1.4 < elapsed < 10


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["snapshot", "ws://127.0.0.1:9", "--user", "admin"], "no password"),
        (["snapshot", "http://127.0.0.1:9", "--user", "admin"], "ws:// or wss://"),
        (["snapshot", "ws://127.0.0.1:9"], "--user NAME or --extension NUMBER"),
        (["snapshot", "ws://127.0.0.1:9", "--user", "a", "--password-env", "NOPE_X"], "NOPE_X"),
        (
            ["snapshot", "ws://127.0.0.1:9", "--user", "a", "--password-file", "/nonexistent/pw"],
            "no such file",
        ),
        (
            ["snapshot", "ws://127.0.0.1:9", "--user", "a", "--config", "/nonexistent/c.toml"],
            "c.toml",
        ),
        (
            ["snapshot", "wss://127.0.0.1:9", "--user", "a", "--ca-file", "/nonexistent/ca.pem"],
            "ca.pem",
        ),
        (["snapshot", "ws://127.0.0.1:9", "--user", "a", "--extensions", "110-101"], "bad range"),
        (
            ["record", "ws://127.0.0.1:9", "--user", "a", "-o", "/nonexistent/dir/rec.jsonl"],
            "cannot write",
        ),
    ],
)
async def test_usage_errors_exit_2_with_one_line(
    tmp_path: Path, args: list[str], needle: str
) -> None:
    env = clean_env(tmp_path)
    if "no password" not in needle and "--password-env" not in args:
        env["WALLBOARD_PASSWORD"] = PASSWORD
    rc, _, err = await run_cli(*args, env=env)
    assert rc == 2, err
    assert err.count("\n") == 1, err
    assert needle in err


async def test_bad_config_file_exit_2_naming_file_and_problem(tmp_path: Path) -> None:
    env = clean_env(tmp_path, WALLBOARD_PASSWORD=PASSWORD)
    bad = tmp_path / "bad.toml"
    bad.write_text('url = "ws://127.0.0.1:9"\n[identity]\npassword = "' + PASSWORD + '"\n')
    rc, _, err = await run_cli("snapshot", "--config", str(bad), env=env)
    assert rc == 2 and str(bad) in err and "password" in err and err.count("\n") == 1
    bad.write_text("url = [unclosed\n")
    rc, _, err = await run_cli("snapshot", "--config", str(bad), env=env)
    assert rc == 2 and str(bad) in err and err.count("\n") == 1
    bad.write_text("[thresholds]\nwaiting_wran = 3\n")
    rc, _, err = await run_cli("snapshot", "--config", str(bad), env=env)
    assert rc == 2 and "thresholds.waiting_wran" in err


async def test_config_file_supplies_url_identity_and_password_file(tmp_path: Path) -> None:
    pw = tmp_path / "pw"
    pw.write_text(PASSWORD + "\n")
    pw.chmod(0o644)
    async with ScriptedPBX(serve_traffic) as pbx:
        cfg = tmp_path / "xdg" / "wallboard" / "config.toml"
        cfg.parent.mkdir(parents=True)
        cfg.write_text(
            f'url = "{pbx.url}"\n[identity]\nuser = "admin"\ndomain = "demo.local"\n'
            f'password_file = "{pw}"\n[subscriptions]\nqueues = ["8001"]\n'
        )
        env = clean_env(tmp_path)  # the default location, via XDG_CONFIG_HOME
        rc, out, err = await run_cli("snapshot", "--wait", "0.3", env=env)
    assert rc == 0, err
    assert "readable by other users" in err  # 0644 password file
    assert json.loads(out)["source"]["status"] == "connected"
    queue_sub = [c for c in pbx.commands_named("subscribe") if c["topics"] == ["queue_events"]]
    assert queue_sub[0]["queues"] == ["8001"]


async def test_url_userinfo_is_never_shown(tmp_path: Path) -> None:
    async with ScriptedPBX(serve_traffic) as pbx:
        url = pbx.url.replace("ws://", f"ws://admin:{PASSWORD}@")
        env = clean_env(tmp_path, WALLBOARD_PASSWORD=PASSWORD)
        rc, out, err = await run_cli("snapshot", url, *auth_args("v16"), "--wait", "0.2", env=env)
    assert rc == 0, err
    assert json.loads(out)["source"]["url"] == pbx.url


# --------------------------------------------------------------------- record
async def record_until(
    pbx: ScriptedPBX,
    path: Path,
    env: dict[str, str],
    dialect: str,
    lines: int,
    done: Callable[[list[str]], bool] | None = None,
) -> tuple[int, str]:
    """Record until the file has `lines` lines (or `done(lines)` holds), then SIGTERM."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "wallboard",
        "record",
        pbx.url,
        "-o",
        str(path),
        *auth_args(dialect),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        text = path.read_text() if path.exists() else ""
        if done(text.splitlines()) if done else text.count("\n") >= lines:
            break
        await asyncio.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    out, err = await asyncio.wait_for(proc.communicate(), 10)
    assert_no_leak(out, err, path.read_bytes())
    return await proc.wait(), err.decode()


@pytest.mark.parametrize("dialect", ["v12", "v16"])
async def test_record_then_replay_equals_the_live_snapshot(tmp_path: Path, dialect: str) -> None:
    rec = tmp_path / "rec.jsonl"
    env = clean_env(tmp_path, WALLBOARD_PASSWORD=PASSWORD)
    subscribes = 4 if dialect == "v12" else 3
    expected = 1 + 1 + subscribes + len(traffic(dialect))
    async with ScriptedPBX(serve_traffic, dialect=dialect) as pbx:
        rc, err = await record_until(pbx, rec, env, dialect, expected)
        assert rc == 0, err
        assert "connected to" in err and f"recorded {expected - 1} frames" in err
        rc, live_out, err = await run_cli(
            "snapshot", pbx.url, *auth_args(dialect), "--wait", "0.5", env=env
        )
        assert rc == 0, err
    lines = rec.read_text().splitlines()
    assert len(lines) == expected
    header = json.loads(lines[0])
    assert header["wallboard_recording"] == 1 and header["dialect"] == dialect
    assert header["source"] == pbx.url and isinstance(header["started"], float)
    frames = [json.loads(line) for line in lines[1:]]
    assert all(set(f) == {"t", "frame"} for f in frames)
    sent = set(traffic(dialect))
    assert sent <= {f["frame"] for f in frames}  # exactly as received
    assert not any('"password"' in f["frame"] for f in frames)  # nothing the client sent

    rc, replay_out, err = await run_cli("snapshot", "--replay", str(rec), env=env)
    assert rc == 0, err
    live, replayed = json.loads(live_out), json.loads(replay_out)
    assert replayed["source"]["kind"] == "replay" and live["source"]["kind"] == "live"
    assert replayed["source"]["dialect"] == live["source"]["dialect"] == dialect
    assert normalise(live) == normalise(replayed)
    assert live["calls"] or live["queues"]  # the comparison is about something


async def test_record_keeps_going_through_a_drop(tmp_path: Path) -> None:
    async def behaviour(conn: Any) -> None:
        assert await conn.auth()
        await asyncio.wait_for(conn.subscribed.wait(), 5)
        await conn.send(traffic("v16")[0])
        if conn.index == 0:
            await conn.close(1012, "service restart")
            return
        await conn.hold()

    def frames(lines: list[str]) -> list[str]:
        out = []
        for line in lines[1:]:
            with contextlib.suppress(ValueError):  # the line being written, polled half way
                out.append(json.loads(line)["frame"])
        return out

    def both_sessions(lines: list[str]) -> bool:
        return frames(lines).count(traffic("v16")[0]) == 2

    rec = tmp_path / "rec.jsonl"
    env = clean_env(tmp_path, WALLBOARD_PASSWORD=PASSWORD)
    async with ScriptedPBX(behaviour) as pbx:
        rc, err = await record_until(pbx, rec, env, "v16", 0, done=both_sessions)
    assert rc == 0
    assert "code 1012" in err and "retrying" in err
    assert pbx.connections == 2
    # Both sessions' frames are in the one file, after its one header: the event each
    # session sent, and each session's auth reply (how many subscribe replies made it
    # before the first close is a race, so they are not counted).
    lines = rec.read_text().splitlines()
    assert "wallboard_recording" in json.loads(lines[0])
    assert all(set(json.loads(x)) == {"t", "frame"} for x in lines[1:])
    assert both_sessions(lines), lines
    assert sum('"command": "auth"' in f for f in frames(lines)) == 2


# ------------------------------------------------------------------------- TLS
@pytest.fixture(scope="module")
def cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if not have_openssl():
        pytest.skip("the openssl command is needed to make a test certificate")
    return make_cert(tmp_path_factory.mktemp("tls"))


async def test_tls_options_on_the_command_line(tmp_path: Path, cert: tuple[Path, Path]) -> None:
    env = clean_env(tmp_path, WALLBOARD_PASSWORD=PASSWORD)
    async with ScriptedPBX(serve_traffic, ssl_context=server_ssl(*cert)) as pbx:
        base = ["snapshot", pbx.url, *auth_args("v16"), "--wait", "0.3"]
        rc, out, err = await run_cli(*base, "--ca-file", str(cert[0]), env=env)
        assert rc == 0, err
        assert json.loads(out)["source"]["insecure"] is False
        assert err == ""

        rc, out, err = await run_cli(*base, env=env)
        assert rc == 4
        assert err.count("\n") == 1
        assert "certificate" in err and "--ca-file" in err and "--insecure" in err

        rc, out, err = await run_cli(*base, "--insecure", env=env)
        assert rc == 0, err
        assert json.loads(out)["source"]["insecure"] is True
        assert "warning" in err and "NOT verified" in err


async def test_snapshot_interrupted_before_the_pbx_answers(tmp_path: Path) -> None:
    from tests.live_helpers import SilentPBX

    async with SilentPBX(answer_auth=False) as pbx:
        env = clean_env(tmp_path, WALLBOARD_PASSWORD=PASSWORD)
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "wallboard",
            "snapshot",
            pbx.url,
            *auth_args("v16"),
            "--wait",
            "20",
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=env,
        )
        deadline = time.monotonic() + 10
        while pbx.connections == 0 and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        out, err = await asyncio.wait_for(proc.communicate(), 10)
    assert_no_leak(out, err)
    assert proc.returncode == 130
    assert err.decode().count("\n") == 1 and b"interrupted" in err


async def test_record_rejected_credentials_exit_3_with_one_line(tmp_path: Path) -> None:
    async with ScriptedPBX(serve_traffic, password="something-else") as pbx:
        env = clean_env(tmp_path, WALLBOARD_PASSWORD=PASSWORD)
        rec = tmp_path / "rec.jsonl"
        rc, _, err = await run_cli("record", pbx.url, "-o", str(rec), *auth_args("v16"), env=env)
    assert rc == 3
    assert err.count("\n") == 1 and "rejected the credentials" in err
    assert pbx.auth_attempts == 1
    assert_no_leak(rec.read_bytes())
