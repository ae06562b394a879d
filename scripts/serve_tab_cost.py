"""What one TV costs the machine that runs `wallboard serve`: RSS and CPU per tab.

    python scripts/serve_tab_cost.py [--tabs 3] [--seconds 30] [--warmup 20] [--cols 177 --rows 50]

Two measurements, each prints one JSON line:

* `demo`: `wallboard serve --demo` with N tabs (the page's websocket opened
  directly, at the cell size of a 1600x900 page at fontsize 16). Each demo tab
  runs its own simulator today (the stand-in), so this is an upper bound.
* `viewer`: N app processes under the same web driver, each the TUI on ONE
  shared simulator over a real socket (`wallboard connect`): what a tab costs
  when it only views a feed, as a `wallboard view` tab on the hub will.

CPU is user+system time of the process over the window / the window, in % of
one core. The machine is shared: run it twice and look at the spread.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from serve_helpers import ServeProcess, Tab  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def sample(pids: list[int], seconds: float) -> list[dict[str, float]]:
    before = {p: cpu_seconds(p) for p in pids}
    t0 = time.monotonic()
    await asyncio.sleep(seconds)
    dt = time.monotonic() - t0
    return [
        {
            "pid": p,
            "rss_mib": round(rss_mib(p), 1),
            "cpu_pct": round(100 * (cpu_seconds(p) - before[p]) / dt, 1),
        }
        for p in pids
    ]


def summary(rows: list[dict[str, float]]) -> dict[str, float]:
    n = len(rows)
    return {
        "rss_mib_mean": round(sum(r["rss_mib"] for r in rows) / n, 1),
        "cpu_pct_mean": round(sum(r["cpu_pct"] for r in rows) / n, 1),
        "cpu_pct_max": max(r["cpu_pct"] for r in rows),
    }


async def drain(tab: Tab) -> None:
    assert tab.ws is not None
    with contextlib.suppress(Exception):
        async for _ in tab.ws:
            pass


async def demo(args: argparse.Namespace) -> None:
    async with ServeProcess("--demo") as serve:
        idle_server = rss_mib(serve.pid)
        tabs = [Tab(serve, cols=args.cols, rows=args.rows) for _ in range(args.tabs)]
        for t in tabs:
            await t.__aenter__()
            await t.read_until_bytes()
        readers = [asyncio.create_task(drain(t)) for t in tabs]
        pids = await serve.wait_app_pids(args.tabs)
        await asyncio.sleep(args.warmup)
        rows = await sample([serve.pid, *pids], args.seconds)
        for r in readers:
            r.cancel()
        for t in tabs:
            await t.close()
    print(
        json.dumps(
            {
                "measure": "demo",
                "tabs": args.tabs,
                "seconds": args.seconds,
                "server_idle_rss_mib": round(idle_server, 1),
                "server": rows[0],
                "apps": summary(rows[1:]),
                "each": rows[1:],
            }
        )
    )


async def viewer(args: argparse.Namespace) -> None:
    from wallboard.serve.child import DemoTarget, child_command
    from wallboard.serve.kiosk import Kiosk

    sim = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "wallboard", "sim", "--port", "0", "--agents", "40",
        "--queues", "4", stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    assert sim.stdout is not None
    url = ""
    while not url:
        line = (await asyncio.wait_for(sim.stdout.readline(), 30)).decode()
        url = next((w for w in line.split() if w.startswith("ws://")), "")
    base = child_command(
        DemoTarget(), Kiosk(), browser_token=None, scope=None, width=args.cols, height=args.rows
    )
    env = dict(base.env, WALLBOARD_PASSWORD="demo")
    argv = [sys.executable, "-m", "wallboard", "connect", url, "--dialect", "v12", "--user", "demo"]
    procs = []
    readers = []

    async def read(p: asyncio.subprocess.Process) -> None:
        assert p.stdout is not None
        while await p.stdout.read(65536):
            pass

    try:
        for _ in range(args.tabs):
            p = await asyncio.create_subprocess_exec(
                *argv, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.DEVNULL, env=env,
            )  # fmt: skip
            procs.append(p)
            readers.append(asyncio.create_task(read(p)))
        await asyncio.sleep(args.warmup)
        rows = await sample([p.pid for p in procs], args.seconds)
    finally:
        for p in procs:
            if p.returncode is None:
                p.kill()
            await p.wait()
        for r in readers:
            r.cancel()
        sim.kill()
        await sim.wait()
    print(
        json.dumps(
            {"measure": "viewer", "tabs": args.tabs, "seconds": args.seconds, "apps": summary(rows)}
        )
    )


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--tabs", type=int, default=3)
    p.add_argument("--seconds", type=float, default=30.0)
    p.add_argument("--warmup", type=float, default=20.0)
    p.add_argument("--cols", type=int, default=177)
    p.add_argument("--rows", type=int, default=50)
    p.add_argument("--only", choices=("demo", "viewer"))
    a = p.parse_args()
    if a.only != "viewer":
        asyncio.run(demo(a))
    if a.only != "demo":
        asyncio.run(viewer(a))
