"""The store, wired into the runners: which file, opened when, pumped where, closed how.

`connect` (and `hub`) keep a store by default, `snapshot` and `replay` only
with `--db` (CONTRACT.md). A store is opened before Textual takes the
terminal, so its warnings are plain stderr lines; once the TUI runs, its
problems go to the alert bar instead (`attach_to_app`).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable
from pathlib import Path
from typing import Any, TypeVar

from wallboard.cli.options import StoreOptions
from wallboard.config import Config
from wallboard.model.state import WallboardState
from wallboard.store import Store, db_path_from_options, default_db_path, file_digest, identity_of
from wallboard.store.store import stderr_warn

T = TypeVar("T")


def live_store_path(opts: StoreOptions, settings: Any) -> Path | None:
    """The store of a live command: --db, --no-db, or the PBX login's default file."""
    default = default_db_path(
        settings.url, identity_of(settings.user, settings.extension, settings.domain)
    )
    return db_path_from_options(opts.db, opts.no_db, default)


def open_store(path: Path | None, state: WallboardState, config: Config) -> Store | None:
    """None without a path; a store that may be inactive (it said why) otherwise."""
    if path is None:
        return None
    return Store.open(path, state, config)


async def pumped(store: Store | None, work: Awaitable[T]) -> T:
    """Run `work` with the store pumping beside it on this loop."""
    if store is None or not store.active:
        return await work
    pump = asyncio.create_task(store.run())
    try:
        return await work
    finally:
        pump.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await pump


def attach_to_app(store: Store | None, app: Any) -> None:
    """While the TUI runs, store problems show in the alert bar, not on stderr."""
    if store is None:
        return
    # The History page reads past days through its own read-only connection,
    # opened here on the thread the app runs on (SQLite keeps to its thread).
    app.history_path = store.path if store.active else None
    if store.active:
        from wallboard.store.reader import Reader
        from wallboard.ui.historysource import StoreSource

        try:
            app.history_source.past = StoreSource(Reader(store.path))
        except Exception as exc:  # a store it cannot read: the page shows today only
            app.feed_info.store = f"history of other days unavailable: {type(exc).__name__}"
    info = app.feed_info

    def problem(text: str | None) -> None:
        info.store = text or ""

    store.on_problem = problem
    store.warn = lambda _text: None
    if store.problem:
        info.store = store.problem


def detach(store: Store | None) -> None:
    """After the TUI: close (final flush) with warnings on stderr again."""
    if store is None:
        return
    store.warn = stderr_warn
    store.on_problem = None
    store.close()


class Import:
    """A recording going into a store: counted once, however often it is imported."""

    def __init__(self, store: Store | None, file: str | Path) -> None:
        self.store = store
        self.file = Path(file)
        self.digest = ""
        self.skip = False
        if store is None or not store.active:
            return
        self.digest = file_digest(self.file)
        when = store.imported(self.digest)
        if when is not None:
            stamp = time.strftime("%Y-%m-%d %H:%M", time.localtime(when))
            store.warn(
                f"{self.file.name} is already in the store {store.path} (imported {stamp}): "
                "shown again, not counted again"
            )
            self.skip = True
            store.close()
        else:
            store.note_import(self.digest, self.file.name, 0, None, None)

    @property
    def active(self) -> Store | None:
        """The store to pump, or None when nothing is written."""
        return None if self.skip else self.store

    def done(self, state: WallboardState, first: float | None) -> None:
        store = self.active
        if store is not None and store.active:
            store.note_import(
                self.digest, self.file.name, state.frames, first, state.latest_event_time
            )


__all__ = ["Import", "attach_to_app", "detach", "live_store_path", "open_store", "pumped"]
