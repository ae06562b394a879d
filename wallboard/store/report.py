"""`wallboard report`: rows of the store as a table, CSV or JSON (CONTRACT.md columns).

Every KPI column is a `kpi.py` formula over a tally or an agent's day read
back from the store; nothing is computed in SQL and nothing here divides.
Times are ISO 8601 in the call center's time zone (the config's, else the
one the store was written with, else the machine's).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Collection
from typing import Any

import orjson

from wallboard.model import kpi
from wallboard.model.calendar import Calendar
from wallboard.model.targets import Targets
from wallboard.store.reader import Reader

KINDS = ("intervals", "agents", "calls", "abandoned")
FORMATS = ("table", "csv", "json")

INTERVAL_COLUMNS = (
    "start",
    "queue",
    "queue_name",
    "offered",
    "answered",
    "answered_within_sla",
    "abandoned",
    "short_abandoned",
    "overflowed",
    "callbacks",
    "other",
    "service_level_pct",
    "asa_s",
    "max_wait_s",
    "aht_s",
    "peak_waiting",
)
AGENT_COLUMNS = (
    "date",
    "extension",
    "name",
    "answered",
    "missed",
    "talk_s",
    "aht_s",
    "ready_s",
    "not_ready_s",
    "wrap_up_s",
    "occupancy_pct",
    "first_login",
    "last_logout",
)
CALL_COLUMNS = (
    "ended_at",
    "session_id",
    "queue",
    "caller_number",
    "caller_name",
    "outcome",
    "wait_s",
    "talk_s",
    "agent",
    "queue_outcome",
    "direction",
    "started_at",
)


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 1)


def interval_rows(
    reader: Reader,
    first: str,
    last: str,
    queues: Collection[str] | None,
    targets: Targets,
    cal: Calendar,
) -> list[dict[str, Any]]:
    out = []
    for row in reader.intervals(first, last, queues):
        t = row.tally
        definition = targets.sl_definition_for(row.queue.number)
        out.append(
            {
                "start": cal.iso(row.start),
                "queue": row.queue.number or row.queue.queue_id,
                "queue_name": row.queue.name,
                "offered": t.offered,
                "answered": t.answered,
                "answered_within_sla": t.answered_within,
                "abandoned": t.abandoned,
                "short_abandoned": t.short_abandoned,
                "overflowed": t.overflowed,
                "callbacks": t.callbacks,
                "other": t.other,
                "service_level_pct": _r(kpi.service_level(t, definition)),
                "asa_s": _r(kpi.asa(t)),
                "max_wait_s": _r(t.max_wait),
                "aht_s": _r(kpi.aht(t)),
                "peak_waiting": t.peak_waiting,
            }
        )
    return out


def agent_rows(reader: Reader, first: str, last: str, cal: Calendar) -> list[dict[str, Any]]:
    out = []
    for row in reader.agent_days(first, last):
        f = kpi.agent_figures(row.agent, row.as_of)
        out.append(
            {
                "date": row.day,
                "extension": row.agent.number,
                "name": row.name,
                "answered": f.answered,
                "missed": f.missed,
                "talk_s": _r(f.talk_s),
                "aht_s": _r(f.aht_s),
                "ready_s": _r(f.ready_s),
                "not_ready_s": _r(f.not_ready_s),
                "wrap_up_s": _r(f.wrap_up_s),
                "occupancy_pct": _r(f.occupancy_pct),
                "first_login": cal.iso(row.agent.first_login) if row.agent.first_login else None,
                "last_logout": cal.iso(row.agent.last_logout) if row.agent.last_logout else None,
            }
        )
    return out


def call_rows(
    reader: Reader,
    first: str,
    last: str,
    queues: Collection[str] | None,
    cal: Calendar,
    *,
    abandoned: bool,
) -> list[dict[str, Any]]:
    out = []
    for _day, c in reader.calls(first, last, queues, abandoned=abandoned):
        out.append(
            {
                "ended_at": cal.iso(c.ended),
                "session_id": c.session_id,
                "queue": c.queue,
                "caller_number": c.caller,
                "caller_name": c.caller_name,
                "outcome": c.outcome,
                "wait_s": _r(c.wait),
                "talk_s": _r(c.talk),
                "agent": c.agent,
                "queue_outcome": c.queue_outcome,
                "direction": c.direction,
                "started_at": cal.iso(c.started) if c.started else None,
            }
        )
    return out


def rows_for(
    kind: str,
    reader: Reader,
    first: str,
    last: str,
    queues: Collection[str] | None,
    targets: Targets,
    cal: Calendar,
) -> tuple[tuple[str, ...], list[dict[str, Any]]]:
    if kind == "intervals":
        return INTERVAL_COLUMNS, interval_rows(reader, first, last, queues, targets, cal)
    if kind == "agents":
        return AGENT_COLUMNS, agent_rows(reader, first, last, cal)
    return CALL_COLUMNS, call_rows(reader, first, last, queues, cal, abandoned=kind == "abandoned")


# ------------------------------------------------------------------ formats
def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:g}" if abs(v) < 1e15 else str(v)
    return str(v)


def to_csv(columns: tuple[str, ...], rows: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        w.writerow([_cell(r[c]) for c in columns])
    return buf.getvalue()


def to_json(columns: tuple[str, ...], rows: list[dict[str, Any]]) -> str:
    return (
        orjson.dumps(
            [{c: r[c] for c in columns} for r in rows], option=orjson.OPT_INDENT_2
        ).decode()
        + "\n"
    )


def to_table(
    columns: tuple[str, ...], rows: list[dict[str, Any]], clean: Callable[[str], str] = str
) -> str:
    """Aligned plain-text columns (numbers right-aligned); `clean` makes PBX text safe."""
    cells = [[clean(_cell(r[c])) for c in columns] for r in rows]
    widths = [max([len(c), *(len(row[i]) for row in cells)]) for i, c in enumerate(columns)]
    numeric = [all(isinstance(r[c], int | float) or r[c] is None for r in rows) for c in columns]

    def line(values: list[str]) -> str:
        parts = [
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        ]
        return "  ".join(parts).rstrip()

    out = [line(list(columns)), line(["-" * w for w in widths])]
    out.extend(line(row) for row in cells)
    if not rows:
        out.append("(no rows)")
    return "\n".join(out) + "\n"


__all__ = [
    "AGENT_COLUMNS",
    "CALL_COLUMNS",
    "FORMATS",
    "INTERVAL_COLUMNS",
    "KINDS",
    "rows_for",
    "to_csv",
    "to_json",
    "to_table",
]
