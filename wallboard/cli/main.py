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
from wallboard.cli.argtypes import DIALECTS
from wallboard.cli.argtypes import count as _count
from wallboard.cli.argtypes import positive_float as _positive_float
from wallboard.cli.bench import add_bench_parser
from wallboard.cli.options import (
    ConnectFlags,
    ConnectOptions,
    DemoOptions,
    HubOptions,
    HubSnapshotOptions,
    HubTlsOptions,
    HubTokenOptions,
    RecordOptions,
    ReplayOptions,
    ReportOptions,
    ServeOptions,
    SnapshotOptions,
    StoreOptions,
    TokenSource,
    UiOptions,
    ViewOptions,
)
from wallboard.errors import EXIT_USAGE, UsageError, WallboardError

# The TUI's pages in its order (wallboard.ui.app.PAGES; a test keeps them equal).
PAGE_NAMES = ("overview", "queues", "agents", "calls", "system", "history")


def _page(text: str) -> str:
    """`--page 2` or `--page queues` → "queues"."""
    t = text.strip().lower()
    if t.isdigit() and 1 <= int(t) <= len(PAGE_NAMES):
        return PAGE_NAMES[int(t) - 1]
    if t in PAGE_NAMES:
        return t
    raise argparse.ArgumentTypeError(f"not 1-{len(PAGE_NAMES)} or one of {', '.join(PAGE_NAMES)}")


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


def _add_ui_options(p: argparse.ArgumentParser, *, config: bool = True, names: bool = True) -> None:
    p.add_argument(
        "--bell", action="store_true", help="ring the terminal bell on an SLA breach (key: b)"
    )
    if names:  # a hub viewer shows the hub's names
        _add_names(p)
    p.add_argument(
        "--page", type=_page, metavar="PAGE", help="open on a page: 1-6 or overview, queues, ..."
    )
    p.add_argument("--wall", action="store_true", help="open in wall mode (key: w)")
    p.add_argument("--theme", metavar="NAME", help="color theme (key: t); unknown: a warning")
    if config:
        p.add_argument("--config", metavar="PATH", help="TOML config file (thresholds)")


def _add_token_options(p: argparse.ArgumentParser, *, tls: bool = True) -> None:
    """A hub token from the environment or a file: never a flag (argv is public)."""
    g = p.add_argument_group("hub token")
    tok = g.add_mutually_exclusive_group()
    tok.add_argument(
        "--token-env",
        metavar="VAR",
        help="variable holding the hub token (default WALLBOARD_TOKEN)",
    )
    tok.add_argument("--token-file", metavar="PATH", help="file whose first line is the hub token")
    if tls:
        g.add_argument("--ca-file", metavar="PATH", help="CA bundle to verify an https:// hub")
        g.add_argument(
            "--insecure",
            action="store_true",
            default=None,
            help="do not verify the hub's certificate",
        )


def build_token_parser() -> argparse.ArgumentParser:
    """`wallboard hub token add|list|revoke`: the hub's token file."""
    parser = argparse.ArgumentParser(
        prog="wallboard hub token", description="Manage the hub's token file."
    )
    parser.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    sub.required = True
    p = sub.add_parser("add", help="make a token and print it once (only its SHA-256 is kept)")
    p.add_argument("name", help="who the token is for (e.g. lobby-tv)")
    p.add_argument("--queues", metavar="LIST", help="only these queues, their agents and calls")
    p.add_argument("--tokens", metavar="FILE", required=True, help="the token file")
    p = sub.add_parser("list", help="the tokens' names, scopes and dates (never a token)")
    p.add_argument("--tokens", metavar="FILE", required=True, help="the token file")
    p = sub.add_parser("revoke", help="remove a token; its open viewers are closed")
    p.add_argument("name")
    p.add_argument("--tokens", metavar="FILE", required=True, help="the token file")
    parser.set_defaults(handler=_run_hub_token)
    return parser


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
    _add_token_options(p, tls=False)  # a hub's http(s):// URL: its /state
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
    src.add_argument(
        "--demo", action="store_true", help="tabs view a hub serve runs on the embedded simulator"
    )
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

    p = sub.add_parser(
        "hub",
        help="one PBX login for every screen: serve viewers, /state, /metrics",
        epilog="tokens: wallboard hub token add NAME [--queues LIST] --tokens FILE | "
        "wallboard hub token list --tokens FILE | wallboard hub token revoke NAME --tokens FILE",
    )
    p.add_argument("url", nargs="?", help="ws:// or wss:// URL of the PBX (or from the config)")
    _add_auth(p)
    p.add_argument("--listen", metavar="HOST:PORT", help="address (default 127.0.0.1:8890)")
    p.add_argument("--tokens", metavar="FILE", help="the token file viewers' tokens are checked in")
    _add_store(p, default=True)  # today's totals across restarts
    p.add_argument(
        "--tls-cert", metavar="FILE", help="certificate (PEM): serve https:// and wss://"
    )
    p.add_argument("--tls-key", metavar="FILE", help="private key (PEM) for --tls-cert")
    p.add_argument("--max-viewers", type=_count, default=200, help="viewers at most (default 200)")
    _add_names(p)
    p.set_defaults(handler=_run_hub)

    p = sub.add_parser("view", help="the TUI on a hub (wallboard hub)")
    p.add_argument("url", help="http:// or https:// URL of the hub")
    _add_token_options(p)
    _add_ui_options(p, names=False)
    p.set_defaults(handler=_run_view)

    add_bench_parser(sub)
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
        page=getattr(args, "page", None),
        wall=bool(getattr(args, "wall", False)),
        theme=getattr(args, "theme", None),
    )


