"""Extensions, trunks and one extension's registered contacts."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from wallboard.model.state import TRUNKS
from wallboard.ui.derived import Changes
from wallboard.ui.fmt import CALL_STATUS_STYLE, PRESENCE_STYLE, agent_label, dur, hms
from wallboard.ui.panel import Ctx
from wallboard.ui.rowspanel import RowsPanel, nat, num
from wallboard.ui.tablerows import Column
from wallboard.ui.tables.agents import NamedRows
from wallboard.ui.vpaint import CellT


class ExtRec(NamedTuple):
    tenant_id: str
    number: str
    name: str
    online: bool
    stale: bool
    presence: str  # as received (its style)
    presence_text: str  # with the note
    status: str
    contacts: int | None
    agent: str


EXTENSION_COLUMNS: tuple[Column[ExtRec], ...] = (
    Column("ext", "Ext", 6, lambda r: nat(r.number)),
    Column("name", "Name", 16, lambda r: r.name.lower()),
    Column("online", "Online", 7, lambda r: r.online),
    Column("presence", "Presence", 10, lambda r: r.presence_text),
    Column("call", "Call", 8, lambda r: r.status),
    Column("contacts", "Contacts", 8, lambda r: num(r.contacts), "right"),
    Column("agent", "Agent", 18, lambda r: r.agent),
)


class ExtensionsTable(NamedRows):
    """Every extension: presence, call status, registered contacts, agent states."""

    TITLE = "Extensions"
    DETAIL = "extension"
    COLUMNS = EXTENSION_COLUMNS
    DROP_ORDER = ("agent", "contacts")

    @staticmethod
    def key_of(tenant: str, number: str) -> str:
        return f"{tenant}/{number}"

    def dirty_keys(self, ch: Changes) -> Iterable[str] | None:
        return [f"{t}/{n}" for t, n in ch.ext_keys]

    def wanted_keys(self, ctx: Ctx) -> Iterable[str]:
        return [f"{t}/{n}" for t, n in ctx.state.extensions]

    def record(self, ctx: Ctx, key: str) -> ExtRec | None:
        tenant, _, number = key.partition("/")
        ext = ctx.state.extensions.get((tenant, number))
        if ext is None:
            return None
        presence = ext.presence or ""
        text = f"{presence} {ext.presence_note}".strip() if ext.presence_note else presence
        agent = ", ".join(f"{q}:{agent_label(s)}" for q, s in sorted(ext.agent_states.items()))
        return ExtRec(
            ext.tenant_id,
            number,
            self.name_of(ctx, ext.tenant_id, ext.number),
            ext.is_online(ctx.now),
            ext.stale,
            presence,
            text,
            ctx.derived.call_status(ext),
            len(ext.live_contacts(ctx.now)) if ext.contacts_known else None,
            agent,
        )

    def format_row(self, key: str, r: ExtRec) -> list[CellT]:
        online = ("online" + (" ?" if r.stale else ""), "green") if r.online else ("offline", "dim")
        return [
            (r.number, "bold"),
            r.name,
            online,
            (r.presence_text, PRESENCE_STYLE.get(r.presence, "")),
            (r.status.replace("_", " ").lower(), CALL_STATUS_STYLE.get(r.status, "")),
            "—" if r.contacts is None else str(r.contacts),
            (r.agent, "dim"),
        ]


class TrunkRec(NamedTuple):
    name: str
    connected: bool
    since: float
    flaps: int
    reason: str


TRUNK_COLUMNS: tuple[Column[TrunkRec], ...] = (
    Column("name", "Trunk", 16, lambda r: r.name.lower()),
    Column("state", "State", 6, lambda r: r.connected),
    Column("since", "Since", 8, lambda r: r.since),
    Column("flaps", "Flaps", 5, lambda r: r.flaps, "right"),
    Column("reason", "Reason", 20, lambda r: r.reason),
)


class TrunksTable(RowsPanel):
    """Trunks: a trunk that is down is shown as critical (and raises an alert)."""

    TITLE = "Trunks"
    TENANT_SCOPED = False  # a trunk carries no tenant
    COLUMNS = TRUNK_COLUMNS

    def dirty_keys(self, ch: Changes) -> Iterable[str] | None:
        return None if ch.flags & TRUNKS else ()

    def wanted_keys(self, ctx: Ctx) -> Iterable[str]:
        return ctx.state.trunks.keys()

    @staticmethod
    def wanted(state: Any) -> bool:
        """Only v12 has a trunk topic: elsewhere the panel would always be empty.

        Shown anyway once a trunk is known (a recording, a future dialect).
        """
        return bool(state.trunks) or (state.source.dialect or state.dialect_seen) == "v12"

    def note(self, ch: Changes) -> None:
        super().note(ch)
        # Every pass that saw a change, shown or not: a hidden panel is never synced,
        # so this is how it comes back when the first trunk arrives.
        self._show(self.app.state)

    def sync(self, ctx: Ctx, tick: bool) -> None:
        self._show(ctx.state)
        super().sync(ctx, tick)

    def _show(self, state: Any) -> None:
        wanted = self.wanted(state)
        if self.display != wanted:
            self.display = wanted

    def record(self, ctx: Ctx, key: str) -> TrunkRec | None:
        t = ctx.state.trunks.get(key)
        if t is None:
            return None
        return TrunkRec(t.name, t.connected, t.since, t.flaps, t.reason)

    def format_row(self, key: str, r: TrunkRec) -> list[CellT]:
        return [
            (r.name, "bold"),
            ("UP", "bold green") if r.connected else ("DOWN", "vtable--crit"),
            hms(r.since),
            str(r.flaps),
            (r.reason, "dim"),
        ]


class ContactRec(NamedTuple):
    address: str
    user_agent: str
    expires: float | None
    uri: str


CONTACT_COLUMNS: tuple[Column[ContactRec], ...] = (
    Column("address", "Address", 22, lambda r: r.address),
    Column("ua", "User agent", 24, lambda r: r.user_agent),
    Column("expires", "Expires in", 10, lambda r: num(r.expires), "right"),
    Column("uri", "Contact", 30, lambda r: r.uri),
)


class ContactsTable(RowsPanel):
    """Registered devices of one extension: address, user agent, expiry."""

    TITLE = "Registered contacts"
    TENANT_SCOPED = False  # one extension's
    TICKS = True
    COLUMNS = CONTACT_COLUMNS

    def __init__(self, *, ext_key: tuple[str, str], **kw: Any) -> None:
        super().__init__(**kw)
        self.ext_key = ext_key

    def dirty_keys(self, ch: Changes) -> Iterable[str] | None:
        return None if self.ext_key in ch.ext_keys else ()

    def wanted_keys(self, ctx: Ctx) -> Iterable[str]:
        ext = ctx.state.extensions.get(self.ext_key)
        return ext.contacts.keys() if ext is not None else ()

    def record(self, ctx: Ctx, key: str) -> ContactRec | None:
        ext = ctx.state.extensions.get(self.ext_key)
        c = ext.contacts.get(key) if ext is not None else None
        if c is None:
            return None
        return ContactRec(c.address, c.user_agent, c.expires, c.uri)

    def format_row(self, key: str, r: ContactRec) -> list[CellT]:
        left = None if r.expires is None else r.expires - self.now
        expired = left is not None and left <= 0
        return [
            (r.address, "bold"),
            r.user_agent,
            ("expired", "red") if expired else dur(left),
            (r.uri, "dim"),
        ]


__all__ = ["ContactsTable", "ExtensionsTable", "TrunksTable"]
