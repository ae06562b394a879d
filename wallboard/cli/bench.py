"""`wallboard bench …`: the benchmarks' command lines, each turned into its options dataclass.

The benchmarks themselves live in `wallboard.bench` (and `wallboard.sim.capacity`)
and never see argparse; they are imported only when run.
"""

from __future__ import annotations

import argparse
from typing import Any

from wallboard.cli.argtypes import DIALECTS
from wallboard.cli.argtypes import count as _count
from wallboard.cli.argtypes import positive_float as _positive_float
from wallboard.cli.argtypes import size as _size


def add_bench_parser(sub: Any) -> None:
    """The `bench` command and one subcommand per benchmark, on `sub` (the subparsers)."""
    p = sub.add_parser("bench", help="benchmarks; each prints one JSON object as its last line")
    bsub = p.add_subparsers(dest="bench", metavar="WHICH")
    bsub.required = True
    b = bsub.add_parser("sim", help="the simulator's own CPU and memory, in its own process")
    b.add_argument("--dialect", choices=DIALECTS, default="v16")
    b.add_argument("--agents", type=_count, default=5000, help="extensions")
    b.add_argument("--queues", type=_count, default=50)
    b.add_argument("--clients", type=_count, default=20, help="subscribed clients")
    b.add_argument("--rate", type=_positive_float, default=10.0, help="new calls per second")
    b.add_argument("--speed", type=_positive_float, default=1.0, help="virtual-clock multiplier")
    b.add_argument("--seed", type=int, default=1)
    b.add_argument("--seconds", type=_positive_float, default=40.0, help="measurement window")
    b.add_argument("--settle", type=_positive_float, default=5.0, help="seconds before measuring")
    b.set_defaults(handler=_run_bench_sim)
    b = bsub.add_parser("ingest", help="parse + apply throughput vs a bare json.loads loop")
    b.add_argument("--agents", type=_count, default=5000)
    b.add_argument("--queues", type=_count, default=50)
    b.add_argument("--events", type=_count, default=200_000)
    b.add_argument("--seed", type=int, default=1)
    b.add_argument(
        "--mix",
        action="append",
        choices=("calls", "queues", "mixed"),
        help="which stream (repeatable; default: all three): calls = v12 call lifecycles, "
        "queues = a v16 contact center, mixed = both",
    )
    b.add_argument("--runs", type=_count, default=5, help="whole-process runs per side and mix")
    b.add_argument(
        "--write",
        metavar="FILE",
        help="also write the generated stream as a recording (FILE.MIX.jsonl for several mixes)",
    )
    b.set_defaults(handler=_run_bench_ingest)
    b = bsub.add_parser("ui", help="the real app headless under a steady event storm")
    b.add_argument("--agents", type=_count, default=5000)
    b.add_argument("--queues", type=_count, default=50)
    b.add_argument("--rate", type=_positive_float, default=2000.0)
    b.add_argument("--seconds", type=_positive_float, default=30.0)
    b.add_argument("--seed", type=int, default=1)
    b.add_argument("--no-baseline", action="store_true", help="skip the DataTable baseline run")
    b.add_argument(
        "--idle-seconds", type=_positive_float, default=10.0, help="length of the idle part"
    )
    b.add_argument(
        "--replay-events",
        type=_count,
        default=200_000,
        help="events in the replay part (TUI --speed 0 against snapshot --replay)",
    )
    b.set_defaults(handler=_run_bench_ui)
    b = bsub.add_parser("hub", help="one hub, a busy PBX and many viewers: CPU, RSS, latency")
    b.add_argument("--agents", type=_count, default=5000)
    b.add_argument("--queues", type=_count, default=50)
    b.add_argument("--rate", type=_positive_float, default=2000.0, help="PBX events per second")
    b.add_argument("--viewers", type=_count, default=100, help="frame viewers")
    b.add_argument("--scoped", type=_count, default=5, help="scoped viewers (two queues)")
    b.add_argument("--seconds", type=_positive_float, default=20.0, help="measured window")
    b.add_argument(
        "--settle",
        type=_positive_float,
        default=5.0,
        help="seconds between every viewer having joined and the window",
    )
    b.add_argument(
        "--stall-at", type=_positive_float, default=5.0, help="when one more viewer stops reading"
    )
    b.add_argument("--reader-processes", type=_count, default=2)
    b.set_defaults(handler=_run_bench_hub)
    b = bsub.add_parser("store", help="ingest with and without the store; size, report, restore")
    b.add_argument("--agents", type=_count, default=5000)
    b.add_argument("--queues", type=_count, default=50)
    b.add_argument("--events", type=_count, default=200_000)
    b.add_argument("--days", type=_count, default=400, help="days of intervals in the size test")
    b.add_argument("--call-days", type=_count, default=35, help="days of calls in the size test")
    b.add_argument("--calls-per-day", type=_count, default=5000)
    b.add_argument("--kill-runs", type=_count, default=3, help="kill -9 runs")
    b.add_argument("--seed", type=int, default=1)
    b.add_argument("--dir", metavar="DIR", help="where the stores go (default: a temporary dir)")
    b.set_defaults(handler=_run_bench_store)
    b = bsub.add_parser("table", help="one big table under live updates: VirtualTable vs DataTable")
    b.add_argument(
        "--modes", default="vtable,datatable", help="comma-separated (default vtable,datatable)"
    )
    b.add_argument("--rows", type=_count, default=5000)
    b.add_argument("--updates", type=_count, default=400, help="changed rows per tick")
    b.add_argument("--hz", type=_positive_float, default=5.0, help="ticks per second")
    b.add_argument("--seconds", type=_positive_float, default=6.0, help="of updates")
    b.add_argument("--idle", type=_positive_float, default=4.0, help="then seconds of none")
    b.add_argument("--size", type=_size, default=(200, 60), metavar="WxH", help="the screen")
    b.add_argument("--seed", type=int, default=1)
    b.set_defaults(handler=_run_bench_table)


