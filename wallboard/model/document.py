"""The state document of CONTRACT.md (`wallboard snapshot`).

Scripts and acceptance checks read this JSON, so its required keys and their
meaning only change together with CONTRACT.md. Extra keys are allowed and
carry what a supervisor would also want (ASA, SLA threshold, stale flags).
"""

from __future__ import annotations

from typing import Any

from wallboard.model import kpi
from wallboard.model.calendar import usable_time
from wallboard.model.entities import Queue
from wallboard.model.overview import overview
from wallboard.model.state import WallboardState
from wallboard.model.tally import Tally

SCHEMA = "wallboard.state/1"


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


def coverage(state: WallboardState) -> dict[str, Any]:
    """When today was watched: the first moment, and the gaps nobody watched since."""
    now = state.now()
    cov = state.coverage
    if not usable_time(now) or state.counting_since is None:
        return {"since": cov.since, "gaps": []}
    return {"since": cov.since, "gaps": cov.gaps(state.counting_since, now)}


def tally_stats(s: Tally, definition: str) -> dict[str, Any]:
    """Counts and KPIs of one tally (a queue's day, an interval, a totals row)."""
    return {
        "offered": s.offered,
        "answered": s.answered,
        "answered_unknown_wait": s.answered_unknown_wait,
        "answered_within_sla": s.answered_within,
        "abandoned": s.abandoned,
        "short_abandoned": s.short_abandoned,
        "overflowed": s.overflowed,
        "callbacks": s.callbacks,
        "other": s.other,
        "sla_breaches": s.sla_breaches,
        "service_level_pct": _r(kpi.service_level(s, definition)),
        "service_level_definition": definition,
        "average_answer_s": _r(kpi.asa(s)),
        "abandon_rate_pct": _r(kpi.abandon_rate(s)),
        "aht_s": _r(kpi.aht(s)),
        "max_wait_s": _r(s.max_wait),
        "peak_waiting": s.peak_waiting,
    }


def queue_stats(state: WallboardState, q: Queue) -> dict[str, Any]:
    """The `stats` object of one queue: today's tally, its KPIs, the live longest wait."""
    out = tally_stats(q.stats, state.sl_definition(q))
    out["longest_wait_s"] = _r(max(0.0, state.longest_wait(q)))
    out["sla_threshold_s"] = state.sla_threshold(q)
    return out


def totals(state: WallboardState, queues: list[Queue] | None = None) -> dict[str, Any]:
    """The totals row: sums over the queues, KPIs from the sums (never averaged percentages)."""
    o = overview(state, queues)
    out = tally_stats(o.tally, o.definition)
    out.update(
        queues=o.queues,
        waiting=o.waiting,
        longest_wait_s=_r(o.longest_wait),
        agents_ready=o.ready,
        agents_busy=o.busy,
        agents_not_ready=o.not_ready,
    )
    return out


def state_document(state: WallboardState) -> dict[str, Any]:
    now = state.now()
    names = state.names
    src = state.source
    derived = state.derived_call_status()
    extensions = []
    for ext in sorted(state.extensions.values(), key=lambda e: (e.number, e.tenant_id)):
        live = ext.live_contacts(now)
        extensions.append(
            {
                "tenant_id": ext.tenant_id,
                "number": ext.number,
                "online": ext.is_online(now),
                "contacts": len(live),
                "call_status": state.call_status_of(ext, derived),
                "presence": ext.presence,
                "presence_note": ext.presence_note,
                "name": names.name(ext.tenant_id, ext.number),
                "agent_states": dict(sorted(ext.agent_states.items())),
                "stale": ext.stale,
            }
        )
    calls = [
        {
            "session_id": c.session_id,
            "tenant_id": c.tenant_id,
            "caller": c.caller,
            "callee": c.callee,
            "caller_name": c.caller_name,
            "callee_name": c.callee_name,
            "direction": c.direction,
            "state": c.state,
            "started": c.started,
            "answered": c.answered,
            "answered_by": c.answered_by,
            "stale": c.stale,
        }
        for c in sorted(state.calls.values(), key=lambda c: c.session_id)
    ]
    queues = []
    for q in sorted(state.queues.values(), key=lambda q: (q.number or q.queue_id, q.queue_id)):
        queues.append(
            {
                "queue_id": q.queue_id,
                "number": q.number,
                "name": q.name,
                "tenant_id": q.tenant_id,
                "waiting": [
                    {
                        "session_id": w.session_id,
                        "caller_number": w.caller_number,
                        "caller_name": w.caller_name,
                        "since": w.since,
                        "type": w.type,
                    }
                    for w in sorted(q.waiting.values(), key=lambda w: (w.since, w.session_id))
                ],
                "agents": [
                    {
                        "extension": a.extension,
                        "state": a.state,
                        "since": a.since,
                        "name": names.name(q.tenant_id, a.extension),
                    }
                    for a in sorted(q.agents.values(), key=lambda a: a.extension)
                ],
                "stats": queue_stats(state, q),
            }
        )
    return {
        "schema": SCHEMA,
        "source": {
            "kind": src.kind,
            "dialect": src.dialect,
            "status": src.status,
            "url": src.url,
            "attempt": src.attempt,
            "last_error": src.last_error,
            "insecure": src.insecure,
            "since": src.since,
            "retry_in": src.retry_in,
            "last_frame_at": src.last_frame_at,
        },
        "clock": now,
        "day": state.day,
        "counting_since": state.counting_since,
        "coverage": coverage(state),
        "pbx_clock_offset_s": _r(state.skew.offset),
        "counters": {
            "frames": state.frames,
            "events": state.events,
            "unknown": state.unknown,
            "invalid": state.invalid,
            "replies": state.replies,
            "limits_dropped": state.limits_dropped,
        },
        "extensions": extensions,
        "calls": calls,
        "finished_calls": dict(state.finished, rerouted=state.reroutes),
        "queues": queues,
        "totals": totals(state),
        "trunks": [
            {"name": t.name, "connected": t.connected, "since": t.since, "flaps": t.flaps}
            for t in sorted(state.trunks.values(), key=lambda t: t.name)
        ],
        "errors": [
            {"command": r.command, "error": r.error, "status": r.status} for r in state.errors
        ],
    }
