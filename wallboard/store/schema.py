"""The store's file: its schema (versioned, migrated forward) and how a file is judged.

The schema version is SQLite's `user_version`; `application_id` marks the
file as a wallboard store, so a foreign SQLite file is told apart from an
empty one. Each migration is a list of statements run in one transaction;
a file from a newer wallboard is refused (CONTRACT.md: exit status 2), an
older one is migrated forward in place.

Queue tallies are stored column by column, named as `Tally`'s fields: the
model's accumulators as they are (reports rebuild a `Tally` and call
`kpi.py`; SQL never computes a KPI). A new Tally field needs a migration
that adds its column (a test checks every field has one).
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from wallboard.errors import UsageError

APPLICATION_ID = 0x57424C44  # "WBLD"
SQLITE_MAGIC = b"SQLite format 3\x00"

_INT = "INTEGER NOT NULL DEFAULT 0"
_REAL = "REAL NOT NULL DEFAULT 0"
# Tally's fields as of schema 1, in order (frozen here: later fields come by migration).
TALLY_V1: tuple[tuple[str, str], ...] = (
    ("offered", _INT),
    ("answered", _INT),
    ("answered_unknown_wait", _INT),
    ("answered_within", _INT),
    ("abandoned", _INT),
    ("abandoned_known_wait", _INT),
    ("abandoned_within", _INT),
    ("short_abandoned", _INT),
    ("overflowed", _INT),
    ("callbacks", _INT),
    ("other", _INT),
    ("sla_breaches", _INT),
    ("answer_wait_sum", _REAL),
    ("abandon_wait_sum", _REAL),
    ("max_wait", _REAL),
    ("handled", _INT),
    ("talk_sum", _REAL),
    ("wrap_sum", _REAL),
    ("peak_waiting", _INT),
)
_TALLY_COLS = ", ".join(f"{name} {kind}" for name, kind in TALLY_V1)

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: the day of record
    (
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
        """CREATE TABLE queues (
            id INTEGER PRIMARY KEY,
            queue_id TEXT NOT NULL UNIQUE,
            number TEXT NOT NULL DEFAULT '',
            name TEXT NOT NULL DEFAULT '',
            tenant_id TEXT NOT NULL DEFAULT '',
            sla_threshold REAL)""",
        f"""CREATE TABLE intervals (
            day TEXT NOT NULL,
            queue INTEGER NOT NULL,
            start REAL NOT NULL,
            {_TALLY_COLS},
            PRIMARY KEY (day, queue, start)) WITHOUT ROWID""",
        f"""CREATE TABLE queue_days (
            day TEXT NOT NULL,
            queue INTEGER NOT NULL,
            {_TALLY_COLS},
            PRIMARY KEY (day, queue)) WITHOUT ROWID""",
        """CREATE TABLE agents (
            id INTEGER PRIMARY KEY,
            tenant_id TEXT NOT NULL,
            number TEXT NOT NULL,
            name TEXT,
            UNIQUE (tenant_id, number))""",
        """CREATE TABLE agent_days (
            day TEXT NOT NULL,
            agent INTEGER NOT NULL,
            answered INTEGER NOT NULL DEFAULT 0,
            missed INTEGER NOT NULL DEFAULT 0,
            state TEXT NOT NULL DEFAULT '',
            since REAL NOT NULL DEFAULT 0,
            state_s TEXT NOT NULL DEFAULT '{}',
            first_login REAL,
            last_logout REAL,
            last_session TEXT NOT NULL DEFAULT '',
            updated REAL NOT NULL DEFAULT 0,
            PRIMARY KEY (day, agent)) WITHOUT ROWID""",
        """CREATE TABLE calls (
            day TEXT NOT NULL,
            session_id TEXT NOT NULL,
            ended REAL NOT NULL,
            outcome TEXT NOT NULL,
            caller TEXT NOT NULL DEFAULT '',
            callee TEXT NOT NULL DEFAULT '',
            caller_name TEXT NOT NULL DEFAULT '',
            direction TEXT NOT NULL DEFAULT '',
            started REAL NOT NULL DEFAULT 0,
            answered REAL,
            reason TEXT NOT NULL DEFAULT '',
            queue TEXT NOT NULL DEFAULT '',
            queue_outcome TEXT NOT NULL DEFAULT '',
            wait REAL,
            agent TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (day, session_id, outcome)) WITHOUT ROWID""",
        """CREATE TABLE offered (
            day TEXT NOT NULL,
            queue INTEGER NOT NULL,
            session_id TEXT NOT NULL,
            PRIMARY KEY (day, queue, session_id)) WITHOUT ROWID""",
        """CREATE TABLE visits (
            session_id TEXT PRIMARY KEY,
            queue TEXT NOT NULL,
            outcome TEXT NOT NULL,
            wait REAL,
            at REAL NOT NULL) WITHOUT ROWID""",
        """CREATE TABLE days (
            day TEXT PRIMARY KEY,
            counting_since REAL,
            finished TEXT NOT NULL DEFAULT '{}',
            reroutes INTEGER NOT NULL DEFAULT 0,
            coverage TEXT NOT NULL DEFAULT '[]',
            trunk_flaps TEXT NOT NULL DEFAULT '{}',
            trends TEXT NOT NULL DEFAULT '{}',
            updated REAL NOT NULL DEFAULT 0) WITHOUT ROWID""",
        """CREATE TABLE imports (
            digest TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            frames INTEGER NOT NULL,
            first REAL,
            last REAL,
            imported REAL NOT NULL) WITHOUT ROWID""",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)


class StoreTooNew(UsageError):
    """A store written by a newer wallboard: refusing it is better than damaging it."""


class StoreUnusable(Exception):
    """The file cannot serve as a store (corrupt, foreign): renamed aside by the opener."""


def file_problem(path: Path) -> str | None:
    """Why an existing file is not a SQLite database, or None (judged by its first bytes)."""
    try:
        with path.open("rb") as f:
            head = f.read(len(SQLITE_MAGIC))
    except OSError:
        return None  # the open itself will say why
    if head and head != SQLITE_MAGIC:
        return "not a SQLite file"
    return None


def check(conn: sqlite3.Connection) -> int:
    """The file's schema version (0: empty); raises StoreUnusable or StoreTooNew."""
    try:
        app = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise StoreUnusable(str(exc)) from None
    if app != APPLICATION_ID:
        if tables or version:
            raise StoreUnusable("a SQLite file of another program")
        return 0
    if version > SCHEMA_VERSION:
        raise StoreTooNew(
            f"the store {conn_path(conn)} was written by a newer wallboard "
            f"(schema {version}; this one knows up to {SCHEMA_VERSION}): "
            "upgrade wallboard, or choose another file with --db PATH"
        )
    return int(version)


