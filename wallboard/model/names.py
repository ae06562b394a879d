"""Display names: who extension 117 is, and which tenant a queue belongs to.

Two sources: the PBX (v22 REST users, extension-management events) per
tenant, and the operator's names file / `[names]` config table, which wins.
Names are untrusted text (a PBX admin, or a caller, chose them): kept as
received but bounded in length; the UI shows them literally.
"""

from __future__ import annotations

from collections.abc import Mapping

MAX_NAME = 200
MAX_NAMES = 200_000


def _clean(names: Mapping[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for number, name in names.items():
        if type(number) is not str or type(name) is not str or not number or not name.strip():
            continue
        out[number[:64]] = name.strip()[:MAX_NAME]
        if len(out) >= MAX_NAMES:
            break
    return out


class NameBook:
    __slots__ = ("_overrides", "_pbx", "_tenants", "version")

    def __init__(self) -> None:
        self._overrides: dict[str, str] = {}
        self._pbx: dict[str, dict[str, str]] = {}  # tenant id -> number -> name
        self._tenants: dict[str, str] = {}
        self.version = 0  # bumps on every change: cheap "did names change" for screens

    def set_overrides(self, names: Mapping[str, str]) -> bool:
        """The names file / `[names]` table: number -> name, for every tenant."""
        new = _clean(names)
        if new == self._overrides:
            return False
        self._overrides = new
        self.version += 1
        return True

    def set_pbx_names(self, tenant_id: str, names: Mapping[str, str]) -> bool:
        """Replace one tenant's names from the PBX; True if anything changed."""
        new = _clean(names)
        if self._pbx.get(tenant_id, {}) == new:
            return False
        self._pbx[tenant_id] = new
        self.version += 1
        return True

    def set_pbx_name(self, tenant_id: str, number: str, name: str) -> bool:
        """One name from a management event (extension created / updated)."""
        names = self._pbx.setdefault(tenant_id, {})
        new = _clean({number: name}).get(number)
        if new is None or names.get(number) == new:
            return False
        names[number] = new
        self.version += 1
        return True

    def forget(self, tenant_id: str, number: str) -> bool:
        """An extension was destroyed: its PBX name goes with it."""
        if self._pbx.get(tenant_id, {}).pop(number, None) is None:
            return False
        self.version += 1
        return True

    def set_tenant_names(self, names: Mapping[str, str]) -> bool:
        new = {**self._tenants, **_clean(names)}
        if new == self._tenants:
            return False
        self._tenants = new
        self.version += 1
        return True

    def name(self, tenant_id: str, number: str) -> str | None:
        """The display name of an extension, or None when nobody told us."""
        name = self._overrides.get(number)
        if name is not None:
            return name
        names = self._pbx.get(tenant_id)
        if names is not None:
            name = names.get(number)
            if name is not None:
                return name
        if not tenant_id:
            # Known only by number (v12 has no tenant ids on many events).
            for names in self._pbx.values():
                name = names.get(number)
                if name is not None:
                    return name
        return None

    def tenant_name(self, tenant_id: str) -> str | None:
        return self._tenants.get(tenant_id)

    def __bool__(self) -> bool:
        return bool(self._overrides or any(self._pbx.values()))

    def as_dict(self) -> dict[str, object]:
        """For a checkpoint (a hub viewer needs the hub's names)."""
        return {
            "overrides": dict(self._overrides),
            "pbx": {k: dict(v) for k, v in self._pbx.items()},
            "tenants": dict(self._tenants),
        }

    def load(self, data: Mapping[str, object]) -> None:
        overrides = data.get("overrides")
        pbx = data.get("pbx")
        tenants = data.get("tenants")
        if isinstance(overrides, dict):
            self._overrides = _clean(overrides)
        if isinstance(pbx, dict):
            self._pbx = {str(k): _clean(v) for k, v in pbx.items() if isinstance(v, dict)}
        if isinstance(tenants, dict):
            self._tenants = _clean(tenants)
        self.version += 1


__all__ = ["NameBook"]
