"""Today from the store, in the shape of the model's checkpoint (`checkpoint.day_part`).

The store keeps rows; a restart turns today's rows back into the day part
of a checkpoint and hands it to `restore_day`, the one loader the hub uses
too. So there is one serialisation of the day in the model and one
defensive way to read it back, whatever the source.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import orjson

from wallboard.model.daylog import MAX_DAY_CALLS
from wallboard.model.tally import FIELDS
from wallboard.store.batch import CALL_COLUMNS

_TALLY = ", ".join(f"t.{n}" for n in FIELDS)


def _json(text: Any, default: Any) -> Any:
    try:
        value = orjson.loads(text)
    except (orjson.JSONDecodeError, TypeError):
        return default
    return value if type(value) is type(default) else default


def load_day(conn: sqlite3.Connection, day: str) -> dict[str, Any] | None:
    """The day part of a checkpoint for `day`, or None when the store has nothing of it."""
    row = conn.execute(
        "SELECT counting_since, finished, reroutes, coverage, trunk_flaps, trends"
        " FROM days WHERE day = ?",
        (day,),
    ).fetchone()
    n_int = conn.execute("SELECT count(*) FROM queue_days WHERE day = ?", (day,)).fetchone()[0]
    if row is None and not n_int:
        return None
    since, finished, reroutes, coverage, flaps, trends = row or (None, "{}", 0, "[]", "{}", "{}")
    trends_by_queue = _json(trends, {})

    queues: dict[int, dict[str, Any]] = {}
    for qref, qid, number, name, tenant, sla, *vals in conn.execute(
        f"SELECT q.id, q.queue_id, q.number, q.name, q.tenant_id, q.sla_threshold, {_TALLY}"
        " FROM queue_days t JOIN queues q ON q.id = t.queue WHERE t.day = ?",
        (day,),
    ):
        queues[qref] = {
            "queue_id": qid,
            "number": number,
            "name": name,
            "tenant_id": tenant,
            "sla_threshold": sla,
            "stats": dict(zip(FIELDS, vals, strict=True)),
            "intervals": [],
            "seen": [],
            "trend": trends_by_queue.get(qid, []),
        }
    for qref, start, *vals in conn.execute(
        f"SELECT t.queue, t.start, {_TALLY} FROM intervals t WHERE t.day = ? ORDER BY t.start",
        (day,),
    ):
        q = queues.get(qref)
        if q is not None:
            q["intervals"].append([start, dict(zip(FIELDS, vals, strict=True))])
    for qref, sid in conn.execute("SELECT queue, session_id FROM offered WHERE day = ?", (day,)):
        q = queues.get(qref)
        if q is not None:
            q["seen"].append(sid)

    agents = []
    for tenant, number, answered, missed, state_s, first, last, session, st, since in conn.execute(
        "SELECT a.tenant_id, a.number, d.answered, d.missed, d.state_s, d.first_login,"
        " d.last_logout, d.last_session, d.state, d.since"
        " FROM agent_days d JOIN agents a ON a.id = d.agent"
        " WHERE d.day = ?",
        (day,),
    ):
        agents.append(
            {
                "tenant_id": tenant,
                "number": number,
                "answered": answered,
                "missed": missed,
                "state_s": _json(state_s, {}),
                "first_login": first,
                "last_logout": last,
                "last_session": session,
                # The state it was in when saved: the same episode told again is not new.
                "state": st or "",
                "since": since or 0.0,
            }
        )

    cols = ", ".join(CALL_COLUMNS[1:])
    calls = [
        dict(zip(CALL_COLUMNS[1:], r, strict=True))
        for r in conn.execute(
            f"SELECT {cols} FROM calls WHERE day = ? ORDER BY ended DESC LIMIT ?",
            (day, MAX_DAY_CALLS),
        )
    ]
    calls.reverse()
    # Call ends of the day (not callers who hung up waiting: their call's end still counts).
    finished_ids = [
        r[0]
        for r in conn.execute(
            "SELECT session_id FROM calls WHERE day = ? AND outcome != 'abandoned'", (day,)
        )
    ]
    visits = [
        [sid, {"queue": queue, "outcome": outcome, "wait": wait, "recorded": False}]
        for sid, queue, outcome, wait in conn.execute(
            "SELECT session_id, queue, outcome, wait FROM visits ORDER BY at"
        )
    ]
    # An abandon was written as its own record: the call's later end must not add another.
    for c in calls:
        if c["outcome"] == "abandoned":
            visits.append(
                [
                    c["session_id"],
                    {
                        "queue": c["queue"],
                        "outcome": "abandoned",
                        "wait": c["wait"],
                        "recorded": True,
                    },
                ]
            )
    for c in calls:
        for key in ("caller", "callee", "caller_name", "direction", "reason", "queue"):
            c[key] = c[key] or ""
    return {
        "day": day,
        "counting_since": since,
        "finished": _json(finished, {}),
        "reroutes": reroutes if type(reroutes) is int else 0,
        "queues": list(queues.values()),
        "agents": agents,
        "coverage": _json(coverage, []),
        "calls": calls,
        "finished_ids": finished_ids,
        "trunk_flaps": _json(flaps, {}),
        "visits": visits,
    }


__all__ = ["load_day"]
