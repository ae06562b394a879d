"""What a number on the wall means, its formula, and today's inputs — in words.

A wall number nobody can explain gets ignored. Each explanation is built
from the same Tally and the same formula (`kpi.py`) as the number itself,
so "SL 81 % = 26 answered within 20 s ÷ (31 answered + 1 abandoned)" always
adds up to what the tile shows. Plain text: the UI shows it literally.
"""

from __future__ import annotations

from dataclasses import dataclass

from wallboard.model import kpi
from wallboard.model.entities import AgentDay
from wallboard.model.tally import Tally

SL_FORMULAS = {
    "answered_abandoned": "answered within target ÷ (answered + abandoned)",
    "no_short_abandons": "answered within target ÷ (answered + abandoned − short abandons)",
    "offered": "answered within target ÷ callers whose wait ended",
    "offered_abandons_ok": "(answered + abandoned within target) ÷ callers whose wait ended",
}


@dataclass(frozen=True, slots=True)
class Explanation:
    title: str
    value: str
    meaning: str
    formula: str
    inputs: str

    def lines(self) -> list[str]:
        return [
            f"{self.title}: {self.value}",
            self.meaning,
            f"Formula: {self.formula}",
            self.inputs,
        ]


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v:.0f} %"


def _secs(v: float | None) -> str:
    """Whole seconds cut, not rounded: the same figure the board shows (ui/fmt.dur)."""
    if v is None:
        return "—"
    s = int(v) if v > 0 else 0
    return f"{s // 60}:{s % 60:02d}" if s >= 60 else f"{s} s"


def _n(count: int, word: str) -> str:
    return f"{count} {word}"


def _within(seconds: float | None, whose: str) -> str:
    """ "within 20 s", or, over queues with different settings, "within their queue's target"."""
    return f"within {seconds:g} s" if seconds is not None else f"within their queue's {whose}"


def service_level(
    t: Tally, definition: str, target: float | None, short: float | None
) -> Explanation:
    """`target` / `short`: None when the queues summed have different ones (totals)."""
    value = kpi.service_level(t, definition)
    known = t.answered_known_wait
    within = f"{t.answered_within} answered {_within(target, 'target')}"
    if definition == "offered_abandons_ok":
        num = f"({within} + {t.abandoned_within} abandoned {_within(target, 'target')})"
    else:
        num = within
    if definition in ("offered", "offered_abandons_ok"):
        parts = [f"{known} answered", f"{t.abandoned} abandoned"]
        parts += [
            f"{n} {w}"
            for n, w in (
                (t.overflowed, "overflowed"),
                (t.callbacks, "callbacks"),
                (t.other, "other"),
            )
            if n
        ]
        den = "(" + " + ".join(parts) + ")"
    elif definition == "no_short_abandons":
        den = f"({known} answered + {t.abandoned} abandoned − {t.short_abandoned} short abandons)"
    else:
        den = f"({known} answered + {t.abandoned} abandoned)"
    notes = []
    if t.answered_unknown_wait:
        notes.append(f"{t.answered_unknown_wait} answered with an unknown wait left out")
    if definition == "no_short_abandons" or (
        definition == "answered_abandoned" and t.short_abandoned
    ):
        if definition == "no_short_abandons":
            notes.append(f"short abandons: hung up {_within(short, 'short-abandon time')}")
        else:
            notes.append(
                f"{t.short_abandoned} of the abandons {_within(short, 'short-abandon time')} "
                "(counted)"
            )
    inputs = f"SL {_pct(value)} = {num} ÷ {den}"
    if value is None:
        inputs = f"SL — : nobody answered or abandoned yet ({num} ÷ {den})"
    if notes:
        inputs += "; " + "; ".join(notes)
    return Explanation(
        title="Service level",
        value=_pct(value),
        meaning=(
            f"Share of callers answered within the queue's target of {target:g} s."
            if target is not None
            else "Share of callers answered within their queue's target."
        ),
        formula=SL_FORMULAS.get(definition, SL_FORMULAS["answered_abandoned"]),
        inputs=inputs,
    )


def asa(t: Tally) -> Explanation:
    v = kpi.asa(t)
    return Explanation(
        title="Average speed of answer",
        value=_secs(v),
        meaning="How long answered callers waited, on average.",
        formula="sum of the waits of answered callers ÷ answered callers (known waits only)",
        inputs=(
            f"ASA {_secs(v)} = {t.answer_wait_sum:.0f} s ÷ {t.answered_known_wait} answered"
            + (
                f"; {t.answered_unknown_wait} with an unknown wait left out"
                if t.answered_unknown_wait
                else ""
            )
        ),
    )


def abandon_rate(t: Tally) -> Explanation:
    v = kpi.abandon_rate(t)
    ended = t.answered + t.abandoned + t.overflowed + t.callbacks + t.other
    return Explanation(
        title="Abandon rate",
        value=_pct(v),
        meaning="Share of callers who hung up while waiting.",
        formula="abandoned ÷ callers whose wait ended",
        inputs=f"{_pct(v)} = {t.abandoned} abandoned ÷ {ended} callers whose wait ended "
        f"({t.short_abandoned} short abandons among them)",
    )


