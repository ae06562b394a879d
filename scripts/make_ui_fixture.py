"""Write tests/fixtures/ui/demo_v12.jsonl: a fixed replay for UI snapshots and screenshots.

Runs the simulator on a stepped (virtual, deterministic) clock, subscribes as
the tenant admin over a real socket, advances a few virtual minutes and
writes every received event frame as one plain JSON Lines object (no `t`, so
a replay is paced by the events' own times). Same seed, same file.

    python scripts/make_ui_fixture.py [--seed 3] [--seconds 420]
"""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path

from websockets.asyncio.client import connect

from wallboard.protocol.commands import build_auth, build_subscribe, default_topics
from wallboard.sim import SimConfig, Simulator

OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "ui" / "demo_v12.jsonl"
EPOCH = 1_700_000_000.0


async def collect(seed: int, seconds: float, agents: int, queues: int) -> list[str]:
    cfg = SimConfig(
        dialect="v12",
        agents=agents,
        queues=queues,
        seed=seed,
        port=0,
        start_epoch=EPOCH,
        autorun=False,
    )
    frames: list[str] = []
    async with Simulator(cfg) as sim, connect(sim.url, compression=None) as ws:
        auth = build_auth("v12", "demo", user="demo")
        await ws.send(json.dumps(auth))
        await ws.recv()
        for topic in default_topics("v12", tenant_admin=True, system_admin=False):
            await ws.send(json.dumps(build_subscribe("v12", [topic])))
        done = 0.0
        while done < seconds:
            sim.advance(5.0)
            done += 5.0
            while True:
                try:
                    frame = await asyncio.wait_for(ws.recv(), 0.3)
                except TimeoutError:
                    break
                assert isinstance(frame, str)
                frames.append(frame)
    return [f for f in frames if '"event_type"' in f]


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--seed", type=int, default=3)
    p.add_argument("--seconds", type=float, default=420.0)
    p.add_argument("--agents", type=int, default=24)
    p.add_argument("--queues", type=int, default=3)
    p.add_argument("-o", "--output", type=Path, default=OUT)
    a = p.parse_args()
    frames = asyncio.run(collect(a.seed, a.seconds, a.agents, a.queues))
    a.output.parent.mkdir(parents=True, exist_ok=True)
    with a.output.open("w", encoding="utf-8") as f:
        for frame in frames:
            f.write(json.dumps(json.loads(frame), separators=(",", ":")) + "\n")
    print(f"wrote {len(frames)} frames to {a.output}")


if __name__ == "__main__":
    main()
