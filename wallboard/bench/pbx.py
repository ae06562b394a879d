"""`python -m wallboard.bench.pbx`: the benchmark's PBX, in a process of its own.

A WebSocket server on a free loopback port that answers every command with
success (auth, subscribes) and then, when told to, streams a generated storm
at a fixed rate: frame ``i`` is due at ``t0 + i / rate`` on the system-wide
monotonic clock, which the app's process reads too, so the app can measure
each frame from the moment it was due, before it was sent, received, parsed
or applied. It runs apart from the app so its work is not the app's CPU.

Protocol with the parent (stdout / stdin lines):
``port N`` once listening; the parent writes ``go T0`` once its client is
subscribed; the sender prints ``sent N LAST`` when every frame is out (the
monotonic time the last one left). Its options come as one JSON argument
(`child.py`): ``python -m wallboard.bench.pbx '{"agents": 5000, ...}'``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time
from dataclasses import dataclass

from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from wallboard.bench.child import child_options
from wallboard.bench.stream import StreamGenerator

BATCH_PERIOD = 0.005  # wake up this often and send what is due


@dataclass(frozen=True, slots=True)
class PbxOptions:
    agents: int = 5000
    queues: int = 50
    rate: float = 2000.0  # frames per second
    seconds: float = 30.0  # rate × seconds frames, then it stops sending
    seed: int = 1


def _reply(text: str | bytes) -> str:
    try:
        cmd = json.loads(text)
    except ValueError:
        cmd = {}
    if not isinstance(cmd, dict):
        cmd = {}
    return json.dumps({"command": cmd.get("command", ""), "id": cmd.get("id", "1"), "status": 0})


async def run(opts: PbxOptions) -> None:
    gen = StreamGenerator(agents=opts.agents, queues=opts.queues, seed=opts.seed, rate=opts.rate)
    frames = [f for _, f in gen.frames(max(1, int(opts.rate * opts.seconds)))]
    loop = asyncio.get_running_loop()
    go: asyncio.Future[float] = loop.create_future()
    done = asyncio.Event()

    async def handler(ws: ServerConnection) -> None:
        async def answer() -> None:
            with contextlib.suppress(ConnectionClosed):  # the app left: the run is over
                async for text in ws:
                    await ws.send(_reply(text))

        answering = asyncio.create_task(answer())
        t0 = await go
        mono, rate, n, i = time.monotonic, opts.rate, len(frames), 0
        try:
            while i < n:
                now = mono()
                due = min(n, int((now - t0) * rate) + 1) if now >= t0 else 0
                while i < due:
                    await ws.send(frames[i])
                    i += 1
                await asyncio.sleep(max(BATCH_PERIOD, t0 + i / rate - mono()))
        except ConnectionClosed:
            pass
        print(f"sent {i} {mono():.6f}", flush=True)
        done.set()
        await answering

    async with serve(handler, "127.0.0.1", 0, max_size=None, max_queue=None) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        print(f"port {port}", flush=True)
        line = await loop.run_in_executor(None, sys.stdin.readline)
        parts = line.split()
        if len(parts) != 2 or parts[0] != "go":
            return
        go.set_result(float(parts[1]))
        await done.wait()
        # Keep serving until the parent is finished with us (stdin closes).
        await loop.run_in_executor(None, sys.stdin.readline)


def main(argv: list[str] | None = None) -> int:
    opts = child_options(PbxOptions, sys.argv[1:] if argv is None else argv)
    asyncio.run(run(opts))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