def _token_source(args: argparse.Namespace) -> TokenSource:
    return TokenSource(env=getattr(args, "token_env", None), file=getattr(args, "token_file", None))


def _hub_tls(args: argparse.Namespace) -> HubTlsOptions:
    return HubTlsOptions(
        ca_file=getattr(args, "ca_file", None), insecure=bool(getattr(args, "insecure", False))
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


def _is_hub_url(url: str | None) -> bool:
    return bool(url) and url.split("://", 1)[0].lower() in ("http", "https")  # type: ignore[union-attr]


def _run_snapshot(args: argparse.Namespace) -> int:
    from wallboard.cli.run_headless import run_snapshot

    if _is_hub_url(args.url) and not args.replay:
        from wallboard.cli.run_hub import run_hub_snapshot

        pbx_only = ("user", "extension", "domain", "password_env", "password_file", "dialect")
        given = [name for name in pbx_only if getattr(args, name, None)]
        if given:
            raise UsageError(
                f"--{given[0].replace('_', '-')} is for a PBX, whose URL is ws:// or wss://; "
                "an http(s):// URL is a hub, which takes a token (--token-env / --token-file)"
            )

        return run_hub_snapshot(
            HubSnapshotOptions(
                url=args.url, token=_token_source(args), tls=_hub_tls(args), wait=args.wait
            )
        )
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


def _run_hub(args: argparse.Namespace) -> int:
    from wallboard.cli.run_hub import run_hub

    return run_hub(
        HubOptions(
            flags=connect_flags(args),
            listen=args.listen,
            tokens=args.tokens,
            db=args.db,
            no_db=args.no_db,
            tls_cert=args.tls_cert,
            tls_key=args.tls_key,
            max_viewers=args.max_viewers,
            names=args.names,
        )
    )


def _run_hub_token(args: argparse.Namespace) -> int:
    from wallboard.cli.run_hub import run_hub_token

    return run_hub_token(
        HubTokenOptions(
            action=args.action,
            tokens=args.tokens,
            name=getattr(args, "name", None),
            queues=getattr(args, "queues", None),
        )
    )


def _run_view(args: argparse.Namespace) -> int:
    from wallboard.cli.run_tui import run_view

    return run_view(
        ViewOptions(url=args.url, token=_token_source(args), tls=_hub_tls(args), ui=_ui(args))
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


def serve_options(args: argparse.Namespace) -> ServeOptions:
    return ServeOptions(
        hub=args.hub,
        demo=bool(args.demo),
        listen=args.listen,
        token=_token_source(args),
        tokens=args.tokens,
        max_tabs=args.max_tabs,
        bell=bool(args.bell),
    )


def _run_serve(args: argparse.Namespace) -> int:
    from wallboard.cli.run_serve import run_serve

    return run_serve(serve_options(args))


def _is_token_command(argv: Sequence[str]) -> bool:
    """`wallboard [--debug] hub token ...`: the token commands have their own parser."""
    words = [a for a in argv if a != "--debug"]
    return len(words) >= 2 and words[0] == "hub" and words[1] == "token"


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if _is_token_command(argv):
        debug = "--debug" in argv
        rest = [a for a in argv if a != "--debug"][2:]
        args = build_token_parser().parse_args(rest)
        args.debug = debug or args.debug
    else:
        args = build_parser().parse_args(argv)
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


__all__ = [
    "EXIT_USAGE",
    "PAGE_NAMES",
    "build_parser",
    "build_token_parser",
    "main",
    "serve_options",
]
