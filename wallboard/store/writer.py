"""The one writer: a thread that commits batches, so no frame ever waits on the disk.

It owns the store's write connection and sees only batches (plain values).
Batches that queue up while a commit runs are merged and committed as one.
A failed commit (disk full, I/O error) is rolled back, its batch kept and
merged into the next try, and the problem is reported once (and again when
writing works again): the wallboard keeps the day in memory meanwhile.
"""

from __future__ import annotations

import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from itertools import chain
from typing import Any

import orjson

from wallboard.model.tally import FIELDS
from wallboard.store.batch import CALL_COLUMNS, Batch

_STOP = object()
RETRY_SECONDS = 5.0  # a failed batch is tried again at least this often

_TALLY = ", ".join(FIELDS)
_TALLY_Q = ", ".join("?" for _ in FIELDS)
SQL_INTERVAL = (
    f"INSERT OR REPLACE INTO intervals (day, queue, start, {_TALLY}) VALUES (?, ?, ?, {_TALLY_Q})"
)
SQL_QUEUE_DAY = (
    f"INSERT OR REPLACE INTO queue_days (day, queue, {_TALLY}) VALUES (?, ?, {_TALLY_Q})"
)
SQL_CALL = (
    f"INSERT OR IGNORE INTO calls ({', '.join(CALL_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in CALL_COLUMNS)})"
)
SQL_DAY = (
    "INSERT INTO days (day, counting_since, finished, reroutes, coverage, trunk_flaps, trends,"
    " updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (day) DO UPDATE SET"
    " counting_since = excluded.counting_since, finished = excluded.finished,"
    " reroutes = excluded.reroutes, coverage = excluded.coverage,"
    " trunk_flaps = excluded.trunk_flaps, updated = excluded.updated"
)


def describe(exc: BaseException) -> str:
    """One line for a write failure, in the user's words."""
    text = str(exc)
    if isinstance(exc, sqlite3.OperationalError) and "full" in text:
        return "the disk is full"
    if isinstance(exc, sqlite3.OperationalError) and "readonly" in text:
        return "the file became read-only"
    if isinstance(exc, sqlite3.OperationalError) and "locked" in text:
        return "the file is locked by another program"
    if isinstance(exc, sqlite3.DatabaseError) and "malformed" in text:
        return "the file is damaged (database disk image is malformed)"
    return text or type(exc).__name__


