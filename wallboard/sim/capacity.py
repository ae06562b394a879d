"""Measure the simulator's cost: `wallboard bench sim [options]`.

Starts `wallboard sim` in a child process (so its CPU and memory are its own),
connects N tenant-admin clients subscribed to everything, and after a settling
period samples the child's CPU time over a measurement window. Prints a few
human lines and, last, one JSON object. Linux reads /proc for exact per-window
CPU and the peak RSS (VmHWM); elsewhere it falls back to getrusage of the
exited child (which then includes start-up).
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from websockets.asyncio.client import connect

_TOPICS: dict[str, list[Any]] = {
    "v12": [
        {"topic": "extension_events"},
        {"topic": "cdr_events"},
        {"topic": "queue_events"},
        {"topic": "trunk_events"},
    ],
    "v16": ["extension_events", "cdr_events", "queue_events"],
    "v22": [
        "extension_events",
        "cdr_events",
        "queue_events",
        "extension_management_events",
        "queue_management_events",
    ],
}


def _cpu_seconds(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks  # utime + stime


def _peak_rss_mib(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class _Counter:
    def __init__(self) -> None:
        self.frames = 0
        self.bytes = 0


async def _client(url: str, dialect: str, password: str, counter: _Counter) -> None:
    auth: dict[str, Any]
    if dialect == "v12":
        auth = {"command": "auth", "name": "demo", "password": password}
    else:
        auth = {
            "command": "auth",
            "username": "admin",
            "domain": "demo.local",
            "password": password,
        }
    async with connect(url, max_size=None, compression=None) as ws:
        await ws.send(json.dumps(auth))
        await ws.recv()
        await ws.send(json.dumps({"command": "subscribe", "topics": _TOPICS[dialect]}))
        async for frame in ws:
            counter.frames += 1
            counter.bytes += len(frame)


@dataclass(frozen=True, slots=True)
class CapacityOptions:
    dialect: str = "v16"
    agents: int = 5000
    queues: int = 50
    clients: int = 20  # subscribed clients
    rate: float = 10.0  # new calls per second
    speed: float = 1.0
    seed: int = 1
    seconds: float = 40.0  # measurement window
    settle: float = 5.0  # seconds before measuring


async def measure(args: CapacityOptions) -> dict[str, Any]:
    cmd = [
        sys.executable, "-m", "wallboard", "sim", "--port", "0",
        "--dialect", args.dialect, "--agents", str(args.agents), "--queues", str(args.queues),
        "--rate", str(args.rate), "--speed", str(args.speed), "--seed", str(args.seed),
    ]  # fmt: skip
    proc = await asyncio.create_subprocess_exec(*cmd, stdout=asyncio.subprocess.PIPE)
    assert proc.stdout is not None
    line = (await proc.stdout.readline()).decode()
    if " on " not in line:
        raise SystemExit(f"capacity: the simulator did not start: {line!r}")
    url = line.split(" on ", 1)[1].split(" ", 1)[0]
    drain = asyncio.create_task(proc.stdout.read())
    counters = [_Counter() for _ in range(args.clients)]
    tasks = [asyncio.create_task(_client(url, args.dialect, "demo", c)) for c in counters]
    await asyncio.sleep(args.settle)
    cpu0, t0 = _cpu_seconds(proc.pid), time.monotonic()
    frames0 = sum(c.frames for c in counters)
    await asyncio.sleep(args.seconds)
    cpu1, t1 = _cpu_seconds(proc.pid), time.monotonic()
    frames1 = sum(c.frames for c in counters)
    bytes_total = sum(c.bytes for c in counters)
    rss = _peak_rss_mib(proc.pid)
    proc.send_signal(signal.SIGTERM)
    rc = await proc.wait()
    drain.cancel()
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    wall = t1 - t0
    if cpu0 is None or cpu1 is None:  # not Linux: whole-run figures from getrusage
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu_per_s = (usage.ru_utime + usage.ru_stime) / max(wall + args.settle, 1e-9)
        scale = 1 if sys.platform == "darwin" else 1024
        rss = usage.ru_maxrss / scale / 1024
    else:
        cpu_per_s = (cpu1 - cpu0) / wall
    return {
        "bench": "sim_capacity",
        "dialect": args.dialect,
        "agents": args.agents,
        "queues": args.queues,
        "clients": args.clients,
        "rate": args.rate,
        "speed": args.speed,
        "window_s": round(wall, 1),
        "sim_cpu_s_per_s": round(cpu_per_s, 3),
        "sim_peak_rss_mib": round(rss, 1) if rss is not None else None,
        "frames_per_s_per_client": round((frames1 - frames0) / wall / max(args.clients, 1), 1),
        "mib_received_total": round(bytes_total / 2**20, 1),
        "exit_code": rc,
    }


def run_capacity(args: CapacityOptions) -> int:
    """`wallboard bench sim`: the simulator's own cost, in its own process."""
    result = asyncio.run(measure(args))
    print(
        f"sim {args.dialect}: {args.agents} extensions, {args.queues} queues, "
        f"{args.clients} clients, {args.rate:g} calls/s: "
        f"{result['sim_cpu_s_per_s']} CPU s/s, peak RSS {result['sim_peak_rss_mib']} MiB, "
        f"{result['frames_per_s_per_client']} frames/s per client"
    )
    print(json.dumps(result))
    return 0


__all__ = ["CapacityOptions", "measure", "run_capacity"]
