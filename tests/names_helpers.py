"""Helpers for the REST names tests: a name book, a REST session and a names task.

`new_book()` / `book_for(state)` give the model's own name book
(wallboard.model.names) when it exists and otherwise `FakeBook`, a stand-in
with the same methods, so these tests run before and after the model's part
lands and use the real one as soon as it is there.
"""

from __future__ import annotations

import socket
from collections.abc import Mapping
from typing import Any

from wallboard.feed.names import NamesTask
from wallboard.feed.rest import PortsipRest
from wallboard.feed.secrets import Secret
from wallboard.sim import Simulator

PASSWORD = "s3cret-Rest-ZQX9"  # distinctive, so a leak is easy to find


class FakeBook:
    """The name book API the model offers (set_pbx_names / set_tenant_names / name)."""

    def __init__(self) -> None:
        self.pbx: dict[str, dict[str, str]] = {}
        self.tenants: dict[str, str] = {}
        self.overrides: dict[str, str] = {}

    def set_overrides(self, names: Mapping[str, str]) -> bool:
        new = dict(names)
        changed = new != self.overrides
        self.overrides = new
        return changed

    def set_pbx_names(self, tenant_id: str, names: Mapping[str, str]) -> bool:
        new = dict(names)
        changed = self.pbx.get(tenant_id) != new
        self.pbx[tenant_id] = new
        return changed

    def set_tenant_names(self, names: Mapping[str, str]) -> bool:
        merged = {**self.tenants, **names}
        changed = merged != self.tenants
        self.tenants = merged
        return changed

    def name(self, tenant_id: str, number: str) -> str | None:
        return self.overrides.get(number) or self.pbx.get(tenant_id, {}).get(number)

    def tenant_name(self, tenant_id: str) -> str | None:
        return self.tenants.get(tenant_id)

    def as_dict(self) -> dict[str, object]:
        return {"overrides": dict(self.overrides), "pbx": dict(self.pbx), "tenants": self.tenants}


def new_book() -> Any:
    try:
        from wallboard.model.names import NameBook  # type: ignore[import-not-found]
    except ImportError:
        return FakeBook()
    return NameBook()


def book_for(state: Any = None) -> Any:
    real = getattr(state, "names", None)
    return real if real is not None else new_book()


def pbx_names(book: Any) -> dict[str, dict[str, str]]:
    """Every tenant's PBX names in the book (tenant id -> number -> name)."""
    pbx = book.as_dict()["pbx"]
    return {t: dict(v) for t, v in pbx.items() if v}


def rest_for(
    sim: Simulator,
    *,
    user: str = "admin",
    domain: str | None = "demo.local",
    password: str = PASSWORD,
    base: str | None = None,
    **kw: Any,
) -> PortsipRest:
    kw.setdefault("timeout", 2.0)
    return PortsipRest(
        base or sim.rest_url, username=user, password=Secret(password), domain=domain, **kw
    )


class Recorder:
    """Collects notices and change calls."""

    def __init__(self) -> None:
        self.notices: list[str] = []
        self.changes = 0

    def notice(self, text: str) -> None:
        self.notices.append(text)

    def changed(self) -> None:
        self.changes += 1


def names_task(rest: PortsipRest, book: Any, rec: Recorder, **kw: Any) -> NamesTask:
    return NamesTask(rest, book, on_changed=rec.changed, on_notice=rec.notice, **kw)


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then closed)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
