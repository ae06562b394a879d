"""Command-line entry point.

Every command's implementation is imported lazily inside its handler, so
headless commands (`snapshot`, `record`, `sim`, `bench ingest`) never pay for
importing Textual, and `--help` stays instant.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from wallboard import __version__
from wallboard.cli.options import (
    ConnectFlags,
    ConnectOptions,
    DemoOptions,
    RecordOptions,
    ReplayOptions,
    ReportOptions,
    SnapshotOptions,
    StoreOptions,
    UiOptions,
)
from wallboard.errors import EXIT_USAGE, WallboardError

DIALECTS = ("v12", "v16", "v22")


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 0 or value != value or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0: {text!r}")
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text!r}")
    return value


def _add_auth(p: argparse.ArgumentParser) -> None:
    """Auth options per CONTRACT.md; deliberately no --password flag on the client side."""
    g = p.add_argument_group("authentication")
    who = g.add_mutually_exclusive_group()
    who.add_argument("--user", metavar="NAME", help="v12 tenant name, v16+ username")
    who.add_argument("--extension", metavar="NUMBER", help="authenticate as an extension")
    g.add_argument("--domain", metavar="DOMAIN", help="SIP domain of the tenant (v16+)")
    g.add_argument(
        "--password-env",
        metavar="VAR",
        default=None,
        help="environment variable holding the password (default WALLBOARD_PASSWORD)",
    )
    g.add_argument("--password-file", metavar="PATH", help="file whose first line is the password")
    g.add_argument("--ca-file", metavar="PATH", help="CA bundle to verify a wss:// PBX")
    g.add_argument(
        "--insecure",
        action="store_true",
        default=None,
        help="do not verify the PBX certificate (shown on screen)",
    )
    g.add_argument(
        "--dialect",
        choices=("auto", *DIALECTS),
        default=None,
        help="protocol generation (default auto: path /wsi = v22, else v16)",
    )
    g.add_argument("--extensions", metavar="LIST", help="extensions to watch: 101,102,110-119")
    g.add_argument("--queues", metavar="LIST", help="queues to watch: 8001,8002")
    g.add_argument("--tenants", metavar="LIST", help="v22 system admin: tenant ids for global_*")
    g.add_argument("--config", metavar="PATH", help="TOML config file (flags override it)")


def _add_sim_options(p: argparse.ArgumentParser, *, demo: bool) -> None:
    p.add_argument("--dialect", choices=DIALECTS, default="v12", help="protocol generation")
    p.add_argument("--agents", type=_count, default=40 if demo else 50, help="extensions")
    p.add_argument("--queues", type=_count, default=4 if demo else 5, help="queues")
    p.add_argument("--seed", type=int, default=1, help="random seed (same seed, same traffic)")
    p.add_argument(
        "--speed", type=_positive_float, default=1.0, help="virtual-clock multiplier (1 = real)"
    )
    p.add_argument(
        "--rate",
        type=_positive_float,
        default=None,
        help="new calls per virtual second (default 0.0125 x agents: most agents busy)",
    )


def _add_names(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--names",
        metavar="FILE",
        help="CSV number,name: display names that win over the PBX's",
    )


def _add_ui_options(p: argparse.ArgumentParser, *, config: bool = True) -> None:
    p.add_argument(
        "--bell", action="store_true", help="ring the terminal bell on an SLA breach (key: b)"
    )
    _add_names(p)
    if config:
        p.add_argument("--config", metavar="PATH", help="TOML config file (thresholds)")


def _add_store(p: argparse.ArgumentParser, *, default: bool) -> None:
    """--db / --no-db (CONTRACT.md): `default` says whether a store is kept without --db."""
    if default:
        g = p.add_mutually_exclusive_group()
        g.add_argument(
            "--db",
            metavar="PATH",
            help="the store file (default: one per PBX login in the data dir)",
        )
        g.add_argument("--no-db", action="store_true", help="keep nothing: no store")
    else:
        p.add_argument("--db", metavar="PATH", help="also keep the day in this store file")


def _store(args: argparse.Namespace) -> StoreOptions:
    return StoreOptions(db=getattr(args, "db", None), no_db=bool(getattr(args, "no_db", False)))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wallboard",
        description="A terminal wallboard for PortSIP PBX call centers.",
    )
    parser.add_argument("--version", action="version", version=f"wallboard {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("demo", help="the TUI on the embedded simulator")
    _add_sim_options(p, demo=True)
    _add_ui_options(p)
    p.set_defaults(handler=_run_demo)

    p = sub.add_parser("connect", help="the TUI on a real PBX")
    p.add_argument("url", nargs="?", help="ws:// or wss:// URL of the PBX (or from the config)")
    _add_auth(p)
    p.add_argument("--record", metavar="FILE", help="also record every received frame to FILE")
    _add_store(p, default=True)
    _add_ui_options(p, config=False)
    p.set_defaults(handler=_run_connect)

    p = sub.add_parser("replay", help="the TUI fed from a recording")
    p.add_argument("file", help="recording (.jsonl) to replay")
    p.add_argument(
        "--speed",
        type=_positive_float,
        default=1.0,
        help="time multiplier; 0 = as fast as possible",
    )
    _add_store(p, default=False)
    _add_ui_options(p)
    p.set_defaults(handler=_run_replay)

    p = sub.add_parser("record", help="write every received frame to a file (no TUI)")
    p.add_argument("url", nargs="?", help="ws:// or wss:// URL of the PBX")
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="recording to write")
    _add_auth(p)
    p.set_defaults(handler=_run_record)

    p = sub.add_parser("snapshot", help="print the state document as JSON and exit")
    p.add_argument("url", nargs="?", help="ws:// or wss:// URL of the PBX")
    p.add_argument("--replay", metavar="FILE", help="build the state from a recording instead")
    p.add_argument(
        "--wait", type=_positive_float, default=5.0, help="seconds to collect after subscribing"
    )
    _add_store(p, default=False)
    _add_auth(p)
    _add_names(p)
    p.set_defaults(handler=_run_snapshot)

    p = sub.add_parser("report", help="the store's intervals, agents, calls or abandoned callers")
    p.add_argument("kind", choices=("intervals", "agents", "calls", "abandoned"))
    p.add_argument("--db", metavar="PATH", help="the store (default: the config's PBX profile)")
    when = p.add_mutually_exclusive_group()
    when.add_argument("--date", metavar="YYYY-MM-DD", help="one day (default: today)")
    when.add_argument("--from", dest="date_from", metavar="DATE", help="first day of a range")
    p.add_argument("--to", dest="date_to", metavar="DATE", help="last day of a range")
    p.add_argument("--queue", dest="queues", metavar="LIST", help="queues: 8001,8002")
    p.add_argument(
        "--format", choices=("table", "csv", "json"), help="default: table on a terminal, else csv"
    )
    p.add_argument("--config", metavar="PATH", help="TOML config file (time zone, targets)")
    p.set_defaults(handler=_run_report)

    p = sub.add_parser("sim", help="the PBX simulator alone (a WSI server)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on")
    p.add_argument("--port", type=int, default=8885, help="port to listen on (0 = any free)")
    _add_sim_options(p, demo=False)
    p.add_argument("--password", default="demo", help="password of every simulated account")
    p.add_argument("--tls-cert", metavar="FILE", help="certificate (PEM) to serve wss://")
    p.add_argument("--tls-key", metavar="FILE", help="private key (PEM) for --tls-cert")
    p.set_defaults(handler=_run_sim)

    p = sub.add_parser("serve", help="the wallboard in web browsers (TV screens)")
    p.add_argument("--listen", metavar="HOST:PORT", help="address (default 127.0.0.1:8000)")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--hub", metavar="URL", help="every tab is a viewer of this hub")
    src.add_argument("--demo", action="store_true", help="tabs show the embedded simulator")
    tok = p.add_mutually_exclusive_group()
    tok.add_argument(
        "--token-env", metavar="VAR", help="serve's own hub token (default WALLBOARD_TOKEN)"
    )
    tok.add_argument(
        "--token-file", metavar="PATH", help="file whose first line is serve's hub token"
    )
    p.add_argument("--tokens", metavar="FILE", help="the hub's token file: browsers need a token")
    p.add_argument("--max-tabs", type=_count, default=20, help="browser tabs at most (default 20)")
    p.add_argument(
        "--bell", action="store_true", help="tabs play a tone on an SLA breach (URL bell=0/1)"
    )
    p.set_defaults(handler=_run_serve)

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
    return parser


def connect_flags(args: argparse.Namespace) -> ConnectFlags:
    """The connection flags of a live command (None where not given: the config decides)."""
    get = lambda name: getattr(args, name, None)  # noqa: E731
    return ConnectFlags(
        url=get("url"),
        dialect=get("dialect"),
        user=get("user"),
        extension=get("extension"),
        domain=get("domain"),
        extensions=get("extensions"),
        queues=get("queues"),
        tenants=get("tenants"),
        password_env=get("password_env"),
        password_file=get("password_file"),
        ca_file=get("ca_file"),
        insecure=get("insecure"),
        config=get("config"),
    )


def _ui(args: argparse.Namespace) -> UiOptions:
    return UiOptions(
        bell=bool(getattr(args, "bell", False)),
        config=getattr(args, "config", None),
        names=getattr(args, "names", None),
    )


def _run_demo(args: argparse.Namespace) -> int:
    from wallboard.cli.run_tui import run_demo

    return run_demo(
        DemoOptions(
            dialect=args.dialect,
            agents=args.agents,
            queues=args.queues,
            seed=args.seed,
            speed=args.speed,
            rate=args.rate,
            ui=_ui(args),
        )
    )


def _run_connect(args: argparse.Namespace) -> int:
    from wallboard.cli.run_tui import run_connect

    return run_connect(
        ConnectOptions(
            flags=connect_flags(args), record=args.record, ui=_ui(args), store=_store(args)
        )
    )


def _run_replay(args: argparse.Namespace) -> int:
    from wallboard.cli.run_tui import run_replay

    return run_replay(
        ReplayOptions(file=args.file, speed=args.speed, ui=_ui(args), store=_store(args))
    )


def _run_record(args: argparse.Namespace) -> int:
    from wallboard.cli.run_headless import run_record

    return run_record(RecordOptions(flags=connect_flags(args), output=args.output))


def _run_snapshot(args: argparse.Namespace) -> int:
    from wallboard.cli.run_headless import run_snapshot

    return run_snapshot(
        SnapshotOptions(
            flags=connect_flags(args),
            replay=args.replay,
            wait=args.wait,
            names=args.names,
            store=_store(args),
        )
    )


def _run_report(args: argparse.Namespace) -> int:
    from wallboard.cli.run_report import run_report

    return run_report(
        ReportOptions(
            kind=args.kind,
            db=args.db,
            date=args.date,
            date_from=args.date_from,
            date_to=args.date_to,
            queues=args.queues,
            format=args.format,
            config=args.config,
        )
    )


def _run_sim(args: argparse.Namespace) -> int:
    from wallboard.sim import SimConfig
    from wallboard.sim.command import run_sim, tls_context

    return run_sim(
        SimConfig(
            dialect=args.dialect,
            agents=args.agents,
            queues=args.queues,
            seed=args.seed,
            speed=args.speed,
            rate=args.rate,
            password=args.password,
            host=args.host,
            port=args.port,
            ssl_context=tls_context(args.tls_cert, args.tls_key),
        )
    )


def _run_serve(args: argparse.Namespace) -> int:
    from wallboard.serve.command import run_serve

    return run_serve(args)


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


def _run_bench_ui(args: argparse.Namespace) -> int:
    from wallboard.bench.ui import run_bench_ui

    return run_bench_ui(args)


def _run_bench_store(args: argparse.Namespace) -> int:
    from wallboard.bench.store import run_bench_store

    return run_bench_store(args)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except WallboardError as exc:
        if args.debug:
            raise
        print(f"wallboard: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # stdout went away (e.g. `| head`): not an error worth a traceback.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except Exception as exc:
        if args.debug:
            raise
        print(f"wallboard: unexpected error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())


__all__ = ["EXIT_USAGE", "build_parser", "main"]