def _run_bench_ingest(args: argparse.Namespace) -> int:
    from wallboard.bench.ingest import IngestOptions, run_bench_ingest

    return run_bench_ingest(
        IngestOptions(
            agents=args.agents,
            queues=args.queues,
            events=args.events,
            seed=args.seed,
            mixes=tuple(dict.fromkeys(args.mix)) if args.mix else None,
            runs=args.runs,
            write=args.write,
        )
    )


def _run_bench_sim(args: argparse.Namespace) -> int:
    from wallboard.sim.capacity import CapacityOptions, run_capacity

    return run_capacity(
        CapacityOptions(
            dialect=args.dialect,
            agents=args.agents,
            queues=args.queues,
            clients=args.clients,
            rate=args.rate,
            speed=args.speed,
            seed=args.seed,
            seconds=args.seconds,
            settle=args.settle,
        )
    )


def _run_bench_hub(args: argparse.Namespace) -> int:
    from wallboard.bench.hub import HubBenchOptions, run_bench_hub

    return run_bench_hub(
        HubBenchOptions(
            agents=args.agents,
            queues=args.queues,
            rate=args.rate,
            viewers=args.viewers,
            scoped=args.scoped,
            seconds=args.seconds,
            settle=args.settle,
            stall_at=args.stall_at,
            reader_processes=args.reader_processes,
        )
    )


def _run_bench_ui(args: argparse.Namespace) -> int:
    from wallboard.bench.ui import UiBenchOptions, run_bench_ui

    return run_bench_ui(
        UiBenchOptions(
            agents=args.agents,
            queues=args.queues,
            rate=args.rate,
            seconds=args.seconds,
            seed=args.seed,
            idle_seconds=args.idle_seconds or 10.0,  # no idle part would divide by no time
            replay_events=args.replay_events,
            baseline=not args.no_baseline,
        )
    )


def _run_bench_store(args: argparse.Namespace) -> int:
    from wallboard.bench.store import StoreBenchOptions, run_bench_store

    return run_bench_store(
        StoreBenchOptions(
            agents=args.agents,
            queues=args.queues,
            events=args.events,
            days=args.days,
            call_days=args.call_days,
            calls_per_day=args.calls_per_day,
            kill_runs=args.kill_runs,
            seed=args.seed,
            dir=args.dir,
        )
    )


def _run_bench_table(args: argparse.Namespace) -> int:
    from wallboard.bench.table import TableOptions, run_bench_table

    return run_bench_table(
        TableOptions(
            modes=tuple(m.strip() for m in args.modes.split(",") if m.strip()),
            rows=args.rows,
            updates=args.updates,
            hz=args.hz,
            seconds=args.seconds,
            idle=args.idle,
            width=args.size[0],
            height=args.size[1],
            seed=args.seed,
        )
    )