def conn_path(conn: sqlite3.Connection) -> str:
    row = conn.execute("PRAGMA database_list").fetchone()
    return str(row[2]) if row else "?"


def migrate(conn: sqlite3.Connection, version: int, meta: dict[str, str]) -> None:
    """Bring the file to SCHEMA_VERSION, one transaction per step (autocommit connection)."""
    for step in range(version, SCHEMA_VERSION):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for sql in MIGRATIONS[step]:
                conn.execute(sql)
            if step == 0:
                conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                conn.execute(
                    "INSERT INTO meta VALUES ('created', ?)", (str(round(time.time(), 3)),)
                )
            conn.execute(f"PRAGMA user_version = {step + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    conn.execute("BEGIN IMMEDIATE")
    try:
        for key, value in meta.items():
            conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def rename_aside(path: Path) -> Path:
    """`<name>.corrupt-<unix time>` (with its -wal and -shm, which belong to it)."""
    stamp = int(time.time())
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while target.exists():
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
        n += 1
    os.replace(path, target)
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            try:
                os.replace(side, target.with_name(target.name + suffix))
            except OSError:
                side.unlink(missing_ok=True)
    return target


def columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]


__all__ = [
    "APPLICATION_ID",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "TALLY_V1",
    "StoreTooNew",
    "StoreUnusable",
    "check",
    "columns",
    "file_problem",
    "migrate",
    "rename_aside",
]
