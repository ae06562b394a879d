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
SQL_AGENT_DAY = (
    "INSERT OR REPLACE INTO agent_days (day, agent, answered, missed, state, since, state_s,"
    " first_login, last_logout, last_session, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
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
        self.dropped = 0
        self._queue_ids: dict[str, int] = {}
        self._queue_meta: dict[str, tuple[Any, ...]] = {}
        self._agent_ids: dict[tuple[str, str], int] = {}
        self._agent_names: dict[tuple[str, str], str | None] = {}

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
        self.dropped += batch.dropped
        if self.failing is not None:
            self.failing = None
            self.on_problem(None)

    def _rollback(self) -> None:
        # Ids handed out inside the failed transaction do not exist.
        self._queue_ids.clear()
        self._queue_meta.clear()
        self._agent_ids.clear()
        self._agent_names.clear()
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

    def _agent_id(self, key: tuple[str, str], name: str | None, name_known: bool) -> int:
        c = self.conn
        known = self._agent_ids.get(key)
        if known is not None and (not name_known or self._agent_names.get(key) == name):
            return known
        c.execute(
            "INSERT INTO agents (tenant_id, number, name) VALUES (?, ?, ?)"
            " ON CONFLICT (tenant_id, number) DO UPDATE SET name = coalesce(excluded.name, name)",
            (key[0], key[1], name),
        )
        row = c.execute("SELECT id FROM agents WHERE tenant_id = ? AND number = ?", key).fetchone()
        self._agent_ids[key] = int(row[0])
        if name_known:
            self._agent_names[key] = name
        return int(row[0])

    def _commit(self, b: Batch) -> None:
        c = self.conn
        c.execute("BEGIN IMMEDIATE")
        for qid, meta in b.queues.items():
            self._queue_id(qid, meta)
        qref = self._queue_id
        c.executemany(
            SQL_INTERVAL,
            [
                (day, qref(qid, None), start, *vals)
                for (day, qid, start), vals in b.intervals.items()
            ],
        )
        c.executemany(
            SQL_QUEUE_DAY,
            [(day, qref(qid, None), *vals) for (day, qid), vals in b.queue_days.items()],
        )
        rows = []
        for (day, tenant, number), v in b.agents.items():
            key = (tenant, number)
            aid = self._agent_id(key, b.names.get(key), key in b.names)
            answered, missed, state, since, state_s, first, last, session, updated = v
            rows.append(
                (
                    day,
                    aid,
                    answered,
                    missed,
                    state,
                    since,
                    orjson.dumps(state_s).decode(),
                    first,
                    last,
                    session,
                    updated,
                )
            )
        c.executemany(SQL_AGENT_DAY, rows)
        c.executemany(
            "INSERT OR IGNORE INTO offered (day, queue, session_id) VALUES (?, ?, ?)",
            [(day, qref(qid, None), sid) for day, qid, sid in b.offered],
        )
        c.executemany(
            "INSERT OR REPLACE INTO visits (session_id, queue, outcome, wait, at)"
            " VALUES (?, ?, ?, ?, ?)",
            b.visits,
        )
        if b.calls:
            c.executemany(SQL_CALL, b.calls)
            c.executemany("DELETE FROM visits WHERE session_id = ?", [(row[1],) for row in b.calls])
        for day, d in b.days.items():
            c.execute(
                SQL_DAY,
                (
                    day,
                    d.counting_since,
                    orjson.dumps(d.finished).decode(),
                    d.reroutes,
                    orjson.dumps(d.coverage).decode(),
                    orjson.dumps(d.trunk_flaps).decode(),
                    "{}" if d.trends is None else orjson.dumps(d.trends).decode(),
                    d.updated,
                ),
            )
            if d.trends is not None:
                c.execute(
                    "UPDATE days SET trends = ? WHERE day = ?",
                    (orjson.dumps(d.trends).decode(), day),
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
