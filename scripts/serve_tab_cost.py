"""What one TV costs the machine that runs `wallboard serve`: RSS and CPU per tab, and the hub's.

    python scripts/serve_tab_cost.py [--tabs 3] [--seconds 20] [--warmup 15] [--cols 177 --rows 50]
                                     [--only demo|hub]

Every tab is `wallboard view HUB_URL` under serve's web driver. The page's
websocket is opened directly, at the cell size of a 1600x900 page at
fontsize 16. Two measurements, each prints one JSON line:

* `demo`: `wallboard serve --demo`, whose process holds the simulator, the
  hub and the relay to the tabs. First with no tab (the simulator and hub
  alone), then with N tabs: the difference is what serve's process pays per
  tab (the hub's fan-out to one more viewer plus the relay).
* `hub`: the same pieces in their own processes (`wallboard sim`, `wallboard
  hub`, `wallboard serve --hub`), so the hub's share is its own process:
  measured with no viewer, then with the N tabs viewing it.

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
from typing import Any

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


def plain(row: dict[str, float]) -> dict[str, float]:
    return {k: v for k, v in row.items() if k != "pid"}


async def drain(tab: Tab) -> None:
    assert tab.ws is not None
    with contextlib.suppress(Exception):
        async for _ in tab.ws:
            pass


@contextlib.asynccontextmanager
async def tabs_open(serve: ServeProcess, args: argparse.Namespace) -> Any:
    """N tabs whose screens are read as fast as they come (a browser does)."""
    tabs = [Tab(serve, cols=args.cols, rows=args.rows) for _ in range(args.tabs)]
    readers = []
    try:
        for t in tabs:
            await t.__aenter__()
            await t.read_until_bytes()
            readers.append(asyncio.create_task(drain(t)))
        yield await serve.wait_app_pids(args.tabs)
    finally:
        for r in readers:
            r.cancel()
        for t in tabs:
            await t.close()


async def demo(args: argparse.Namespace) -> None:
    async with ServeProcess("--demo") as serve:
        await asyncio.sleep(5)  # the hub's login and first seconds
        [alone] = await sample([serve.pid], args.seconds)
        async with tabs_open(serve, args) as pids:
            await asyncio.sleep(args.warmup)
            rows = await sample([serve.pid, *pids], args.seconds)
    print(
        json.dumps(
            {
                "measure": "demo",
                "tabs": args.tabs,
                "seconds": args.seconds,
                "server_without_tabs": plain(alone),  # simulator + hub, nobody viewing
                "server": plain(rows[0]),  # simulator + hub + N viewers + the relay
                "tabs_each": summary(rows[1:]),
            }
        )
    )


async def _first_line(proc: asyncio.subprocess.Process, word: str) -> str:
    assert proc.stdout is not None
    while True:
        line = (await asyncio.wait_for(proc.stdout.readline(), 60)).decode()
        if not line:
            raise RuntimeError(f"no {word} URL")
        found = next((w for w in line.split() if w.startswith(word)), "")
        if found:
            return found


async def hub(args: argparse.Namespace) -> None:
    env = dict(os.environ, WALLBOARD_PASSWORD="demo")
    sim = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "wallboard", "sim", "--port", "0", "--agents", "40",
        "--queues", "4", stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    procs = [sim]
    try:
        sim_url = await _first_line(sim, "ws://")
        hub_proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "wallboard", "hub", sim_url, "--dialect", "v12",
            "--user", "demo", "--no-db", "--listen", "127.0.0.1:0",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL, env=env,
        )  # fmt: skip
        procs.append(hub_proc)
        hub_url = await _first_line(hub_proc, "http://")
        async with ServeProcess("--hub", hub_url) as serve:
            await asyncio.sleep(5)
            alone = await sample([hub_proc.pid, sim.pid], args.seconds)
            async with tabs_open(serve, args) as pids:
                await asyncio.sleep(args.warmup)
                rows = await sample([hub_proc.pid, sim.pid, serve.pid, *pids], args.seconds)
    finally:
        for p in procs:
            if p.returncode is None:
                p.terminate()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(p.wait(), 10)
            if p.returncode is None:
                p.kill()
                await p.wait()
    print(
        json.dumps(
            {
                "measure": "hub",
                "tabs": args.tabs,
                "seconds": args.seconds,
                "hub_without_viewers": plain(alone[0]),
                "hub": plain(rows[0]),  # with the N tabs viewing it
                "sim_without_viewers": plain(alone[1]),
                "sim": plain(rows[1]),
                "serve_relay": plain(rows[2]),
                "tabs_each": summary(rows[3:]),
            }
        )
    )


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--tabs", type=int, default=3)
    p.add_argument("--seconds", type=float, default=20.0)
    p.add_argument("--warmup", type=float, default=15.0)
    p.add_argument("--cols", type=int, default=177)
    p.add_argument("--rows", type=int, default=50)
    p.add_argument("--only", choices=("demo", "hub"))
    a = p.parse_args()
    if a.only != "hub":
        asyncio.run(demo(a))
    if a.only != "demo":
        asyncio.run(hub(a))
