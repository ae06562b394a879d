"""Runners of the headless commands: `snapshot` and `record` (no Textual import here)."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import orjson

from wallboard.cli.options import RecordOptions, SnapshotOptions
from wallboard.config import load_config
from wallboard.errors import UsageError
from wallboard.feed.live import (
    live_state,
    name_overrides,
    record_live,
    settings_from_flags,
    snapshot_live,
    stderr_line,
)
from wallboard.feed.replay import replay_into
from wallboard.model import state_document


def print_document(doc: dict[str, Any]) -> None:
    sys.stdout.buffer.write(orjson.dumps(doc, option=orjson.OPT_INDENT_2))
    sys.stdout.buffer.write(b"\n")
    sys.stdout.flush()


def run_snapshot(opts: SnapshotOptions) -> int:
    if opts.replay and opts.flags.url:
        raise UsageError("snapshot takes a URL or --replay FILE, not both")
    config = load_config(opts.flags.config)
    overrides = name_overrides(config, opts.names)
    if opts.replay:
        # The config's targets and calendar apply to a replay as much as to a live board.
        state = config.new_state()
        state.names.set_overrides(overrides)
        replay_into(state, opts.replay)
        print_document(state_document(state))
        return 0
    # No URL on the command line: the config file may have one (settings_from_flags
    # says "no PBX URL" when neither does).
    settings = settings_from_flags(opts.flags, config)
    state = live_state(config)
    state.names.set_overrides(overrides)
    doc = asyncio.run(snapshot_live(settings, opts.wait, state=state))
    print_document(doc)
    return 0


def run_record(opts: RecordOptions) -> int:
    """`wallboard record URL -o FILE`: every received frame to FILE until Ctrl+C / SIGTERM."""
    settings = settings_from_flags(opts.flags)
    frames = asyncio.run(record_live(settings, opts.output))
    stderr_line(f"recorded {frames} frames to {opts.output}")
    return 0


__all__ = ["print_document", "run_record", "run_snapshot"]
