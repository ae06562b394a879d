"""`wallboard bench hub`: one hub, a busy PBX, a hundred viewers; what it costs, how late.

Every part runs in its own process, on this machine's loopback:

- **pbx**: a WSI v16 server that answers auth and subscribes and then sends
  the status pictures and a steady event stream (`bench/stream.py`) at
  `--rate` events per second, each event stamped with the time it was sent
  (an extra `bench_t` field the wallboard ignores);
- **hub**: `wallboard hub` itself, measured from outside (CPU time and peak
  RSS from /proc);
- **readers**: plain WebSocket readers (two processes holding the frame
  viewers, one holding the scoped ones), each recording, for every frame it
  receives, receive time − PBX send time into a histogram; one more reader
  stops reading halfway (`--stall-at`) and should be dropped (1013) without
  raising anyone else's latency.

The checkpoint a new viewer gets is timed in-process on a model of the
same size (build + encode), and as the hub measured its real ones.
Prints one JSON object as its last line. The PBX and readers are this module
again, ``python -m wallboard.bench.hub pbx|readers JSON`` (`child.py`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wallboard.bench.child import child_argv, child_options, child_role

STAMP = re.compile(rb'bench_t\\":([0-9.]+)')
BUCKET = 0.0005  # histogram resolution: 0.5 ms
TOKEN = "wbt_bench-token-not-secret"
SCOPED_TOKEN = "wbt_bench-scoped-token-not-secret"


@dataclass(frozen=True, slots=True)
class StampingPbxOptions:
    agents: int = 5000
    queues: int = 50
    rate: float = 2000.0  # events per second, each stamped with when it was sent


@dataclass(frozen=True, slots=True)
class ReaderOptions:
    url: str  # the hub's http:// address
    count: int = 50  # viewers in this process
    slow: bool = False  # stop reading at SIGUSR1


# ---------------------------------------------------------------- the PBX
async def run_pbx(args: StampingPbxOptions) -> None:
    from websockets.asyncio.server import ServerConnection, serve

    from wallboard.bench.stream import StreamGenerator

    async def handler(ws: ServerConnection) -> None:
        async def replies() -> None:
            async for raw in ws:
                cmd = json.loads(raw)
                await ws.send(
                    json.dumps(
                        {"command": cmd.get("command"), "id": cmd.get("id", "1"), "status": 0}
                    )
                )

        reader = asyncio.create_task(replies())
        await asyncio.sleep(0.5)  # auth and subscribes answered
        start = time.time()
        gen = StreamGenerator(
            agents=args.agents, queues=args.queues, seed=1, rate=args.rate, start=start
        )
        count = 10**9  # until the bench ends
        stream = gen.frames(count)
        pictures = args.agents // 100 + args.queues + 2
        t0 = time.perf_counter()
        sent = 0
        try:
            for _ in range(pictures):
                _t, frame = next(stream)
                await ws.send(frame)
            t0 = time.perf_counter()
            while True:
                due = int((time.perf_counter() - t0) * args.rate)
                while sent < due:
                    _t, frame = next(stream)
                    await ws.send(f'{frame[:-1]},"bench_t":{time.time():.6f}}}')
                    sent += 1
                await asyncio.sleep(0.005)
        except Exception:
            pass
        finally:
            reader.cancel()

    async with serve(handler, "127.0.0.1", 0, compression=None, max_size=None) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        print(f"ws://127.0.0.1:{port}", flush=True)
        await asyncio.Event().wait()


# ------------------------------------------------------------- the readers
class Histogram:
    def __init__(self) -> None:
        self.counts: dict[int, int] = {}
        self.n = 0

    def add(self, seconds: float) -> None:
        b = int(max(0.0, seconds) / BUCKET)
        self.counts[b] = self.counts.get(b, 0) + 1
        self.n += 1

    def merge(self, other: dict[str, int]) -> None:
        for k, v in other.items():
            self.counts[int(k)] = self.counts.get(int(k), 0) + v
            self.n += v

    def quantile(self, q: float) -> float:
        if not self.n:
            return 0.0
        rank = q * self.n
        seen = 0
        for b in sorted(self.counts):
            seen += self.counts[b]
            if seen >= rank:
                return (b + 1) * BUCKET
        return 0.0


async def run_readers(args: ReaderOptions) -> None:
    """`count` viewers until SIGTERM; per wall-clock second, a latency histogram.

    With `slow`, the viewer stops reading at SIGUSR1 (and reads its backlog
    at the end, to learn how the hub closed it).
    """
    import signal

    from websockets.asyncio.client import connect

    token = os.environ.get("WALLBOARD_BENCH_TOKEN", "")
    url = args.url.replace("http", "ws", 1) + "/feed"
    host, port = url.split("//")[1].split("/")[0].rsplit(":", 1)
    loop = asyncio.get_running_loop()
    stop, stall = asyncio.Event(), asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGUSR1, stall.set)
    hist: dict[int, Histogram] = {}
    patch_age = Histogram()
    stats: dict[str, Any] = {
        "messages": 0,
        "frames": 0,
        "bytes": 0,
        "checkpoints": 0,
        "closed": [],
        "checkpoint_s": [],
    }

    async def read(ws: Any, t_open: float) -> None:
        while True:
            if args.slow and stall.is_set():
                await stop.wait()
                return
            raw = await ws.recv(decode=False)
            now = time.time()
            stats["messages"] += 1
            stats["bytes"] += len(raw)
            if raw.startswith(b'{"type":"checkpoint"'):
                stats["checkpoints"] += 1
                stats["checkpoint_s"].append(time.perf_counter() - t_open)
                continue
            if raw.startswith(b'{"type":"patch"'):
                m = re.match(rb'\{"type":"patch","t":([0-9.e+]+)', raw)
                if m:
                    patch_age.add(now - float(m.group(1)))
                continue
            # The oldest frame of a batch waited longest: one sample per message,
            # an upper bound for every frame in it (and cheap enough for the
            # readers to keep up, which they must for the figure to be the hub's).
            m = STAMP.search(raw)
            if m is not None:
                h = hist.get(int(now))
                if h is None:
                    h = hist[int(now)] = Histogram()
                h.add(now - float(m.group(1)))
                stats["frames"] += raw.count(b"bench_t")

    async def one() -> None:
        sock = None
        if args.slow:
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)
            sock.connect((host, int(port)))
        t_open = time.perf_counter()
        async with connect(
            url,
            additional_headers={"Authorization": f"Bearer {token}"},
            compression=None,
            max_size=None,
            max_queue=1 if args.slow else 16,
            sock=sock,
            ping_interval=None,
        ) as ws:
            reader = asyncio.create_task(read(ws, t_open))
            waiter = asyncio.create_task(stop.wait())
            await asyncio.wait({reader, waiter}, return_when=asyncio.FIRST_COMPLETED)
            reader.cancel()
            waiter.cancel()
            if args.slow:  # what it missed, then how it was closed
                with contextlib.suppress(Exception):
                    async with asyncio.timeout(5):
                        while True:
                            await ws.recv(decode=False)
            stats["closed"].append(ws.close_code)

    await asyncio.gather(*(one() for _ in range(args.count)), return_exceptions=True)
    out = {
        "hist": {str(sec): h.counts for sec, h in hist.items()},
        "patch_age": patch_age.counts,
        **stats,
    }
    sys.stdout.write(json.dumps(out) + "\n")


# -------------------------------------------------------- the checkpoint
def checkpoint_figures(agents: int, queues: int, events: int) -> dict[str, Any]:
    """Build + encode a checkpoint of a busy model of this size, in this process."""
    from wallboard.bench.stream import StreamGenerator
    from wallboard.feed.hubwire import encode
    from wallboard.hub.journal import HubState
    from wallboard.model.checkpoint import checkpoint
    from wallboard.protocol.parse import parse_frame

    gen = StreamGenerator(agents=agents, queues=queues, seed=1, start=time.time() - 3600)
    state = HubState()
    for t, frame in gen.frames(events):
        state.stash(frame)
        state.apply(parse_frame(frame), t)
    times = []
    cpu = []
    size = 0
    for _ in range(9):
        t0, c0 = time.perf_counter(), time.process_time()
        data = encode({"type": "checkpoint", "t": state.now(), "data": checkpoint(state)})
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        size = len(data)
    return {
        # CPU time is what the hub spends; wall time also holds what others ran meanwhile.
        "checkpoint_cpu_ms_min": round(min(cpu) * 1000, 1),
        "checkpoint_cpu_ms_median": round(statistics.median(cpu) * 1000, 1),
        "checkpoint_ms_min": round(min(times) * 1000, 1),
        "checkpoint_ms_median": round(statistics.median(times) * 1000, 1),
        "checkpoint_ms_max": round(max(times) * 1000, 1),
        "checkpoint_bytes": size,
        "calls_in_model": len(state.calls),
        "extensions_in_model": len(state.extensions),
    }


# ----------------------------------------------------------- orchestration
def _proc_cpu(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / tick


def _proc_hwm_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _spawn(argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def _first_line(proc: subprocess.Popen[bytes], what: str) -> str:
    assert proc.stdout is not None
    line = proc.stdout.readline().decode().strip()
    if not line:
        err = proc.stderr.read().decode() if proc.stderr else ""
        raise RuntimeError(f"{what} did not start: {err[-1500:]}")
    return line


def _events(metrics: str) -> float:
    m = re.search(r'^wallboard_frames_total\{kind="event"\} ([0-9.e+]+)$', metrics, re.M)
    return float(m.group(1)) if m else 0.0


def _get(url: str, token: str) -> bytes:
    import urllib.request

    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return resp.read()


def _metric(metrics: str, name: str) -> float:
    m = re.search(rf"^{re.escape(name)} ([0-9.e+-]+)$", metrics, re.M)
    return float(m.group(1)) if m else 0.0


@dataclass(frozen=True, slots=True)
class HubBenchOptions:
    agents: int = 5000
    queues: int = 50
    rate: float = 2000.0  # PBX events per second
    viewers: int = 100  # frame viewers
    scoped: int = 5  # scoped viewers (two queues)
    seconds: float = 20.0  # the measured window
    settle: float = 5.0  # between every viewer having joined and the window
    stall_at: float = 5.0  # into the window, one more viewer stops reading
    reader_processes: int = 2


def run_bench_hub(args: HubBenchOptions) -> int:
    import signal

    from wallboard.hub.tokens import TokenEntry, TokenInfo, render_token_file, token_digest

    me = "wallboard.bench.hub"
    procs: list[subprocess.Popen[bytes]] = []
    tmp = Path(tempfile.mkdtemp(prefix="wallboard-bench-hub-"))
    tokens = tmp / "tokens.toml"
    scope = [str(8001 + i) for i in range(min(2, args.queues))]
    entries = [
        TokenEntry(TokenInfo("bench"), bytes.fromhex(token_digest(TOKEN))),
        TokenEntry(TokenInfo("team", tuple(scope)), bytes.fromhex(token_digest(SCOPED_TOKEN))),
    ]
    tokens.write_text(render_token_file(entries))
    tokens.chmod(0o600)
    env = {k: v for k, v in os.environ.items() if not k.startswith("WALLBOARD_")}
    env["XDG_CONFIG_HOME"] = str(tmp / "xdg")
    result: dict[str, Any] = {"bench": "hub", "load_average_1m": os.getloadavg()[0]}
    try:
        pbx_opts = StampingPbxOptions(agents=args.agents, queues=args.queues, rate=args.rate)
        pbx = _spawn(child_argv(me, pbx_opts, "pbx"), env)
        procs.append(pbx)
        pbx_url = _first_line(pbx, "the bench PBX")
        hub_argv = [sys.executable, "-m", "wallboard", "hub", pbx_url, "--user", "admin"]
        hub_argv += ["--domain", "bench.local", "--listen", "127.0.0.1:0"]
        hub_argv += ["--tokens", str(tokens), "--no-db"]
        hub = _spawn(hub_argv, dict(env, WALLBOARD_PASSWORD="bench"))
        procs.append(hub)
        hub_url = _first_line(hub, "the hub").rsplit(" ", 1)[1]
        time.sleep(3.0)  # the pictures are in; the stream is running
        readers_start = time.time()

        def readers(n: int, token: str, slow: bool = False) -> subprocess.Popen[bytes]:
            argv = child_argv(me, ReaderOptions(url=hub_url, count=n, slow=slow), "readers")
            return _spawn(argv, dict(env, WALLBOARD_BENCH_TOKEN=token))

        per = -(-args.viewers // args.reader_processes)
        frame_readers = [
            readers(min(per, args.viewers - i * per), TOKEN)
            for i in range(args.reader_processes)
            if args.viewers - i * per > 0
        ]
        scoped = readers(args.scoped, SCOPED_TOKEN)
        slow = readers(1, TOKEN, slow=True)
        procs += [*frame_readers, scoped, slow]
        everyone = args.viewers + args.scoped + 1
        deadline = time.monotonic() + 180
        while True:  # every viewer in, every checkpoint out
            m = _get(hub_url + "/metrics", TOKEN).decode()
            if (
                _metric(m, "wallboard_hub_viewers") >= everyone
                and _metric(m, "wallboard_hub_viewers_joining") == 0
            ):
                break
            if time.monotonic() > deadline:
                raise RuntimeError("the viewers did not all join within 180 s")
            time.sleep(0.5)
        joined_after = time.time() - readers_start
        time.sleep(args.settle)  # the readers catch up with what queued while they joined
        t0 = time.time()
        ev0 = _events(_get(hub_url + "/metrics", TOKEN).decode())
        cpu0, m0 = _proc_cpu(hub.pid), time.monotonic()
        time.sleep(args.stall_at)
        t_stall = time.time()
        slow.send_signal(signal.SIGUSR1)
        time.sleep(max(0.0, args.seconds - args.stall_at))
        cpu1, m1 = _proc_cpu(hub.pid), time.monotonic()
        t1 = time.time()
        hwm = _proc_hwm_mb(hub.pid)
        metrics = _get(hub_url + "/metrics", TOKEN).decode()
        ev1 = _events(metrics)
        outs = []
        for r in [*frame_readers, scoped, slow]:
            r.send_signal(signal.SIGTERM)
        for r in [*frame_readers, scoped, slow]:
            out, err = r.communicate(timeout=60)
            lines = out.decode().strip().splitlines()
            if not lines:
                raise RuntimeError(f"a reader failed: {err.decode()[-1500:]}")
            outs.append(json.loads(lines[-1]))
        joining, steady, stalled, patch = Histogram(), Histogram(), Histogram(), Histogram()
        frames_stats = outs[: len(frame_readers)]
        for o in frames_stats:
            for sec, counts in o["hist"].items():
                t = int(sec)
                if t < int(t0):
                    joining.merge(counts)
                elif t < int(t_stall):
                    steady.merge(counts)
                elif t < int(t1):
                    stalled.merge(counts)
        patch.merge(outs[len(frame_readers)]["patch_age"])
        window = Histogram()
        window.merge(steady.counts)  # type: ignore[arg-type]
        window.merge(stalled.counts)  # type: ignore[arg-type]
        joined_s = [s for o in frames_stats for s in o["checkpoint_s"]]
        slow_closed = outs[-1]["closed"]
        result.update(
            agents=args.agents,
            queues=args.queues,
            rate=args.rate,
            viewers=args.viewers,
            scoped_viewers=args.scoped,
            seconds=args.seconds,
            hub_cpu_cores=round((cpu1 - cpu0) / (m1 - m0), 3),
            hub_peak_rss_mb=round(hwm, 1),
            hub_events_per_s=round((ev1 - ev0) / (m1 - m0)),
            batches_measured=window.n,
            frames_received=sum(o["frames"] for o in frames_stats),
            # Per batch, its oldest frame: PBX send → viewer receive, in the window.
            latency_ms_p50=round(window.quantile(0.5) * 1000, 1),
            latency_ms_p99=round(window.quantile(0.99) * 1000, 1),
            latency_ms_max=round(window.quantile(1.0) * 1000, 1),
            latency_ms_p99_before_stall=round(steady.quantile(0.99) * 1000, 1),
            latency_ms_p99_after_stall=round(stalled.quantile(0.99) * 1000, 1),
            # While every viewer connects at once (before the window).
            latency_ms_p99_joining=round(joining.quantile(0.99) * 1000, 1),
            all_joined_after_s=round(joined_after, 1),
            viewer_checkpoint_received_s_p50=(
                round(statistics.median(joined_s), 2) if joined_s else None
            ),
            scoped_patch_age_ms_p50=round(patch.quantile(0.5) * 1000, 1),
            scoped_patch_age_ms_p99=round(patch.quantile(0.99) * 1000, 1),
            slow_viewer_dropped=_metric(metrics, "wallboard_hub_viewers_dropped_slow") >= 1,
            slow_viewer_close_code=slow_closed[0] if slow_closed else None,
            hub_checkpoint_ms_max=round(
                _metric(metrics, "wallboard_hub_checkpoint_seconds_max") * 1000, 1
            ),
            bytes_per_viewer_per_s=round(
                sum(o["bytes"] for o in frames_stats) / max(1, args.viewers) / (t1 - readers_start)
            ),
        )
        result.update(checkpoint_figures(args.agents, args.queues, args.agents * 4))
        result["targets"] = {
            "hub_cpu_cores": 0.6,
            "hub_peak_rss_mb": 300,
            "latency_ms_p99": 100,
            "checkpoint_ms_median": 50,
        }
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                p.terminate()
        for p in procs:
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
            for stream in (p.stdout, p.stderr):
                if stream is not None:
                    stream.close()
        shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps(result))
    return 0


def main(argv: list[str] | None = None) -> int:
    """`python -m wallboard.bench.hub pbx|readers JSON`: one of the bench's processes."""
    role, rest = child_role(sys.argv[1:] if argv is None else argv, ("pbx", "readers"))
    if role == "pbx":
        run = run_pbx(child_options(StampingPbxOptions, rest))
    else:
        run = run_readers(child_options(ReaderOptions, rest))
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
