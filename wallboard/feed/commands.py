"""Headless commands: `snapshot` and `record` (no Textual import here)."""

from __future__ import annotations

import argparse
import sys

import orjson

from wallboard.errors import UsageError
from wallboard.feed.replay import replay_into
from wallboard.model import WallboardState, state_document


def print_document(state: WallboardState) -> None:
    sys.stdout.buffer.write(orjson.dumps(state_document(state), option=orjson.OPT_INDENT_2))
    sys.stdout.buffer.write(b"\n")
    sys.stdout.flush()


def run_snapshot(args: argparse.Namespace) -> int:
    if args.replay and args.url:
        raise UsageError("snapshot takes a URL or --replay FILE, not both")
    if args.replay:
        from wallboard.config import load_config

        # The config's SLA threshold applies to a replay as much as to a live board.
        cfg = load_config(getattr(args, "config", None))
        state = WallboardState(sla_seconds=cfg.thresholds.sla_seconds)
        replay_into(state, args.replay)
        print_document(state)
        return 0
    # No URL on the command line: the config file may have one (snapshot_url says
    # "no PBX URL" when neither does).
    from wallboard.feed.live import snapshot_url

    return snapshot_url(args)


def run_record(args: argparse.Namespace) -> int:
    from wallboard.feed.live import record_url

    return record_url(args)
