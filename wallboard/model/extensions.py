"""Extensions: registrations (v12), status pictures and call status (v16+), presence.

An extension is keyed by (tenant id, number). v12 events often carry no
tenant id: an extension first seen without one is re-keyed when an event
names its tenant; the same number in another tenant (v22 global topics) is
another extension.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wallboard.model.changes import EXTENSIONS, QUEUES
from wallboard.model.entities import TALKING_STATES, Extension
from wallboard.protocol.events import (
    ExtensionAgentStatus,
    ExtensionCall,
    ExtensionPresence,
    ExtensionRegister,
    ExtensionStatus,
    Management,
)

if TYPE_CHECKING:
    from wallboard.model.state import WallboardState

MAX_EXTENSIONS = 100_000
_TALKING = TALKING_STATES


class ExtensionHandlers:
    """Mixin of WallboardState: extension events and call status."""

    def extension(
        self: WallboardState, tenant: str, number: str, create: bool = True
    ) -> Extension | None:
        ext = self.extensions.get((tenant, number))
        if ext is None:
            ext = self._ext_by_number.get(number)
            if ext is not None and ext.tenant_id != tenant and tenant and ext.tenant_id:
                ext = None  # same number in another tenant (v22 global topics)
            if ext is not None and tenant and not ext.tenant_id:
                # First seen without a tenant id, now with one: re-key it.
                del self.extensions[("", number)]
                ext.tenant_id = tenant
                self.extensions[(tenant, number)] = ext
        if ext is None and create:
            ext = Extension(tenant_id=tenant, number=number)
            if len(self.extensions) >= MAX_EXTENSIONS:
                self.limits_dropped += 1
                return ext  # detached: updated by this event, then forgotten
            self.extensions[(tenant, number)] = ext
            self._ext_by_number.setdefault(number, ext)
        if ext is not None:
            self.dirty_extensions.add((ext.tenant_id, ext.number))
        return ext

    def name_of(self: WallboardState, tenant: str, number: str) -> str | None:
        """The display name of an extension (names file, else the PBX), or None."""
        return self.names.name(tenant, number)

    def _extension_register(self: WallboardState, ev: ExtensionRegister, t: float) -> int:
        ext = self.extension(ev.tenant_id, ev.number)
        assert ext is not None
        if ev.extension_id:
            ext.extension_id = ev.extension_id
        if ev.contacts is not None:
            ext.contacts = {c.key: c for c in ev.contacts}
            ext.contacts_known = True
        for c in ev.removed:
            if ext.contacts.pop(c.key, None) is None:
                for k, have in list(ext.contacts.items()):
                    if (c.address and have.address == c.address) or (c.uri and have.uri == c.uri):
                        del ext.contacts[k]
            ext.contacts_known = True
        ext.updated = t
        ext.stale = False
        return EXTENSIONS

    def _extension_status(self: WallboardState, ev: ExtensionStatus, t: float) -> int:
        for e in ev.entries:
            ext = self.extension(ev.tenant_id, e.number)
            assert ext is not None
            if e.extension_id:
                ext.extension_id = e.extension_id
            if e.online is not None:
                ext.online_flag = e.online
            if e.call_status is not None:
                self._call_status_changed(ext, e.call_status, t)
            if e.presence is not None:
                ext.presence = e.presence
            ext.presence_note = e.presence_note
            ext.updated = e.time if e.time is not None else t
            ext.stale = False
        return EXTENSIONS

    def _extension_call(self: WallboardState, ev: ExtensionCall, t: float) -> int:
        ext = self.extension(ev.tenant_id, ev.number)
        assert ext is not None
        self._call_status_changed(ext, ev.call_status, t)
        ext.updated = t
        return EXTENSIONS

    def _call_status_changed(self: WallboardState, ext: Extension, status: str, t: float) -> None:
        """v16+ call status: RINGING that stops without ON_CALL is an agent's missed call."""
        old = ext.call_status
        ext.call_status = status
        if status == old:
            return
        if status == "RINGING":
            self._rang(ext.tenant_id, ext.number, t)
        elif old == "RINGING":
            self._ring_ended(ext.tenant_id, ext.number, answered=status == "ON_CALL")

    def _extension_presence(self: WallboardState, ev: ExtensionPresence, t: float) -> int:
        ext = self.extension(ev.tenant_id, ev.number)
        assert ext is not None
        ext.presence = ev.presence
        ext.presence_note = ev.presence_note
        ext.updated = t
        return EXTENSIONS

    def _extension_agent_status(self: WallboardState, ev: ExtensionAgentStatus, t: float) -> int:
        for qnum, state in ev.statuses:
            q = self.queue(ev.tenant_id, "", qnum)
            self._set_agent(q, ev.number, state, t)
        ext = self.extension(ev.tenant_id, ev.number)
        assert ext is not None
        ext.updated = t
        return EXTENSIONS | QUEUES

    def _extension_management(self: WallboardState, ev: Management, t: float) -> int:
        if ev.kind == "extension_destroyed":
            ext = self.extension(ev.tenant_id, ev.extension_number, create=False)
            if ext is not None:
                del self.extensions[(ext.tenant_id, ext.number)]
                if self._ext_by_number.get(ext.number) is ext:
                    del self._ext_by_number[ext.number]
            self.names.forget(ev.tenant_id, ev.extension_number)
            return EXTENSIONS
        ext = self.extension(ev.tenant_id, ev.extension_number)
        assert ext is not None
        if ev.display_name:
            self.names.set_pbx_name(ext.tenant_id, ext.number, ev.display_name)
        return EXTENSIONS

    # --------------------------------------------------------- call status
    def call_status_of(
        self: WallboardState, ext: Extension, by_party: dict[str, str] | None = None
    ) -> str:
        """Explicit v16+ status, else derived from the active calls (v12 has no such event)."""
        if ext.call_status is not None:
            return ext.call_status
        if by_party is None:
            by_party = self.derived_call_status()
        return by_party.get(ext.number, "")

    def derived_call_status(self: WallboardState) -> dict[str, str]:
        out: dict[str, str] = {}
        for c in self.calls.values():
            talking = c.state in _TALKING
            for p in (c.caller, c.answered_by or c.callee) if talking else (c.caller,):
                if p:
                    out[p] = "ON_CALL"
            if not talking:
                for p in c.targets or {c.callee}:
                    if p and out.get(p) != "ON_CALL":
                        out[p] = "RINGING"
        return out


__all__ = ["MAX_EXTENSIONS", "ExtensionHandlers"]
