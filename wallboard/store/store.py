"""The store facade: open (restore, attach, hooks), pump about once a second, close.

    store = Store.open(path, state, config)      # before the first frame
    task = asyncio.create_task(store.run())      # on the model's loop
    ...
    task.cancel(); store.close()                 # final flush

Everything that touches the model (taking the outbox, copying rows,
restoring a day) runs on the caller's loop; a writer thread commits. A
store that cannot be used (read-only place, locked by another wallboard,
disk full later) says so in one line and the wallboard keeps the day in
memory: `store.active` is False (or `store.problem` is set) and every call
stays safe. Only a store from a newer wallboard is refused (StoreTooNew,
exit status 2), because writing to it could damage it.
"""

from __future__ import annotations

import asyncio
import datetime as _dt
import hashlib
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wallboard.model.calendar import usable_time
from wallboard.model.checkpoint import restore_day
from wallboard.store import schema
from wallboard.store.batch import Batch, take
from wallboard.store.lock import StoreLock
from wallboard.store.restore import load_day
from wallboard.store.writer import Writer, describe

if TYPE_CHECKING:
    from wallboard.config import Config
    from wallboard.model.state import WallboardState

PUMP_SECONDS = 1.0
TREND_SECONDS = 60.0  # the sparkline's samples are written once a minute
VISITS_KEEP_SECONDS = 2 * 86400.0


def stderr_warn(text: str) -> None:
    print(f"wallboard: {text}", file=sys.stderr, flush=True)


def connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    """A connection with the store's settings (autocommit: transactions are explicit)."""
    if readonly:
        conn = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None, timeout=5.0
        )
    else:
        conn = sqlite3.connect(
            str(path), isolation_level=None, timeout=5.0, check_same_thread=False
        )
    conn.execute("PRAGMA busy_timeout = 5000")
    return conn


