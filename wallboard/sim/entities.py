"""The things of the simulated PBX: extensions and their devices, calls, queues, trunks.

Plain mutable records with identity (`eq=False`): the traffic layers change
them in place and the renderer reads them live, so two equal-looking calls are
still two calls.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(eq=False)
class Contact:
    """One registered device of an extension."""

    instance: str
    user_agent: str
    address: str  # ip:port
    expires: int
    last_update: int
    number: str

    @property
    def contact_uri(self) -> str:
        return f'<sip:{self.number}@{self.address}>;+sip.instance="{self.instance}"'


@dataclass(eq=False)
class Ext:
    """A simulated extension (every one is also an agent of one queue)."""

    number: str
    ext_id: str
    name: str
    queue: Queue | None = None
    contacts: list[Contact] = field(default_factory=list)
    presence: str = "AVAILABLE"
    call_status: str = ""  # "", "RINGING", "ON_CALL"
    call: Call | None = None
    activity: str = ""  # "", "queue", "other", "wrap"
    base: str = "READY"  # READY / NOT_READY chosen by the agent
    logged_in: bool = True
    agent_state: str = ""
    agent_since: float = 0.0
    brk_token: int = 0  # bumped to invalidate a scheduled break end
    wrap_token: int = 0  # bumped to invalidate a scheduled wrap-up end

    @property
    def online(self) -> bool:
        return bool(self.contacts)


@dataclass(eq=False)
class Leg:
    """One target the PBX tried for a call (a CDR `call_targets` entry)."""

    callee: str
    destination: str
    ring_time: float
    answered_time: float | None = None
    ended_time: float | None = None
    status: str = "noanswer"
    status_code: int = 0
    end_reason: str = "None"


@dataclass(eq=False)
class Call:
    """A call in progress, keyed by `session_id`."""

    session_id: str
    cdr_id: str
    call_id: str
    caller: str
    caller_name: str
    callee: str
    callee_name: str
    direction: str  # internal | inbound | outbound
    started: float
    cur: str = ""  # the current destination (IVR, queue, agent, voicemail)
    cur_name: str = ""
    trunk: str = ""
    did: str = ""
    phase: str = "setup"
    answered: float | None = None
    target: str = ""  # who answered (number)
    parties: list[str] = field(default_factory=list)  # extension numbers involved
    legs: list[Leg] = field(default_factory=list)
    ringing: Ext | None = None
    queue_leg: Leg | None = None
    agent: Ext | None = None
    queue: Queue | None = None
    held: bool = False
    token: int = 0
    ended: float | None = None
    status: str = "answered"
    status_code: int = 0
    end_reason: str = "caller_disconnect"

    def add_party(self, number: str) -> None:
        if number not in self.parties:
            self.parties.append(number)


@dataclass(eq=False)
class Caller:
    """A caller waiting in a queue (or a booked callback)."""

    call: Call
    number: str
    name: str
    since: float
    type: str = "normal"  # normal | callback
    offered_to: Ext | None = None
    breached: bool = False


@dataclass(eq=False)
class Queue:
    number: str
    queue_id: str
    name: str
    sla: int
    max_wait: int
    agents: list[Ext] = field(default_factory=list)
    waiting: list[Caller] = field(default_factory=list)
    breaches: int = 0
    dirty: bool = False


@dataclass(eq=False)
class Trunk:
    name: str
    connected: bool
    since: float
    flaky: bool = False