def aht(t: Tally) -> Explanation:
    v = kpi.aht(t)
    return Explanation(
        title="Average handle time",
        value=_secs(v),
        meaning="Agent time per queue call: talk (with hold) plus wrap-up.",
        formula="(talk + wrap-up) ÷ queue calls handled",
        inputs=f"AHT {_secs(v)} = ({t.talk_sum:.0f} s talk + {t.wrap_sum:.0f} s wrap-up) ÷ "
        f"{t.handled} calls",
    )


def count(name: str, t: Tally) -> Explanation:
    """Offered / answered / abandoned: the plain counts and what goes into them."""
    if name == "offered":
        return Explanation(
            "Offered",
            str(t.offered),
            "Callers who entered the queue today (each caller once).",
            "callers first seen waiting today, or whose outcome was reported",
            f"{t.offered} offered: {t.answered} answered, {t.abandoned} abandoned, "
            f"{t.overflowed} overflowed, {t.callbacks} callbacks, {t.other} other, "
            f"{t.offered - t.answered - t.abandoned - t.overflowed - t.callbacks - t.other} "
            "still waiting or not yet resolved",
        )
    if name == "answered":
        return Explanation(
            "Answered",
            str(t.answered),
            "Queue callers an agent answered today.",
            "callers whose wait ended with agent_answered",
            f"{t.answered} answered: {t.answered_within} within target, "
            f"{t.answered_known_wait - t.answered_within} later, "
            f"{t.answered_unknown_wait} with an unknown wait",
        )
    return Explanation(
        "Abandoned",
        str(t.abandoned),
        "Queue callers who hung up while waiting today.",
        "callers whose wait ended with hangup",
        f"{t.abandoned} abandoned: {t.short_abandoned} short, "
        f"{t.abandoned_within} within target, {t.abandoned - t.abandoned_known_wait} with an "
        "unknown wait",
    )


def longest_wait(seconds: float, waiting: int) -> Explanation:
    return Explanation(
        "Longest wait",
        _secs(seconds) if waiting else "—",
        "How long the caller who has waited longest is waiting now.",
        "now − enqueue time of the longest-waiting caller (on the PBX's clock; callbacks excluded)",
        f"{waiting} caller(s) waiting now",
    )


def occupancy(day: AgentDay, now: float) -> Explanation:
    talk, wrap, ready = (day.seconds(s, now) for s in ("QUEUE_CALL", "WRAP_UP", "READY"))
    v = kpi.occupancy(talk, wrap, ready)
    return Explanation(
        "Occupancy",
        _pct(v),
        "Share of the agent's available time spent on queue calls.",
        "(talk + wrap-up) ÷ (talk + wrap-up + ready)",
        f"{_pct(v)} = ({talk:.0f} s + {wrap:.0f} s) ÷ ({talk:.0f} s + {wrap:.0f} s + {ready:.0f} s)",
    )


def waiting(count: int, callbacks: int) -> Explanation:
    return Explanation(
        "Waiting",
        str(count),
        "Callers waiting in the queue now, to be answered.",
        "callers listed in the queue now − booked callbacks",
        f"{count} waiting now"
        + (f"; {callbacks} booked callback(s) listed, not counted" if callbacks else ""),
    )


AGENT_COUNTS = {
    "ready": ("Ready", "Agents ready to take a queue call now.", "READY"),
    "busy": (
        "Busy",
        "Agents on a queue call, on another call, or in wrap-up now.",
        "QUEUE_CALL, OTHER_CALL or WRAP_UP",
    ),
    "not_ready": ("Not ready", "Agents logged in but not taking queue calls now.", "NOT_READY"),
}


def agents(kind: str, ready: int, busy: int, not_ready: int) -> Explanation:
    """Ready / busy / not ready: people, each counted once in their most telling state."""
    title, meaning, states = AGENT_COUNTS[kind]
    value = {"ready": ready, "busy": busy, "not_ready": not_ready}[kind]
    return Explanation(
        title,
        str(value),
        meaning + " Each person once, in their most telling state across their queues.",
        f"agents whose most telling state is {states}",
        f"{ready} ready, {busy} busy, {not_ready} not ready now "
        "(logged out and offline agents are in none of them)",
    )


def _long(seconds: float) -> str:
    s = int(seconds) if seconds > 0 else 0
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else _secs(s)


AGENT_DAY_STATES = (
    ("QUEUE_CALL", "queue calls"),
    ("OTHER_CALL", "other calls"),
    ("WRAP_UP", "wrap-up"),
    ("READY", "ready"),
    ("NOT_READY", "not ready"),
)


def agent_day(day: AgentDay, now: float) -> Explanation:
    """The agent's day so far: calls taken, rings missed, time in each state."""
    times = ", ".join(f"{_long(day.seconds(s, now))} {label}" for s, label in AGENT_DAY_STATES)
    return Explanation(
        "Agent's day",
        f"{day.answered} answered",
        "Queue calls this agent took today, rings they missed, and where their time went.",
        "time in a state = today's periods in it added up (the current one up to now)",
        f"{day.answered} answered, {day.missed} missed; {times}",
    )


__all__ = [
    "AGENT_COUNTS",
    "AGENT_DAY_STATES",
    "SL_FORMULAS",
    "Explanation",
    "abandon_rate",
    "agent_day",
    "agents",
    "aht",
    "asa",
    "count",
    "longest_wait",
    "occupancy",
    "service_level",
    "waiting",
]
