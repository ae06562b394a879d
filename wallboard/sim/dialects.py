"""Render traffic happenings as the JSON a PBX of each WSI dialect pushes.

Each happening becomes zero or more `Out` records: the topic it belongs to,
its `event_type` (the v12 subscription key), which extensions and which queue
it concerns (so the server can apply per-client filters and permissions), and
the payload dict. Shapes follow the documented examples in
shared/protocol/examples/, including their type drift: v12 `time` is a
string, `fail_code` a number, v16 `timestamp`s and most CDR durations are
strings while the CDR's top-level `talk_duration` is a number.

Undocumented v12 payloads (the seed names them but shows no JSON):
- target_* and call_reroute: the call-event fields plus `call_target`
  (`sip:NUM@demo.local`); target_fail also has `fail_code`.
- queue_status: the v16 queue_status shape, sent on every change of a queue
  (coalesced to at most one per queue per 0.5 s of virtual time).
- queue_member_state: event_type, tenant_id, queue_id, queue_number,
  agent_extension_number, state, time.
- trunk_connected / trunk_disconnected: event_type, tenant_id, trunk_name, time.
- call_cdr: the v16 call_cdr shape.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from wallboard.sim.accounts import Dialect, Roster
from wallboard.sim.entities import Call, Caller, Contact, Ext, Queue
from wallboard.sim.registrations import PRESENCE_NOTES
from wallboard.sim.traffic import Traffic

STATUS_CHUNK = 200  # extension_status entries per message (keeps frames well under 1 MiB)
_V12_DIRECTION = {"internal": "ext", "inbound": "in", "outbound": "out"}
_TRUNK_ADDRESS = "198.51.100.7"


class Out(NamedTuple):
    """One event to deliver: where it belongs and what it says."""

    topic: str
    event_type: str
    exts: tuple[str, ...] | None  # extensions it concerns (None: not extension-scoped)
    queue: str | None  # queue number it concerns
    payload: dict[str, Any]


def _ts(t: float | None) -> str:
    return "0" if t is None else str(int(t))


class Renderer:
    """Builds the payloads of one dialect from the live traffic objects."""

    def __init__(self, dialect: Dialect, roster: Roster, traffic: Traffic) -> None:
        self.dialect = dialect
        self.roster = roster
        self.traffic = traffic
        self.tenant_id = roster.tenant_id
        self.domain = roster.domain
        table: dict[str, Callable[[dict[str, Any]], list[Out]]]
        if dialect == "v12":
            table = {
                "register": self._v12_register,
                "call_start": self._v12_call_start,
                "target": self._v12_target,
                "call": self._v12_call,
                "hold": self._v12_hold,
                "cdr": self._cdr,
                "queue_status": self._v12_queue_status,
                "agent": self._v12_agent,
                "trunk": self._v12_trunk,
            }
        else:
            table = {
                "register": self._v16_register,
                "presence": self._v16_presence,
                "ext_call": self._v16_ext_call,
                "agent": self._v16_agent,
                "call_start": self._v16_call_start,
                "cdr": self._cdr,
                "queue_caller": self._v16_queue_caller,
                "sla": self._v16_sla,
            }
            if dialect == "v22":
                table["call_update"] = self._v22_call_update
                table["mgmt"] = self._v22_mgmt
        self._table = table

    def render(self, kind: str, data: dict[str, Any]) -> list[Out]:
        fn = self._table.get(kind)
        return fn(data) if fn is not None else []

    def uri(self, number: str) -> str:
        return f"sip:{number}@{self.domain}"

    @property
    def now(self) -> str:
        return str(int(self.traffic.now))

    # --- shared pieces -------------------------------------------------------

    def _cdr(self, d: dict[str, Any]) -> list[Out]:
        call: Call = d["call"]
        ended = call.ended if call.ended is not None else self.traffic.now
        targets = []
        for leg in call.legs:
            leg_end = leg.ended_time if leg.ended_time is not None else ended
            ring_end = leg.answered_time if leg.answered_time is not None else leg_end
            talk = leg_end - leg.answered_time if leg.answered_time is not None else 0
            targets.append(
                {
                    "answered_time": _ts(leg.answered_time),
                    "call_type": "normal_call",
                    "callee": leg.callee,
                    "caller": call.caller,
                    "destination": leg.destination,
                    "did": call.did,
                    "end_reason": leg.end_reason,
                    "ended_time": _ts(leg_end),
                    "id": call.cdr_id,
                    "outbound_caller_id": "",
                    "ring_duration": str(int(ring_end - leg.ring_time)),
                    "ring_time": _ts(leg.ring_time),
                    "start_time": _ts(leg.ring_time),
                    "status": leg.status,
                    "status_code": leg.status_code,
                    "talk_duration": str(int(talk)),
                    "trunk_name": call.trunk,
                }
            )
        first_ring = call.legs[0].ring_time if call.legs else call.started
        ring_end = call.answered if call.answered is not None else ended
        talk = int(ended - call.answered) if call.answered is not None else 0
        payload = {
            "answered_time": _ts(call.answered),
            "call_id": call.call_id,
            "call_status": call.status,
            "call_targets": targets,
            "callee": call.callee,
            "callee_domain": self.domain,
            "caller": call.caller,
            "caller_display_name": call.caller_name,
            "caller_domain": _TRUNK_ADDRESS if call.direction == "inbound" else self.domain,
            "did": call.did,
            "direction": call.direction,
            "ended_reason": call.end_reason,
            "ended_time": _ts(ended),
            "event_type": "call_cdr",
            "outbound_caller_id": "",
            "ring_duration": str(int(max(0.0, ring_end - first_ring))),
            "ring_time": _ts(first_ring),
            "session_id": call.session_id,
            "start_time": _ts(call.started),
            "status_code": str(call.status_code),
            "talk_duration": talk,
            "tenant_id": self.tenant_id,
            "tenant_name": self.roster.tenant_name,
            "trunk_name": call.trunk,
            "user_data": "",
        }
        return [Out("cdr_events", "call_cdr", tuple(call.parties), None, payload)]

    def agent_entry(self, ext: Ext) -> dict[str, Any]:
        call = ext.call if ext.activity == "queue" else None
        number = name = sid = ""
        if call is not None:
            sid = call.session_id
            if call.direction == "outbound":  # a callback: the customer is the callee
                number, name = call.callee, call.callee_name
            else:
                number, name = call.caller, call.caller_name
        return {
            "state": ext.agent_state,
            "agent_extension_number": ext.number,
            "session_id": sid,
            "caller_number": number,
            "caller_name": name,
            "timestamp": _ts(ext.agent_since),
        }

    @staticmethod
    def waiting_entry(position: int, caller: Caller) -> dict[str, Any]:
        return {
            "position": str(position),
            "session_id": caller.call.session_id,
            "caller_number": caller.number,
            "caller_name": caller.name,
            "timestamp": _ts(caller.since),
            "type": caller.type,
        }

    def queue_status(self, queue: Queue) -> dict[str, Any]:
        """The full picture of one queue (v16 shape; also v12's queue_status)."""
        return {
            "event_type": "queue_status",
            "tenant_id": self.tenant_id,
            "queue_id": queue.queue_id,
            "queue_number": queue.number,
            "queue_name": queue.name,
            "waiting_list": [self.waiting_entry(i, c) for i, c in enumerate(queue.waiting, 1)],
            "agents": [self.agent_entry(a) for a in queue.agents if a.logged_in],
        }

    def status_entry(self, ext: Ext) -> dict[str, Any]:
        return {
            "extension": self.uri(ext.number),
            "extension_id": ext.ext_id,
            "call_status": ext.call_status,
            "online": ext.online,
            "presence": ext.presence,
            "presence_note": _presence_note(ext.presence),
            "push_online": False,
            "time": self.now,
        }

    def extension_status(self, numbers: list[str]) -> list[dict[str, Any]]:
        """`extension_status` pictures for `numbers`, split into frames of STATUS_CHUNK."""
        exts = self.traffic.exts
        out = []
        for i in range(0, len(numbers), STATUS_CHUNK):
            out.append(
                {
                    "event_type": "extension_status",
                    "status": [self.status_entry(exts[n]) for n in numbers[i : i + STATUS_CHUNK]],
                    "tenant_id": self.tenant_id,
                }
            )
        return out

    # --- v12 -----------------------------------------------------------------

    def _contact(self, c: Contact, removed: bool = False) -> dict[str, Any]:
        uri = c.contact_uri
        if removed:
            uri = f'<sip:{c.number}@{c.address}>;expires=0;+sip.instance="{c.instance}"'
        return {
            "contact_uri": uri,
            "expires": c.expires,
            "instance": c.instance,
            "last_update": c.last_update,
            "public_address": c.address,
            "received_from": c.address,
            "reg_id": 0,
            "user_agent": c.user_agent,
        }

    def _v12_tail(self, p: dict[str, Any]) -> dict[str, Any]:
        p["tenant_id"] = self.tenant_id
        p["tenant_name"] = self.roster.tenant_name
        p["time"] = self.now
        return p

    def _v12_register(self, d: dict[str, Any]) -> list[Out]:
        ext: Ext = d["ext"]
        removed: list[Contact] = d["removed"]
        p: dict[str, Any] = {
            "event_type": "extension_register",
            "extension": self.uri(ext.number),
            "extension_id": ext.ext_id,
        }
        if ext.contacts:
            p["registration_contacts"] = [self._contact(c) for c in ext.contacts]
        if removed:
            p["removed_contacts"] = [self._contact(c, True) for c in removed]
        return [
            Out("extension_events", "extension_register", (ext.number,), None, self._v12_tail(p))
        ]

    def _v12_call_fields(self, call: Call, event_type: str, target: str | None) -> dict[str, Any]:
        p: dict[str, Any] = {"call_id": call.call_id}
        if target is not None:
            p["call_target"] = self.uri(target) if target else ""
        p["callee"] = self.uri(call.callee)
        p["caller"] = self.uri(call.caller)
        p["event_type"] = event_type
        p["session_id"] = call.session_id
        return p

    def _v12_call_start(self, d: dict[str, Any]) -> list[Out]:
        call: Call = d["call"]
        p = {
            "call_id": call.call_id,
            "callee": self.uri(call.callee),
            "caller": self.uri(call.caller),
            "caller_display_name": call.caller_name,
            "cdr_id": call.cdr_id,
            "direction": _V12_DIRECTION[call.direction],
            "event_type": "call_start",
            "request_id": "0",
            "session_id": call.session_id,
        }
        return [Out("extension_events", "call_start", tuple(call.parties), None, self._v12_tail(p))]

    def _v12_target(self, d: dict[str, Any]) -> list[Out]:
        call: Call = d["call"]
        event_type = "target_" + d["what"]
        p = self._v12_call_fields(call, event_type, d["target"])
        if d["what"] == "fail":
            p["fail_code"] = d["code"] or 480
        return [Out("extension_events", event_type, tuple(call.parties), None, self._v12_tail(p))]

    def _v12_call(self, d: dict[str, Any]) -> list[Out]:
        call: Call = d["call"]
        event_type = "call_" + d["what"]
        p = self._v12_call_fields(call, event_type, d["target"])
        if d["what"] == "fail":
            p["fail_code"] = d["code"] or 480
        return [Out("extension_events", event_type, tuple(call.parties), None, self._v12_tail(p))]

    def _v12_hold(self, d: dict[str, Any]) -> list[Out]:
        call: Call = d["call"]
        event_type = "call_hold" if d["held"] else "call_unhold"
        p = {
            "aor": self.uri(d["aor"]),
            "call_id": call.call_id,
            "event_type": event_type,
            "peer_aor": self.uri(d["peer"]),
            "session_id": call.session_id,
        }
        return [Out("extension_events", event_type, tuple(call.parties), None, self._v12_tail(p))]

    def _v12_queue_status(self, d: dict[str, Any]) -> list[Out]:
        queue: Queue = d["queue"]
        return [Out("queue_events", "queue_status", None, queue.number, self.queue_status(queue))]

    def _v12_agent(self, d: dict[str, Any]) -> list[Out]:
        ext: Ext = d["ext"]
        queue: Queue = d["queue"]
        p = {
            "event_type": "queue_member_state",
            "tenant_id": self.tenant_id,
            "queue_id": queue.queue_id,
            "queue_number": queue.number,
            "agent_extension_number": ext.number,
            "state": d["state"],
            "time": self.now,
        }
        return [Out("queue_events", "queue_member_state", None, queue.number, p)]

    def _v12_trunk(self, d: dict[str, Any]) -> list[Out]:
        trunk = d["trunk"]
        event_type = "trunk_connected" if trunk.connected else "trunk_disconnected"
        p = {
            "event_type": event_type,
            "tenant_id": self.tenant_id,
            "trunk_name": trunk.name,
            "time": self.now,
        }
        return [Out("trunk_events", event_type, None, None, p)]

    # --- v16 / v22 -----------------------------------------------------------

    def _v16_register(self, d: dict[str, Any]) -> list[Out]:
        if not d["online_changed"]:
            return []
        ext: Ext = d["ext"]
        p = self.extension_status([ext.number])[0]
        return [Out("extension_events", "extension_status", (ext.number,), None, p)]

    def _v16_presence(self, d: dict[str, Any]) -> list[Out]:
        ext: Ext = d["ext"]
        p = {
            "event_type": "extension_presence",
            "extension": self.uri(ext.number),
            "presence": ext.presence,
            "presence_note": _presence_note(ext.presence),
            "tenant_id": self.tenant_id,
            "extension_id": ext.ext_id,
            "time": self.now,
        }
        return [Out("extension_events", "extension_presence", (ext.number,), None, p)]

    def _v16_ext_call(self, d: dict[str, Any]) -> list[Out]:
        ext: Ext = d["ext"]
        p = {
            "event_type": "extension_call",
            "extension": self.uri(ext.number),
            "call_status": ext.call_status,
            "tenant_id": self.tenant_id,
            "extension_id": ext.ext_id,
            "time": self.now,
        }
        return [Out("extension_events", "extension_call", (ext.number,), None, p)]

    def _v16_agent(self, d: dict[str, Any]) -> list[Out]:
        ext: Ext = d["ext"]
        queue: Queue = d["queue"]
        state: str = d["state"]
        logged_out = state == "LOGGED_OUT"
        p1 = {
            "agent_status": [
                {"queue_number": queue.number, "status": "Logout" if logged_out else state}
            ],
            "event_type": "extension_agent_status",
            "extension": self.uri(ext.number),
            "extension_id": ext.ext_id,
            "tenant_id": self.tenant_id,
            "time": self.now,
        }
        p2 = {
            "event_type": "queue_agent_status",
            "queue_id": queue.queue_id,
            "tenant_id": self.tenant_id,
            "updated_agents": [] if logged_out else [self.agent_entry(ext)],
            "removed_agents": [{"agent_extension_number": ext.number}] if logged_out else [],
        }
        return [
            Out("extension_events", "extension_agent_status", (ext.number,), None, p1),
            Out("queue_events", "queue_agent_status", None, queue.number, p2),
        ]

    def _call_info(self, call: Call, event_type: str) -> dict[str, Any]:
        p: dict[str, Any] = {
            "event_type": event_type,
            "time": self.now,
            "session_id": call.session_id,
            "cdr_id": call.cdr_id,
            "direction": call.direction,
        }
        if event_type == "call_start":
            p["user_data"] = ""
            p["call_id"] = call.call_id
        p["caller_display_name"] = call.caller_name
        p["caller"] = call.caller
        p["callee_display_name"] = call.cur_name
        p["callee"] = call.cur
        p["tenant_id"] = self.tenant_id
        p["did"] = call.did
        p["outbound_caller_id"] = ""
        return p

    def _v16_call_start(self, d: dict[str, Any]) -> list[Out]:
        call: Call = d["call"]
        p = self._call_info(call, "call_start")
        return [Out("cdr_events", "call_start", tuple(call.parties), None, p)]

    def _v22_call_update(self, d: dict[str, Any]) -> list[Out]:
        call: Call = d["call"]
        p = self._call_info(call, "call_update_info")
        return [Out("cdr_events", "call_update_info", tuple(call.parties), None, p)]

    def _v16_queue_caller(self, d: dict[str, Any]) -> list[Out]:
        queue: Queue = d["queue"]
        entry = self.waiting_entry(d["position"], d["caller"])
        entry["reason"] = d["reason"]
        entry["timestamp"] = self.now
        p = {
            "event_type": "queue_caller_status",
            "tenant_id": self.tenant_id,
            "queue_id": queue.queue_id,
            "updated_callers": [entry],
        }
        return [Out("queue_events", "queue_caller_status", None, queue.number, p)]

    def _v16_sla(self, d: dict[str, Any]) -> list[Out]:
        queue: Queue = d["queue"]
        caller: Caller = d["caller"]
        p = {
            "event_type": "queue_sla_breached",
            "queue_id": queue.queue_id,
            "tenant_id": self.tenant_id,
            "caller": caller.number,
            "session_id": caller.call.session_id,
            "total_callers_breached": queue.breaches,
            "sla_time_secs": queue.sla,
            "waiting_callers": len(queue.waiting),
            "timestamp": self.now,
        }
        return [Out("queue_events", "queue_sla_breached", None, queue.number, p)]

    def _v22_mgmt(self, d: dict[str, Any]) -> list[Out]:
        p = dict(d["event"])
        p["tenant_id"] = self.tenant_id
        event_type: str = p["event_type"]
        topic = (
            "extension_management_events"
            if event_type.startswith("extension_")
            else "queue_management_events"
        )
        return [Out(topic, event_type, None, None, p)]


def _presence_note(presence: str) -> str:
    return PRESENCE_NOTES.get(presence, "")
