"""Typed, dialect-neutral events.

The parser maps all three WSI generations onto these classes, so the model
never looks at a raw dict or asks which dialect it is reading. Slotted
dataclasses: hundreds of thousands are built per minute in a rush.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Reply:
    """A command reply: any object with `status` and no `event_type`."""

    status: int
    command: str = ""
    error: str = ""
    id: str = ""

    @property
    def ok(self) -> bool:
        return self.status == 0


@dataclass(slots=True)
class Unknown:
    """A well-formed event whose `event_type` the wallboard does not know."""

    event_type: str
    time: float | None = None


@dataclass(slots=True)
class Invalid:
    """A frame that cannot be used, with the reason a person can read."""

    reason: str


@dataclass(slots=True)
class Contact:
    """One registered device of an extension (v12 `registration_contacts`)."""

    key: str
    uri: str = ""
    user_agent: str = ""
    address: str = ""
    expires: float | None = None
    last_update: float | None = None


@dataclass(slots=True)
class ExtensionRegister:
    tenant_id: str
    number: str
    extension_id: str
    contacts: list[Contact] | None  # the full current set when present
    removed: list[Contact]
    time: float | None


@dataclass(slots=True)
class ExtensionStatusEntry:
    number: str
    extension_id: str
    online: bool | None
    call_status: str | None
    presence: str | None
    presence_note: str
    time: float | None


@dataclass(slots=True)
class ExtensionStatus:
    """v16+ picture of several extensions (after subscribe, and on/offline changes)."""

    tenant_id: str
    entries: list[ExtensionStatusEntry]
    time: float | None


@dataclass(slots=True)
class ExtensionCall:
    tenant_id: str
    number: str
    call_status: str
    time: float | None


@dataclass(slots=True)
class ExtensionPresence:
    tenant_id: str
    number: str
    presence: str | None
    presence_note: str
    time: float | None


@dataclass(slots=True)
class ExtensionAgentStatus:
    """v16 per-extension list of (queue number, agent state)."""

    tenant_id: str
    number: str
    statuses: list[tuple[str, str]]
    time: float | None


# v12 call lifecycle kinds plus the v16+ cdr_events ones.
CALL_KINDS = frozenset(
    {
        "call_start",
        "call_established",
        "call_hold",
        "call_unhold",
        "call_ended",
        "call_noanswer",
        "call_fail",
        "call_reroute",
        "target_add",
        "target_ringing",
        "target_noanswer",
        "target_fail",
        "target_ended",
        "call_update_info",
    }
)


@dataclass(slots=True)
class CallEvent:
    kind: str
    session_id: str
    tenant_id: str
    caller: str
    callee: str
    caller_name: str
    callee_name: str
    direction: str
    call_target: str
    aor: str
    peer_aor: str
    fail_code: int | None
    did: str
    time: float | None


@dataclass(slots=True)
class CallCdr:
    session_id: str
    tenant_id: str
    caller: str
    callee: str
    caller_name: str
    direction: str
    call_status: str
    start_time: float | None
    answered_time: float | None
    ended_time: float | None
    talk_duration: float | None
    ring_duration: float | None
    ended_reason: str
    trunk_name: str
    status_code: int | None
    time: float | None


@dataclass(slots=True)
class QueueCaller:
    session_id: str
    caller_number: str
    caller_name: str
    reason: str
    type: str
    position: int | None
    time: float | None


@dataclass(slots=True)
class QueueAgent:
    extension: str
    state: str | None
    session_id: str
    caller_number: str
    caller_name: str
    time: float | None


@dataclass(slots=True)
class QueueStatus:
    """Full picture of one queue (v16 after subscribe; v12 on every change)."""

    tenant_id: str
    queue_id: str
    queue_number: str
    queue_name: str
    waiting: list[QueueCaller] | None  # None: not in the message (keep what we know)
    agents: list[QueueAgent] | None
    time: float | None


@dataclass(slots=True)
class QueueCallerStatus:
    tenant_id: str
    queue_id: str
    callers: list[QueueCaller]
    time: float | None


@dataclass(slots=True)
class QueueAgentStatus:
    tenant_id: str
    queue_id: str
    updated: list[QueueAgent]
    removed: list[str]
    time: float | None


@dataclass(slots=True)
class QueueSlaBreached:
    tenant_id: str
    queue_id: str
    caller: str
    total_callers_breached: int | None
    sla_time_secs: float | None
    waiting_callers: int | None
    time: float | None


@dataclass(slots=True)
class QueueMemberState:
    """v12 `queue_member_state`: an agent set ready / not ready in one queue."""

    tenant_id: str
    queue_id: str
    queue_number: str
    extension: str
    state: str
    time: float | None


@dataclass(slots=True)
class TrunkEvent:
    tenant_id: str
    name: str
    connected: bool
    reason: str
    time: float | None


@dataclass(slots=True)
class Management:
    """v22 extension/queue created, updated, destroyed."""

    kind: str
    tenant_id: str
    extension_number: str = ""
    display_name: str = ""
    queue_number: str = ""
    queue_name: str = ""
    enabled: bool | None = None
    time: float | None = None
    extra: dict[str, str] = field(default_factory=dict)


Event = (
    ExtensionRegister
    | ExtensionStatus
    | ExtensionCall
    | ExtensionPresence
    | ExtensionAgentStatus
    | CallEvent
    | CallCdr
    | QueueStatus
    | QueueCallerStatus
    | QueueAgentStatus
    | QueueSlaBreached
    | QueueMemberState
    | TrunkEvent
    | Management
)
Parsed = Event | Reply | Unknown | Invalid
