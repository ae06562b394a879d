"""`wallboard sim` as users run it: banner, real-time traffic, clean stop, no Textual."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys

from websockets.asyncio.client import connect

from sim_helpers import ALL_TOPICS, AUTH
from wallboard.sim import SimConfig, Simulator


def test_importing_the_simulator_does_not_import_textual() -> None:
    code = (
        "import sys, wallboard.sim, wallboard.sim.command, wallboard.sim.capacity\n"
        "bad = [m for m in sys.modules if m.split('.')[0] == 'textual']\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=30)


async def test_cli_serves_real_time_traffic_and_stops_on_sigterm() -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "wallboard",
        "sim",
        "--port",
        "0",
        "--dialect",
        "v16",
        "--speed",
        "20",
        "--agents",
        "30",
        "--queues",
        "3",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        async with asyncio.timeout(15):
            first = (await proc.stdout.readline()).decode()
            banner = [first] + [(await proc.stdout.readline()).decode() for _ in range(3)]
        assert first.startswith("wallboard sim: listening on ws://127.0.0.1:")
        assert first.rstrip().endswith("(v16)")
        assert any("--user admin --domain demo.local, password: demo" in line for line in banner)
        url = first.split(" on ", 1)[1].split(" ", 1)[0]
        kinds: set[str] = set()
        async with connect(url) as ws:
            await ws.send(json.dumps(AUTH["v16"]["tenant"]))
            assert json.loads(await ws.recv())["status"] == 0
            await ws.send(json.dumps({"command": "subscribe", "topics": ALL_TOPICS["v16"]}))
            async with asyncio.timeout(10):
                while not {"call_start", "call_cdr", "queue_caller_status"} <= kinds:
                    msg = json.loads(await ws.recv())
                    kinds.add(msg.get("event_type", "reply"))
        proc.send_signal(signal.SIGTERM)
        async with asyncio.timeout(10):
            rc = await proc.wait()
        assert rc == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


def test_cli_rejects_half_a_tls_pair(tmp_path: object) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "wallboard", "sim", "--port", "0", "--tls-cert", "x.pem"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert out.returncode == 2
    assert out.stderr.strip().count("\n") == 0 and "--tls-key" in out.stderr


async def test_default_speed_shows_calls_within_seconds() -> None:
    """With defaults (speed 1) a subscriber sees live traffic within a few seconds."""
    async with Simulator(SimConfig(dialect="v12", port=0)) as sim, connect(sim.url) as ws:
        await ws.send(json.dumps(AUTH["v12"]["tenant"]))
        assert json.loads(await ws.recv()) == {"status": 0}
        await ws.send(json.dumps({"command": "subscribe", "topics": ALL_TOPICS["v12"]}))
        kinds: set[str] = set()
        async with asyncio.timeout(15):  # generous: CI machines may be loaded
            while not {"call_start", "queue_status", "queue_member_state"} <= kinds:
                kinds.add(json.loads(await ws.recv()).get("event_type", "reply"))


_TRANSCRIPT = """
import asyncio, hashlib, json, sys
sys.path.insert(0, sys.argv[1])
from sim_helpers import ALL_TOPICS, Simulator, config, open_peer, run

async def main():
    async with Simulator(config("v16", seed=11, rate=1.0)) as sim:
        peer = await open_peer(sim)
        await peer.command({"command": "subscribe", "topics": ALL_TOPICS["v16"]})
        await run(sim, [peer], 240, step=20)
        await peer.close()
        print(len(peer.frames), hashlib.sha256("\\n".join(peer.frames).encode()).hexdigest())

asyncio.run(main())
"""


def test_same_seed_same_events_across_processes(tmp_path: object) -> None:
    import os
    from pathlib import Path

    here = str(Path(__file__).parent)
    outs = []
    for hashseed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=hashseed)
        out = subprocess.run(
            [sys.executable, "-c", _TRANSCRIPT, here],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=True,
        )
        outs.append(out.stdout.strip())
    assert int(outs[0].split()[0]) > 100
    assert outs[0] == outs[1]