class Writer(threading.Thread):
    """`submit(batch)` from the loop; `finish()` commits what is left and ends the thread."""

    def __init__(self, conn: sqlite3.Connection, on_problem: Callable[[str | None], None]) -> None:
        super().__init__(name="wallboard-store-writer", daemon=True)
        self.conn = conn
        self.on_problem = on_problem
        self.inbox: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self.pending: Batch | None = None
        self.failing: str | None = None
        self.commits = 0
        self.commit_seconds = 0.0
        self.cpu_seconds = 0.0  # the writer thread's own CPU time in commits
        self.dropped = 0
        self._queue_ids: dict[str, int] = {}
        self._queue_meta: dict[str, tuple[Any, ...]] = {}
        self._agent_names: dict[tuple[str, str], str | None] = {}
        self._agent_ids: dict[tuple[str, str], int] = {}
        self.max_vars = conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)

    # ------------------------------------------------------------ loop side
    def submit(self, batch: Batch) -> None:
        self.inbox.put(batch)

    def finish(self, timeout: float = 10.0) -> bool:
        """Commit what is queued and stop; False if that did not end in time."""
        self.inbox.put(_STOP)
        self.join(timeout)
        return not self.is_alive()

    # ---------------------------------------------------------- thread side
    def run(self) -> None:
        stop = False
        while not stop:
            try:
                item = self.inbox.get(timeout=RETRY_SECONDS if self.pending else None)
            except queue.Empty:
                item = None  # retry the pending batch
            batch = self.pending or Batch()
            while True:
                if item is _STOP:
                    stop = True
                elif item is not None:
                    batch.merge(item)
                try:
                    item = self.inbox.get_nowait()
                except queue.Empty:
                    break
            self.pending = batch
            if batch:
                self._try(batch)
        try:
            self.conn.close()
        except sqlite3.Error:
            pass

    def _try(self, batch: Batch) -> None:
        t0 = time.perf_counter()
        c0 = time.thread_time()
        try:
            self._commit(batch)
        except sqlite3.Error as exc:
            self._rollback()
            self.pending = batch
            problem = describe(exc)
            if problem != self.failing:
                self.failing = problem
                self.on_problem(problem)
            return
        self.pending = None
        self.commits += 1
        self.commit_seconds += time.perf_counter() - t0
        self.cpu_seconds += time.thread_time() - c0
        self.dropped += batch.dropped
        if self.failing is not None:
            self.failing = None
            self.on_problem(None)

    def _rollback(self) -> None:
        # Ids handed out inside the failed transaction do not exist.
        self._queue_ids.clear()
        self._queue_meta.clear()
        self._agent_names.clear()
        self._agent_ids.clear()
        try:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass

    def _queue_id(self, qid: str, meta: tuple[Any, ...] | None) -> int:
        c = self.conn
        known = self._queue_ids.get(qid)
        if known is not None and (meta is None or self._queue_meta.get(qid) == meta):
            return known
        if meta is not None:
            number, name, tenant, sla = meta
            c.execute(
                "INSERT INTO queues (queue_id, number, name, tenant_id, sla_threshold)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (queue_id) DO UPDATE SET"
                " number = CASE WHEN excluded.number != '' THEN excluded.number ELSE number END,"
                " name = CASE WHEN excluded.name != '' THEN excluded.name ELSE name END,"
                " tenant_id = CASE WHEN excluded.tenant_id != '' THEN excluded.tenant_id"
                " ELSE tenant_id END,"
                " sla_threshold = coalesce(excluded.sla_threshold, sla_threshold)",
                (qid, number, name, tenant, sla),
            )
            self._queue_meta[qid] = meta
        else:
            c.execute("INSERT OR IGNORE INTO queues (queue_id) VALUES (?)", (qid,))
        row = c.execute("SELECT id FROM queues WHERE queue_id = ?", (qid,)).fetchone()
        self._queue_ids[qid] = int(row[0])
        return int(row[0])

    def _agent_ids_for(self, b: Batch) -> None:
        """Agents the store has no id (or an old name) for: one multi-row upsert, one read."""
        rows = []
        for _day, tenant, number in b.agents:
            key = (tenant, number)
            name = b.names.get(key)
            if key not in self._agent_ids or self._agent_names.get(key) != name:
                rows.append((tenant, number, name))
                self._agent_names[key] = name
        if not rows:
            return
        self._many(
            "INSERT INTO agents (tenant_id, number, name)",
            3,
            rows,
            tail=" ON CONFLICT (tenant_id, number) DO UPDATE SET"
            " name = coalesce(excluded.name, name)",
        )
        self._agent_ids = {
            (t, n): i for i, t, n in self.conn.execute("SELECT id, tenant_id, number FROM agents")
        }

    def _many(
        self,
        head: str,
        ncols: int,
        rows: list[tuple[Any, ...]],
        *,
        one: str | None = None,
        tail: str = "",
    ) -> None:
        """`head VALUES (…), (…), … tail` in as few statements as SQLite allows.

        One statement per few hundred rows rather than one step per row: the
        writer then holds the GIL for the binding only, and SQLite works
        without it, so the ingest thread runs meanwhile.
        """
        if not rows:
            return
        one = one or "(" + ", ".join("?" for _ in range(ncols)) + ")"
        per = max(1, min(500, self.max_vars // ncols))
        for i in range(0, len(rows), per):
            chunk = rows[i : i + per]
            sql = f"{head} VALUES {', '.join([one] * len(chunk))}{tail}"
            self.conn.execute(sql, list(chain.from_iterable(chunk)))

    def _commit(self, b: Batch) -> None:
        c = self.conn
        c.execute("BEGIN IMMEDIATE")
        for qid, meta in b.queues.items():
            self._queue_id(qid, meta)
        for _day, qid, _start in b.intervals:
            self._queue_id(qid, None)
        for _day, qid in b.queue_days:
            self._queue_id(qid, None)
        for qid in {row[1] for row in b.offered}:
            self._queue_id(qid, None)
        qref = self._queue_ids
        n = len(FIELDS)
        self._many(
            f"INSERT OR REPLACE INTO intervals (day, queue, start, {_TALLY})",
            3 + n,
            [(day, qref[qid], start, *v) for (day, qid, start), v in b.intervals.items()],
        )
        self._many(
            f"INSERT OR REPLACE INTO queue_days (day, queue, {_TALLY})",
            2 + n,
            [(day, qref[qid], *v) for (day, qid), v in b.queue_days.items()],
        )
        self._agent_ids_for(b)
        ids = self._agent_ids
        dumps = orjson.dumps
        self._many(
            "INSERT OR REPLACE INTO agent_days (day, agent, answered, missed, state, since,"
            " state_s, first_login, last_logout, last_session, updated)",
            11,
            [(day, ids[(tenant, number)], *v) for (day, tenant, number), v in b.agents.items()],
        )
        self._many(
            "INSERT OR IGNORE INTO offered (day, queue, session_id)",
            3,
            [(day, qref[qid], sid) for day, qid, sid in b.offered],
        )
        self._many(
            "INSERT OR REPLACE INTO visits (session_id, queue, outcome, wait, at)", 5, b.visits
        )
        self._many(f"INSERT OR IGNORE INTO calls ({', '.join(CALL_COLUMNS)})", 15, b.calls)
        for i in range(0, len(b.consumed), 500):
            chunk = b.consumed[i : i + 500]
            c.execute(
                f"DELETE FROM visits WHERE session_id IN ({', '.join('?' for _ in chunk)})", chunk
            )
        for day, d in b.days.items():
            c.execute(
                SQL_DAY,
                (
                    day,
                    d.counting_since,
                    dumps(d.finished).decode(),
                    d.reroutes,
                    dumps(d.coverage).decode(),
                    dumps(d.trunk_flaps).decode(),
                    "{}" if d.trends is None else dumps(d.trends).decode(),
                    d.updated,
                ),
            )
            if d.trends is not None:
                c.execute(
                    "UPDATE days SET trends = ? WHERE day = ?", (dumps(d.trends).decode(), day)
                )
        c.executemany(
            "INSERT INTO imports (digest, name, frames, first, last, imported)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (digest) DO UPDATE SET"
            " frames = excluded.frames, first = excluded.first, last = excluded.last",
            b.imports,
        )
        if b.prune is not None:
            keep_day, keep_call_day, keep_offer_day, visits_before = b.prune
            for table in ("intervals", "queue_days", "agent_days", "days"):
                c.execute(f"DELETE FROM {table} WHERE day < ?", (keep_day,))
            c.execute("DELETE FROM calls WHERE day < ?", (keep_call_day,))
            c.execute("DELETE FROM offered WHERE day < ?", (keep_offer_day,))
            c.execute("DELETE FROM visits WHERE at < ?", (visits_before,))
        c.execute("COMMIT")


__all__ = ["RETRY_SECONDS", "Writer", "describe"]
