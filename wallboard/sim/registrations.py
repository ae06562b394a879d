"""Registrations and presence: which devices an extension has, and what it shows.

Devices register with a random lifetime and refresh before it runs out; now
and then one unregisters, or vanishes and lets its registration lapse. An
extension is online while any device is registered, and going on- or offline
changes its agent state. Presence changes on its own, as people set it.
"""

from __future__ import annotations

from wallboard.sim.agents import Agents
from wallboard.sim.entities import Contact, Ext

REG_EXPIRES = 300  # seconds a registration lasts without a refresh
PRESENCES = ("AVAILABLE", "AWAY", "LUNCH", "BUSINESS_TRIP", "DO_NOT_DISTURB", "ONLINE")
PRESENCE_WEIGHTS = (50, 16, 8, 4, 10, 12)
PRESENCE_NOTES = {
    "AVAILABLE": "",
    "AWAY": "Back soon",
    "LUNCH": "Lunch",
    "BUSINESS_TRIP": "Travelling",
    "DO_NOT_DISTURB": "In a meeting",
    "ONLINE": "",
}
USER_AGENTS = (
    "PortSIP UC Client iOS - v16.0.001",
    "PortSIP UC Client Android - v16.2.0",
    "Test SIPMaster for IOS",
    "Yealink SIP-T46U 108.86.0.75",
    "Grandstream GXP2170 1.0.11.23",
    "Zoiper rv2.10.19.5",
    "MicroSIP/3.21.3",
    "Linphone Desktop/5.2.0",
)


class Registrations(Agents):
    """Devices registering, refreshing, unregistering and lapsing; presence changes."""

    def _add_contact(self, ext: Ext, *, last_update: float, quiet: bool = False) -> None:
        rng = self.rng
        uuid = f"{rng.getrandbits(128):032X}"
        instance = f"<urn:uuid:{uuid[:8]}-{uuid[8:12]}-{uuid[12:16]}-{uuid[16:20]}-{uuid[20:]}>"
        if rng.random() < 0.5:
            ip = f"192.168.{rng.randrange(1, 5)}.{rng.randrange(10, 250)}"
        else:
            ip = f"{rng.randrange(11, 223)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        contact = Contact(
            instance=instance,
            user_agent=rng.choice(USER_AGENTS),
            address=f"{ip}:{rng.randrange(5060, 60000)}",
            expires=int(last_update) + REG_EXPIRES,
            last_update=int(last_update),
            number=ext.number,
        )
        was_online = ext.online
        ext.contacts.append(contact)
        refresh = last_update + rng.uniform(0.45, 0.9) * REG_EXPIRES
        self.at(max(refresh, self.now + 1), self._contact_refresh, ext, contact)
        if not quiet:
            self._registered(ext, [], was_online)

    def _registered(self, ext: Ext, removed: list[Contact], was_online: bool) -> None:
        changed = was_online != ext.online
        self.emit("register", ext=ext, removed=removed, online_changed=changed)
        if changed:
            self._refresh_agent(ext)

    def _contact_refresh(self, ext: Ext, contact: Contact) -> None:
        if contact not in ext.contacts:
            return
        r = self.rng.random()
        if r < 0.965:
            contact.last_update = int(self.now)
            contact.expires = int(self.now) + REG_EXPIRES
            refresh = self.now + self.rng.uniform(0.45, 0.9) * REG_EXPIRES
            self.at(refresh, self._contact_refresh, ext, contact)
            self._registered(ext, [], ext.online)
        elif r < 0.985:
            ext.contacts.remove(contact)
            contact.expires = int(self.now)
            contact.last_update = int(self.now)
            self._registered(ext, [contact], True)
        else:  # the device vanished: its registration lapses silently
            self.at(contact.expires, self._contact_expire, ext, contact)

    def _contact_expire(self, ext: Ext, contact: Contact) -> None:
        if contact in ext.contacts:
            ext.contacts.remove(contact)
            self._registered(ext, [contact], True)

    def _new_contact(self) -> None:
        ext = self.rng.choice(self.ext_list)
        if len(ext.contacts) < 3:
            self._add_contact(ext, last_update=self.now)

    def _presence_change(self) -> None:
        ext = self.rng.choice(self.ext_list)
        new = self.rng.choices(PRESENCES, PRESENCE_WEIGHTS)[0]
        if new != ext.presence:
            ext.presence = new
            self.emit("presence", ext=ext)