def file_digest(path: str | Path) -> str:
    """SHA-256 of a recording: the same file imported twice is recognised."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


class Store:
    """The day of record of one model in one file. Construct with `Store.open()`."""

    def __init__(
        self,
        path: Path | None,
        state: WallboardState,
        *,
        keep_days: int = 400,
        keep_call_days: int = 35,
        warn: Callable[[str], None] = stderr_warn,
    ) -> None:
        self.path = path
        self.state = state
        self.keep_days = keep_days
        self.keep_call_days = keep_call_days
        self.warn = warn
        # Called on the model's loop with a problem line, or None when it is over.
        self.on_problem: Callable[[str | None], None] | None = None
        self.problem: str | None = None
        self.restored_day: str | None = None
        self.restore_seconds: float | None = None
        self.pumps = 0
        self.pump_seconds = 0.0
        self._writer: Writer | None = None
        self._read: sqlite3.Connection | None = None
        self._lock: StoreLock | None = None
        self._day: str | None = None
        self._trend_at = 0.0
        self._pruned_for: str | None = None
        self._writer_problem: tuple[int, str | None] = (0, None)
        self._seen_problem = 0
        self._closed = False
        self._open_visits: dict[str, None] = {}

    # ------------------------------------------------------------------ open
    @classmethod
    def open(
        cls,
        path: str | Path | None,
        state: WallboardState,
        config: Config | None = None,
        *,
        warn: Callable[[str], None] = stderr_warn,
    ) -> Store:
        """Open (or create) the store at `path` for `state`; `path=None`: no store at all.

        Call before the model's first frame: the store then restores what it
        holds of the day as that day begins (`state.on_new_day`), and writes
        each day out as it ends (`state.on_rollover`). Raises StoreTooNew for a
        store of a newer wallboard; every other problem is one warning line
        and a store that keeps nothing (`active` False).
        """
        kw: dict[str, Any] = {"warn": warn}
        if config is not None:
            kw.update(keep_days=config.keep_days, keep_call_days=config.keep_call_days)
        store = cls(Path(path) if path is not None else None, state, **kw)
        if store.path is not None:
            meta = {
                "app": "wallboard",
                "timezone": (config.timezone or "") if config is not None else "",
                "interval_minutes": str(state.calendar.interval_minutes),
            }
            store._open_file(store.path, meta)
        return store

    def _open_file(self, path: Path, meta: dict[str, str]) -> None:
        why = self._prepare_place(path)
        if why is not None:
            self._give_up(f"cannot use the store {path}: {why}")
            return
        lock = StoreLock(path)
        try:
            holder = lock.acquire()
        except OSError as exc:
            self._give_up(f"cannot use the store {path}: {exc.strerror or exc}")
            return
        if holder is not None:
            self._give_up(f"the store {path} is in use by another wallboard ({holder})")
            return
        self._lock = lock
        try:
            conn = self._connect_checked(path)
            schema.migrate(conn, schema.check(conn), meta)
            self._read = connect(path)
        except schema.StoreTooNew:
            lock.release()
            raise
        except (sqlite3.Error, OSError) as exc:
            lock.release()
            self._lock = None
            self._give_up(f"cannot use the store {path}: {describe(exc)}")
            return
        self._writer = Writer(conn, self._writer_says)
        self._writer.start()
        st = self.state
        st.attach_outbox()
        st.on_new_day.append(self._new_day)
        st.on_rollover.append(self._rollover)
        if st.counting_since is not None:
            # Opened on a model that already counts a day: write all of it, restore nothing.
            self._day = st.calendar.day(st.counting_since)
            self._mark_everything()
            self._plan_prune()

    def _prepare_place(self, path: Path) -> str | None:
        """Why the file cannot be created or opened for writing, or None."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if path.is_dir():
                return "it is a directory"
            if not path.exists():
                with path.open("ab"):
                    pass
            elif not _writable(path):
                return "the file is read-only"
        except OSError as exc:
            return exc.strerror or str(exc)
        return None

    def _connect_checked(self, path: Path) -> sqlite3.Connection:
        """The write connection, after moving an unreadable file aside (CONTRACT.md)."""
        why = schema.file_problem(path)
        if why is None:
            conn = connect(path)
            try:
                schema.check(conn)  # before anything writes to a file that may not be ours
                conn.execute("PRAGMA journal_mode = WAL").fetchone()
                conn.execute("PRAGMA synchronous = NORMAL")
                return conn
            except schema.StoreTooNew:
                conn.close()
                raise
            except schema.StoreUnusable as exc:
                conn.close()
                why = str(exc)
            except sqlite3.DatabaseError as exc:
                conn.close()
                if isinstance(exc, sqlite3.OperationalError) and "readonly" in str(exc):
                    raise
                why = describe(exc)
        aside = schema.rename_aside(path)
        self.warn(
            f"the store {path} could not be read ({why}): moved it to {aside.name} "
            "and started a fresh store"
        )
        conn = connect(path)
        conn.execute("PRAGMA journal_mode = WAL").fetchone()
        conn.execute("PRAGMA synchronous = NORMAL")
        return conn

    def _give_up(self, line: str) -> None:
        self.problem = f"{line}; today is kept in memory only"
        self.warn(self.problem)

    @property
    def active(self) -> bool:
        """True while the store is attached and writing (it may be retrying after a fault)."""
        return self._writer is not None and not self._closed

    # ----------------------------------------------------------- the hooks
    def _new_day(self, state: WallboardState) -> None:
        """A day begins: load what the store holds of it (a restart, or a second import)."""
        assert state.counting_since is not None
        day = state.calendar.day(state.counting_since)
        first = self._day is None
        self._day = day
        t0 = time.perf_counter()
        try:
            data = load_day(self._read, day) if self._read is not None else None
        except sqlite3.Error as exc:
            self._report(f"the store {self.path} could not be read ({describe(exc)})")
            data = None
        if data is not None:
            restore_day(state, data)
            self.restored_day = day
            for sid, visit in data["visits"]:
                if not visit["recorded"]:
                    self._open_visits[sid] = None
        self.restore_seconds = time.perf_counter() - t0
        if not first and state.outbox is not None:
            # Midnight: agents begin the new day in the state they are in; write them.
            state.outbox.agents.update(state.agent_days)
        self._plan_prune()

    def _rollover(self, state: WallboardState, midnight: float) -> None:
        """The day ends: everything of it goes out before the model resets."""
        self.pump(trends=True)

    def _mark_everything(self) -> None:
        st = self.state
        out = st.outbox
        if out is None:
            return
        for q in st.queues.values():
            out.intervals.update((q.queue_id, start) for start in q.intervals)
            out.offered.extend((q.queue_id, sid) for sid in q.seen)
        out.agents.update(st.agent_days)
        out.calls.extend(st.day_calls)

    def _plan_prune(self) -> None:
        day = self._day
        if day is None or day == self._pruned_for:
            return
        self._pruned_for = day
        d = _dt.date.fromisoformat(day)
        keep = (d - _dt.timedelta(days=self.keep_days - 1)).isoformat()
        keep_calls = (d - _dt.timedelta(days=self.keep_call_days - 1)).isoformat()
        keep_offers = (d - _dt.timedelta(days=1)).isoformat()
        now = self.state.now()
        before = (now if usable_time(now) else time.time()) - VISITS_KEEP_SECONDS
        self._pending_prune = (keep, keep_calls, keep_offers, before)

    # ---------------------------------------------------------------- pump
    _pending_prune: tuple[str, str, str, float] | None = None

    def pump(self, *, trends: bool = False) -> None:
        """Hand what changed since the last pump to the writer (on the model's loop)."""
        writer = self._writer
        if writer is None or self._closed:
            return
        self._check_writer()
        st = self.state
        day = self._day
        if day is None or st.counting_since is None:
            return  # no day yet: nothing has been counted
        t0 = time.perf_counter()
        mono = time.monotonic()
        if mono - self._trend_at >= TREND_SECONDS:
            trends = True
        if trends:
            self._trend_at = mono
        batch = take(st, day, trends=trends, open_visits=self._open_visits)
        if self._pending_prune is not None:
            batch.prune, self._pending_prune = self._pending_prune, None
        writer.submit(batch)
        self.pumps += 1
        self.pump_seconds += time.perf_counter() - t0

    async def run(self, every: float = PUMP_SECONDS) -> None:
        """Pump every `every` seconds until cancelled (then call `close()`)."""
        while not self._closed:
            await asyncio.sleep(every)
            self.pump()

    def close(self) -> None:
        """The final pump, then wait for the writer to commit it (a few seconds at most)."""
        if self._closed:
            return
        writer = self._writer
        if writer is not None:
            self.pump(trends=True)
            self._closed = True
            if not writer.finish():
                self.warn(f"the store {self.path} did not finish writing in time")
            elif writer.pending:
                self.warn(
                    f"the store {self.path} could not save the last changes "
                    f"({writer.failing or 'write failed'})"
                )
        self._closed = True
        if self._read is not None:
            self._read.close()
            self._read = None
        if self._lock is not None:
            self._lock.release()
            self._lock = None
        st = self.state
        st.outbox = None  # nobody takes it any more: stop keeping it
        if self._new_day in st.on_new_day:
            st.on_new_day.remove(self._new_day)
        if self._rollover in st.on_rollover:
            st.on_rollover.remove(self._rollover)

    # ------------------------------------------------------------- imports
    def imported(self, digest: str) -> float | None:
        """When a recording with this digest went into the store before, or None."""
        if self._read is None:
            return None
        try:
            row = self._read.execute(
                "SELECT imported FROM imports WHERE digest = ?", (digest,)
            ).fetchone()
        except sqlite3.Error:
            return None
        return None if row is None else float(row[0])

    def note_import(
        self, digest: str, name: str, frames: int, first: float | None, last: float | None
    ) -> None:
        """Remember a recording as imported (written with the next batch)."""
        if self._writer is None or self._closed:
            return
        b = Batch()
        b.imports.append((digest, name, frames, first, last, time.time()))
        self._writer.submit(b)

    # ------------------------------------------------------------ problems
    def _writer_says(self, problem: str | None) -> None:
        """From the writer thread: only stored here, reported on the loop by `pump`."""
        seq, _ = self._writer_problem
        self._writer_problem = (seq + 1, problem)

    def _check_writer(self) -> None:
        seq, problem = self._writer_problem
        if seq == self._seen_problem:
            return
        self._seen_problem = seq
        if problem is None:
            self.problem = None
            self._notify(None)
            self.warn(f"the store {self.path} is writing again")
        else:
            self._report(f"cannot write the store {self.path}: {problem}")

    def _report(self, line: str) -> None:
        self.problem = f"{line}; today is kept in memory and written when it can be"
        self.warn(self.problem)
        self._notify(self.problem)

    def _notify(self, problem: str | None) -> None:
        if self.on_problem is not None:
            self.on_problem(problem)

    @property
    def stats(self) -> dict[str, Any]:
        w = self._writer
        return {
            "pumps": self.pumps,
            "pump_s": round(self.pump_seconds, 4),
            "commits": w.commits if w else 0,
            "commit_s": round(w.commit_seconds, 4) if w else 0.0,
            "writer_cpu_s": round(w.cpu_seconds, 4) if w else 0.0,
            "dropped": w.dropped if w else 0,
        }


def _writable(path: Path) -> bool:
    import os

    return os.access(path, os.W_OK)


__all__ = ["PUMP_SECONDS", "Store", "connect", "file_digest", "stderr_warn"]
