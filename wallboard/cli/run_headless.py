"""Runners of the headless commands: `snapshot` and `record` (no Textual import here)."""

from __future__ import annotations

import asyncio
import sys
import time
from typing import Any

import orjson

from wallboard.cli.history import Import, detach, open_store, pumped
from wallboard.cli.options import RecordOptions, SnapshotOptions, StoreOptions
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
from wallboard.feed.replay import open_input, replay_into
from wallboard.model import state_document
from wallboard.store import db_path_from_options


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
        if opts.store.db:
            print_document(_import(state, opts.replay, opts.store, config))
            return 0
        replay_into(state, opts.replay)
        print_document(state_document(state))
        return 0
    # No URL on the command line: the config file may have one (settings_from_flags
    # says "no PBX URL" when neither does).
    settings = settings_from_flags(opts.flags, config)
    state = live_state(config)
    state.names.set_overrides(overrides)
    store = open_store(db_path_from_options(opts.store.db, False), state, config)
    try:
        doc = asyncio.run(pumped(store, snapshot_live(settings, opts.wait, state=state)))
    finally:
        detach(store)
    print_document(doc)
    return 0


def _import(state: Any, file: str, opts: StoreOptions, config: Any) -> dict[str, Any]:
    """`snapshot --replay FILE --db PATH`: the recording into the history, counted once."""
    open_input(file).close()  # unreadable → exit 2 before the store is touched
    store = open_store(db_path_from_options(opts.db, False), state, config)
    imp = Import(store, file)
    target = imp.active
    if target is None:
        replay_into(state, file)
        return state_document(state)
    # The recording's span was watched (its coverage), from its first event on.
    state.source.status = "connected"
    state.source_changed()
    first: list[float] = []
    last_pump = time.monotonic()

    def each_second() -> None:
        nonlocal last_pump
        if not first and state.latest_event_time is not None:
            first.append(state.latest_event_time)
        state.tick()
        if time.monotonic() - last_pump >= 1.0:
            last_pump = time.monotonic()
            target.pump()

    try:
        replay_into(state, file, each_second=each_second)
        state.source_changed()  # finished: the watched period ends at the last event
        imp.done(state, first[0] if first else None)
        return state_document(state)
    finally:
        detach(target)


def run_record(opts: RecordOptions) -> int:
    """`wallboard record URL -o FILE`: every received frame to FILE until Ctrl+C / SIGTERM."""
    settings = settings_from_flags(opts.flags)
    frames = asyncio.run(record_live(settings, opts.output))
    stderr_line(f"recorded {frames} frames to {opts.output}")
    return 0


__all__ = ["print_document", "run_record", "run_snapshot"]
