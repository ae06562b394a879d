"""The things a wallboard tracks: extensions, calls, queues, agents, trunks.

Plain slotted dataclasses owned by :class:`~wallboard.model.state.WallboardState`;
the UI reads them and never writes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from wallboard.protocol.events import Contact

CALL_STATES = ("setup", "ringing", "established", "held")

# Agent states that count as "busy" on the KPI tiles.
BUSY_STATES = frozenset({"QUEUE_CALL", "WRAP_UP", "OTHER_CALL"})
AWAY_STATES = frozenset({"NOT_READY"})
ABSENT_STATES = frozenset({"LOGGED_OUT", "OFFLINE"})


@dataclass(slots=True)
class Extension:
    tenant_id: str
    number: str
    extension_id: str = ""
    name: str = ""
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
class QueueStats:
    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    overflowed: int = 0
    callbacks: int = 0
    sla_breaches: int = 0
    # Wait of every answered caller whose enqueue time we know; kept so the
    # service level can be recomputed exactly when the SLA threshold changes.
    answer_waits: list[float] = field(default_factory=list)
    abandon_waits: list[float] = field(default_factory=list)


@dataclass(slots=True)
class Queue:
    queue_id: str
    number: str
    name: str = ""
    tenant_id: str = ""
    waiting: dict[str, Waiter] = field(default_factory=dict)
    agents: dict[str, Agent] = field(default_factory=dict)
    stats: QueueStats = field(default_factory=QueueStats)
    sla_threshold: float | None = None  # from the PBX (`sla_time_secs`)
    seen: set[str] = field(default_factory=set)  # sessions already counted as offered today
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
    """A recent call end (from call_ended/noanswer/fail or a CDR), for the history panel."""

    session_id: str
    outcome: str  # ended | noanswer | failed
    caller: str
    callee: str
    caller_name: str
    direction: str
    started: float
    answered: float | None
    ended: float
    reason: str = ""


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
