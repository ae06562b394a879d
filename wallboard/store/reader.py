"""Reading the store: other days for reports and the History page (today is in the model).

`Reader(path)` opens the file read-only, so it works while a wallboard
writes (WAL: readers never wait for the writer, nor the writer for them).
It returns the model's own types (`Tally`, `AgentDay`, `FinishedCall`), so
every KPI of a past day goes through the same `kpi.py` as today's.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import orjson

from wallboard.errors import UsageError
from wallboard.model.entities import AgentDay, FinishedCall
from wallboard.model.tally import FIELDS, Tally
from wallboard.store import schema
from wallboard.store.batch import CALL_COLUMNS
from wallboard.store.store import connect

_TALLY = ", ".join(f"t.{n}" for n in FIELDS)


@dataclass(frozen=True, slots=True)
class QueueInfo:
    queue_id: str
    number: str
    name: str
    tenant_id: str


@dataclass(frozen=True, slots=True)
class IntervalRow:
    day: str
    queue: QueueInfo
    start: float  # unix seconds; the interval runs until the next one's start
    tally: Tally


@dataclass(frozen=True, slots=True)
class QueueDayRow:
    day: str
    queue: QueueInfo
    tally: Tally


@dataclass(frozen=True, slots=True)
class AgentDayRow:
    day: str
    name: str | None
    agent: AgentDay
    as_of: float  # the running state counts up to here (`kpi.agent_figures(agent, as_of)`)


def _tally(vals: tuple[object, ...]) -> Tally:
    return Tally(*vals)  # type: ignore[arg-type]


def _queue_filter(queues: Collection[str] | None, params: list[object]) -> str:
    """`AND (q.number IN (…) OR q.queue_id IN (…))` for a list of numbers (or ids)."""
    if not queues:
        return ""
    marks = ", ".join("?" for _ in queues)
    params.extend(queues)
    params.extend(queues)
    return f" AND (q.number IN ({marks}) OR q.queue_id IN ({marks}))"


class Reader:
    """Read-only access to a store file. Raises UsageError (exit 2) when there is none."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise UsageError(f"no store at {self.path}")
        if schema.file_problem(self.path):
            raise UsageError(f"{self.path} is not a wallboard store (not a SQLite file)")
        try:
            self.conn = connect(self.path, readonly=True)
            version = schema.check(self.conn)
        except schema.StoreUnusable as exc:
            raise UsageError(f"{self.path} is not a wallboard store ({exc})") from None
        except sqlite3.Error as exc:
            raise UsageError(f"cannot read the store {self.path}: {exc}") from None
        if version == 0:
            self.conn.close()
            raise UsageError(f"{self.path} is not a wallboard store (it is empty)")
        self.version = version

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Reader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------- lookups
    def meta(self) -> dict[str, str]:
        return dict(self.conn.execute("SELECT key, value FROM meta"))

    def days(self) -> list[str]:
        """Days with any data, newest first."""
        rows = self.conn.execute(
            "SELECT day FROM queue_days UNION SELECT day FROM agent_days"
            " UNION SELECT day FROM days ORDER BY 1 DESC"
        )
        return [r[0] for r in rows]

    def queues(self) -> list[QueueInfo]:
        rows = self.conn.execute(
            "SELECT queue_id, number, name, tenant_id FROM queues ORDER BY number, queue_id"
        )
        return [QueueInfo(*r) for r in rows]

    # ---------------------------------------------------------------- rows
    def intervals(
        self, first: str, last: str | None = None, queues: Collection[str] | None = None
    ) -> list[IntervalRow]:
        """Interval tallies of the days `first`..`last` (YYYY-MM-DD), by start then queue."""
        params: list[object] = [first, last or first]
        where = _queue_filter(queues, params)
        rows = self.conn.execute(
            f"SELECT t.day, q.queue_id, q.number, q.name, q.tenant_id, t.start, {_TALLY}"
            " FROM intervals t JOIN queues q ON q.id = t.queue"
            f" WHERE t.day BETWEEN ? AND ?{where} ORDER BY t.start, q.number, q.queue_id",
            params,
        )
        return [
            IntervalRow(r[0], QueueInfo(r[1], r[2], r[3], r[4]), r[5], _tally(r[6:])) for r in rows
        ]

    def queue_days(
        self, first: str, last: str | None = None, queues: Collection[str] | None = None
    ) -> list[QueueDayRow]:
        """Each queue's day tally (the numbers the wall showed at the end of that day)."""
        params: list[object] = [first, last or first]
        where = _queue_filter(queues, params)
        rows = self.conn.execute(
            f"SELECT t.day, q.queue_id, q.number, q.name, q.tenant_id, {_TALLY}"
            " FROM queue_days t JOIN queues q ON q.id = t.queue"
            f" WHERE t.day BETWEEN ? AND ?{where} ORDER BY t.day, q.number, q.queue_id",
            params,
        )
        return [QueueDayRow(r[0], QueueInfo(r[1], r[2], r[3], r[4]), _tally(r[5:])) for r in rows]

    def agent_days(self, first: str, last: str | None = None) -> list[AgentDayRow]:
        rows = self.conn.execute(
            "SELECT d.day, a.tenant_id, a.number, a.name, d.answered, d.missed, d.state,"
            " d.since, d.state_s, d.first_login, d.last_logout, d.last_session, d.updated"
            " FROM agent_days d JOIN agents a ON a.id = d.agent"
            " WHERE d.day BETWEEN ? AND ? ORDER BY d.day, a.number, a.tenant_id",
            (first, last or first),
        )
        out = []
        for day, tenant, number, name, ans, missed, state, since, state_s, fl, ll, ls, upd in rows:
            try:
                seconds = orjson.loads(state_s)
            except orjson.JSONDecodeError:
                seconds = {}
            agent = AgentDay(
                tenant_id=tenant,
                number=number,
                state=state,
                since=since,
                answered=ans,
                missed=missed,
                state_s={str(k): float(v) for k, v in dict(seconds).items()},
                first_login=fl,
                last_logout=ll,
                last_session=ls,
            )
            out.append(AgentDayRow(day, name, agent, upd))
        return out

    def calls(
        self,
        first: str,
        last: str | None = None,
        queues: Collection[str] | None = None,
        *,
        abandoned: bool = False,
    ) -> list[tuple[str, FinishedCall]]:
        """(day, call) of the days' finished calls by end time; `abandoned`: hung up waiting."""
        params: list[object] = [first, last or first]
        where = ""
        if queues:
            where += f" AND queue IN ({', '.join('?' for _ in queues)})"
            params.extend(queues)
        if abandoned:
            where += " AND queue_outcome = 'abandoned'"
        cols = ", ".join(CALL_COLUMNS)
        rows = self.conn.execute(
            f"SELECT {cols} FROM calls WHERE day BETWEEN ? AND ?{where} ORDER BY ended, session_id",
            params,
        )
        names = CALL_COLUMNS[1:]
        return [(r[0], FinishedCall(**dict(zip(names, r[1:], strict=True)))) for r in rows]

    def coverage(self, day: str) -> list[list[float]]:
        """The periods of `day` a wallboard was watching (gaps are between them)."""
        row = self.conn.execute("SELECT coverage FROM days WHERE day = ?", (day,)).fetchone()
        if row is None:
            return []
        try:
            periods = orjson.loads(row[0])
        except orjson.JSONDecodeError:
            return []
        return [[float(a), float(b)] for a, b in periods if a <= b]


__all__ = ["AgentDayRow", "IntervalRow", "QueueDayRow", "QueueInfo", "Reader"]
