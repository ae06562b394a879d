"""The things a wallboard tracks: extensions, calls, queues, agents, trunks.

Plain slotted dataclasses owned by :class:`~wallboard.model.state.WallboardState`;
the UI reads them and never writes them.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from wallboard.model.tally import Tally
from wallboard.protocol.events import Contact

CALL_STATES = ("setup", "ringing", "established", "held")
# A call whose parties talk (on hold included): what "on a call" means everywhere.
TALKING_STATES = ("established", "held")
TREND_MINUTES = 60

# Agent states that count as "busy" on the KPI tiles.
BUSY_STATES = frozenset({"QUEUE_CALL", "WRAP_UP", "OTHER_CALL"})
AWAY_STATES = frozenset({"NOT_READY"})
ABSENT_STATES = frozenset({"LOGGED_OUT", "OFFLINE"})
# An agent in several queues is shown in its most telling state: on a queue
# call beats on another call beats wrap-up ... beats offline; unknown last.
AGENT_RANK = {
    "QUEUE_CALL": 0,
    "OTHER_CALL": 1,
    "WRAP_UP": 2,
    "READY": 3,
    "NOT_READY": 4,
    "LOGGED_OUT": 5,
    "OFFLINE": 6,
}


def agent_rank(state: str) -> int:
    return AGENT_RANK.get(state, 7)


@dataclass(slots=True)
class Extension:
    tenant_id: str
    number: str
    extension_id: str = ""
    contacts: dict[str, Contact] = field(default_factory=dict)
    contacts_known: bool = False  # v12 registrations tell us the contact set
    online_flag: bool | None = None  # v16+ `online` from extension_status
    call_status: str | None = None  # explicit v16+ value; None = derive from calls
    presence: str | None = None
    presence_note: str = ""
    agent_states: dict[str, str] = field(default_factory=dict)  # queue number → state
    updated: float | None = None
    stale: bool = False

    def live_contacts(self, now: float) -> list[Contact]:
        """Contacts whose absolute `expires` has not passed (no expiry = still there)."""
        return [c for c in self.contacts.values() if c.expires is None or c.expires > now]

    def is_online(self, now: float) -> bool:
        if self.contacts_known:
            return bool(self.live_contacts(now))
        return bool(self.online_flag)


@dataclass(slots=True)
class Call:
    session_id: str
    tenant_id: str = ""
    caller: str = ""
    callee: str = ""
    caller_name: str = ""
    callee_name: str = ""
    direction: str = "unknown"
    state: str = "setup"
    started: float = 0.0
    answered: float | None = None
    answered_by: str = ""
    connected: float | None = None  # when `answered_by` joined (the answer, for a queue call)
    held_by: str = ""
    targets: set[str] = field(default_factory=set)
    reroutes: int = 0
    did: str = ""
    queue: str = ""
    stale: bool = False
    updated: float = 0.0

    def parties(self) -> set[str]:
        p = {self.caller, self.callee, *self.targets}
        if self.answered_by:
            p.add(self.answered_by)
        p.discard("")
        return p


@dataclass(slots=True)
class Waiter:
    """A caller waiting in a queue (or a booked callback still listed)."""

    session_id: str
    caller_number: str
    caller_name: str
    since: float
    type: str = "normal"
    position: int | None = None


@dataclass(slots=True)
class Agent:
    extension: str
    state: str
    since: float
    session_id: str = ""
    caller_number: str = ""
    caller_name: str = ""


@dataclass(slots=True)
class Queue:
    queue_id: str
    number: str
    name: str = ""
    tenant_id: str = ""
    waiting: dict[str, Waiter] = field(default_factory=dict)
    agents: dict[str, Agent] = field(default_factory=dict)
    stats: Tally = field(default_factory=Tally)  # today so far
    intervals: dict[float, Tally] = field(default_factory=dict)  # today's, by start time
    sla_threshold: float | None = None  # from the PBX (`sla_time_secs`)
    seen: set[str] = field(default_factory=set)  # sessions already counted as offered today
    callbacks_waiting: int = 0  # of `waiting`, the booked callbacks (not counted as waiting)
    # Waiting callers over the last hour: (minute start, most waiting in it).
    trend: deque[tuple[float, int]] = field(default_factory=lambda: deque(maxlen=TREND_MINUTES))
    updated: float | None = None
    stale: bool = False  # not confirmed since a reconnect (a PBX restart may have removed it)


@dataclass(slots=True)
class Trunk:
    name: str
    connected: bool
    since: float
    reason: str = ""
    flaps: int = 0


@dataclass(slots=True)
class FinishedCall:
    """A finished call of the day: a call end, or a queue caller who hung up waiting.

    `outcome` is the call's (ended | noanswer | failed; abandoned for a caller
    who hung up waiting); `queue_outcome` says how its queue visit ended
    (answered | abandoned | overflowed | callback | other; "" if it had none).
    `wait` is the time in the queue when known.
    """

    session_id: str
    outcome: str
    caller: str
    callee: str
    caller_name: str
    direction: str
    started: float
    answered: float | None
    ended: float
    reason: str = ""
    queue: str = ""  # queue number (or id) the caller waited in
    queue_outcome: str = ""
    wait: float | None = None
    agent: str = ""

    @property
    def talk(self) -> float | None:
        return None if self.answered is None else max(0.0, self.ended - self.answered)


@dataclass(slots=True)
class SourceInfo:
    """Where frames come from and how that connection is doing (set by the feed)."""

    kind: str = "replay"  # replay | live
    dialect: str = "v12"
    status: str = "disconnected"  # connected | reconnecting | disconnected | auth_failed | finished
    url: str = ""
    attempt: int = 0
    retry_in: float | None = None
    last_error: str = ""
    since: float | None = None
    last_frame_at: float | None = None
    insecure: bool = False
    # Frames come as fast as they can be applied (`replay --speed 0`): what is on
    # screen may redraw once a second; every pass would redo most rows for nothing.
    flat_out: bool = False


@dataclass(slots=True)
class AgentDay:
    """One agent (an extension in at least one queue) today.

    `state` is its most telling state across its queues (`agent_rank`);
    `state_s` holds the seconds spent in each state before the current one,
    which still runs from `since` (read through `seconds()`).
    """

    tenant_id: str
    number: str
    state: str = ""
    since: float = 0.0
    answered: int = 0  # queue calls taken
    missed: int = 0  # rang for a call and did not answer
    state_s: dict[str, float] = field(default_factory=dict)
    first_login: float | None = None
    last_logout: float | None = None
    last_session: str = ""
    ringing_since: float | None = None  # rung now for a call (missed if it stops unanswered)
    # Restored from a store: the state (and its start) it was in when saved.
    resume_state: str = ""
    resume_since: float = 0.0

    def seconds(self, state: str, now: float) -> float:
        s = self.state_s.get(state, 0.0)
        if state == self.state and now > self.since:
            s += now - self.since
        return s


@dataclass(slots=True)
class Notice:
    """A line the model itself adds to the event log (e.g. an unknown caller reason)."""

    text: str
    time: float | None = None
