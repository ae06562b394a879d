"""Agents: one person across their queues, and their day (answered, missed, time in state).

PortSIP reports an agent's state per queue. A supervisor thinks of one
person, shown in their most telling state across their queues (on a queue
call beats wrap-up beats ready ...; `entities.agent_rank`). That aggregated
state is what the tiles count (ready / busy / not ready) and what the day's
time-in-state adds up; it is computed here and nowhere else.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from wallboard.model.entities import ABSENT_STATES, AGENT_RANK, BUSY_STATES, AgentDay, Queue
from wallboard.model.kpi import occupancy

if TYPE_CHECKING:
    from wallboard.model.state import WallboardState

AgentKey = tuple[str, str]  # (tenant id, extension number)
MAX_AGENT_DAYS = 100_000


class AgentTracking:
    """Mixin of WallboardState: queue membership, aggregated agent state, agent days."""

    members: dict[AgentKey, set[str]]
    agent_days: dict[AgentKey, AgentDay]
    agent_counts: Counter[str]

    def _init_agents(self) -> None:
        self.members = {}  # agent -> ids of the queues it is in
        self.agent_days = {}
        self.agent_counts = Counter()  # aggregated state -> agents in it now

    def _join_queue(self: WallboardState, q: Queue, ext: str, t: float) -> None:
        self.members.setdefault((q.tenant_id, ext), set()).add(q.queue_id)
        self._agent_changed(q.tenant_id, ext, t)

    def _leave_queue(self: WallboardState, q: Queue, ext: str, t: float) -> None:
        key = (q.tenant_id, ext)
        qids = self.members.get(key)
        if qids is not None:
            qids.discard(q.queue_id)
            if not qids:
                del self.members[key]
        self._agent_changed(q.tenant_id, ext, t)

    def agent_best(self: WallboardState, tenant: str, number: str) -> tuple[str, float, str]:
        """(state, since, session id) of the agent's most telling queue state; ("", 0, "") if none."""
        qids = self.members.get((tenant, number))
        if not qids:
            return "", 0.0, ""
        queues = self.queues
        best_rank, best = 99, None
        for qid in qids:
            q = queues.get(qid)
            a = q.agents.get(number) if q is not None else None
            if a is None:
                continue
            rank = AGENT_RANK.get(a.state, 7)
            if best is None or rank < best_rank or (rank == best_rank and a.since > best.since):
                best_rank, best = rank, a
        if best is None:
            return "", 0.0, ""
        return best.state, best.since, best.session_id

    def _agent_changed(self: WallboardState, tenant: str, number: str, t: float) -> None:
        """Re-aggregate one agent after one of its queue states changed."""
        key = (tenant, number)
        state, since, session = self.agent_best(tenant, number)
        day = self.agent_days.get(key)
        if day is None:
            if not state:
                return
            if len(self.agent_days) >= MAX_AGENT_DAYS:
                self.limits_dropped += 1
                return
            day = self.agent_days[key] = AgentDay(tenant_id=tenant, number=number, since=t)
        if state != day.state:
            # Back from "unknown" (a restored day, the PBX telling again) on the call
            # already counted: the same call, not a new one. Its session id may come
            # next; a different one is then counted below as the next call.
            # Back on the queue call already counted (a restored day, the PBX telling
            # it again): the same call, not a new one. Known by its session id, or
            # (no session ids on this dialect) by the start of the saved episode,
            # however the other queues' pictures came in between.
            resumed = state == "QUEUE_CALL" and (
                (not day.state and bool(day.last_session) and session in ("", day.last_session))
                or (day.resume_state == "QUEUE_CALL" and abs(since - day.resume_since) < 1.0)
            )
            self._agent_transition(day, state, t, count=not resumed)
            if state == "QUEUE_CALL" and not resumed:
                day.last_session = session  # "" until the session id arrives
        elif state == "QUEUE_CALL" and session and session != day.last_session:
            if day.last_session:
                day.answered += 1  # the next queue call without leaving QUEUE_CALL
            day.last_session = session
        if self.outbox is not None:
            self.outbox.agents.add(key)

    def _agent_transition(
        self: WallboardState, day: AgentDay, state: str, t: float, *, count: bool = True
    ) -> None:
        old = day.state
        # Restored from a store and not yet told again what it was doing: the
        # pictures of its queues come one at a time, so the states in between are
        # not real episodes. No time counts until it is back in the saved state
        # (which then runs from its saved start) or something new happens after it.
        pending = bool(day.resume_state)
        if old and not pending:
            spent = t - day.since
            if spent > 0:
                day.state_s[old] = day.state_s.get(old, 0.0) + spent
            self.agent_counts[old] -= 1
            if self.agent_counts[old] <= 0:
                del self.agent_counts[old]
        if state:
            self.agent_counts[state] += 1
            present = state not in ABSENT_STATES
            if present and day.first_login is None:
                day.first_login = t
            if not present and old and old not in ABSENT_STATES:
                day.last_logout = t
            if state == "QUEUE_CALL":
                if count:
                    day.answered += 1  # a queue call taken
                day.ringing_since = None
        day.state = state
        day.since = max(day.since, t) if old else t
        if pending and state == day.resume_state:
            day.since = day.resume_since
            day.resume_state = ""
        elif pending and t > day.resume_since + 0.5:
            day.resume_state = ""  # the saved episode is over: this one is new

    def _rang(self: WallboardState, tenant: str, number: str, t: float) -> None:
        """The agent's phone rings for a call (v16 extension_call RINGING)."""
        day = self._agent_day_of(tenant, number)
        if day is not None and day.ringing_since is None:
            day.ringing_since = t

    def _ring_ended(self: WallboardState, tenant: str, number: str, answered: bool) -> None:
        """Ringing stopped: a miss unless the agent took the call."""
        day = self._agent_day_of(tenant, number)
        if day is None or day.ringing_since is None:
            return
        day.ringing_since = None
        if not answered:
            self._missed(day)

    def _missed(self: WallboardState, day: AgentDay) -> None:
        day.missed += 1
        if self.outbox is not None:
            self.outbox.agents.add((day.tenant_id, day.number))

    def missed_call(self: WallboardState, tenant: str, number: str) -> None:
        """v12: an agent that was rung did not answer (target_noanswer / target_fail)."""
        day = self._agent_day_of(tenant, number)
        if day is not None and day.state not in ABSENT_STATES:
            self._missed(day)

    def _agent_day_of(self: WallboardState, tenant: str, number: str) -> AgentDay | None:
        day = self.agent_days.get((tenant, number))
        if day is None and not tenant:
            for (_t, n), d in self.agent_days.items():
                if n == number:
                    return d
        return day

    # --------------------------------------------------------------- reads
    def agent_totals(self: WallboardState) -> tuple[int, int, int]:
        """(ready, busy, not ready) agents now, by aggregated state."""
        c = self.agent_counts
        return (
            c.get("READY", 0),
            sum(c.get(s, 0) for s in BUSY_STATES),
            c.get("NOT_READY", 0),
        )

    def agent_occupancy(self: WallboardState, day: AgentDay, now: float) -> float | None:
        return occupancy(
            day.seconds("QUEUE_CALL", now), day.seconds("WRAP_UP", now), day.seconds("READY", now)
        )

    def _reset_agent_days(self: WallboardState, t: float) -> None:
        """Midnight: every agent's day starts again in the state it is in now."""
        for key, day in list(self.agent_days.items()):
            if not day.state:
                del self.agent_days[key]
                continue
            fresh = AgentDay(tenant_id=day.tenant_id, number=day.number, state=day.state, since=t)
            fresh.last_session = day.last_session
            if day.state not in ABSENT_STATES:
                fresh.first_login = t
            self.agent_days[key] = fresh


__all__ = ["MAX_AGENT_DAYS", "AgentKey", "AgentTracking"]
