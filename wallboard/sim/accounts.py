"""The simulated tenant: who exists, who may log in, and who may see what.

Everything here follows CONTRACT.md "Simulator defaults" and PORTSIP-WSI.md §2.
It is pure data and pure functions (no I/O), so the permission rules can be
tested without a socket and the server stays a thin transport.

Rules the documents leave open, and what the simulator does about them:

- An extension's own extension group (a run of ten: 101-110, 111-120, ...)
  bounds the `extension_events` (and, in v12, `cdr_events`) it may watch, in
  every dialect (PORTSIP-WSI.md states it for v12 only).
- The last extension (100+N) is the supervisor: the manager of every queue.
- A subscribe (or unsubscribe) is all-or-nothing: one forbidden or unknown
  item rejects the whole command with an error reply.
- A v22 system admin has no tenant of its own and may use only `global_*`
  topics; everybody else may not use them at all.
- A v22 simulator has a second tenant (`northwind`, its own domain, ids,
  extensions, queues and traffic), so a system admin's `global_*` topics have
  more than one tenant to show. Its numbers overlap the first tenant's, as
  they do on real multi-tenant PBXs: only (tenant, number) is a key.
- Display names are drawn from the seed (a few non-ASCII ones among them),
  and are the same over the WSI and the REST API.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Literal

from wallboard.protocol.commands import V12_KEYS

TENANT_ID = "907815634120278016"
TENANT_NAME = "demo"
DOMAIN = "demo.local"
TENANT2_ID = "912604872405372928"
TENANT2_NAME = "northwind"
TENANT2_DOMAIN = "northwind.local"
ADMIN_USER = "admin"
SYSADMIN_USER = "sysadmin"
DEFAULT_PASSWORD = "demo"

QUEUE_NAMES = (
    "Sales",
    "Support",
    "Billing",
    "Technical",
    "Returns",
    "Accounts",
    "Reception",
    "Orders",
    "Claims",
    "Renewals",
)
_FIRST = (
    "Anna", "Ben", "Chloé", "David", "Emma", "Felix", "Grace", "Hugo", "Isla", "Jonas",
    "Kate", "Liam", "Mia", "Noah", "Olivia", "Paul", "Quinn", "Rosa", "Sam", "Tara",
    "Uma", "Victor", "Wendy", "Xavier", "Yara", "Zoë", "José", "Søren", "Łukasz", "Ömer",
    "Aiko", "Priya", "Mateo", "Nadia", "Jürgen", "Siobhán",
)  # fmt: skip
_LAST = (
    "Adams", "Baker", "Clark", "Diaz", "Evans", "Fischer", "Garcia", "Hughes", "Ito",
    "Jensen", "Khan", "Lopez", "Martin", "Nowak", "Okafor", "Petit", "Rossi", "Silva",
    "Tanaka", "Weber", "Müller", "Núñez", "Østergaard", "Kowalczyk", "Nguyễn", "Doğan",
)  # fmt: skip
# Whole names written in another script: a wall must show these too.
_WHOLE = ("王芳", "김민준", "Αλέξης Παππάς", "Анна Иванова")


@dataclass(frozen=True)
class TenantSpec:
    """Who a simulated tenant is: its WSI id, name and SIP domain."""

    tenant_id: str
    name: str
    domain: str


TENANTS = (
    TenantSpec(TENANT_ID, TENANT_NAME, DOMAIN),
    TenantSpec(TENANT2_ID, TENANT2_NAME, TENANT2_DOMAIN),
)


def display_names(count: int, seed: int, tenant_id: str) -> list[str]:
    """`count` realistic display names, the same for the same seed and tenant."""
    rng = random.Random(f"names:{seed}:{tenant_id}")
    out: list[str] = []
    for _ in range(count):
        if rng.random() < 0.04:
            out.append(rng.choice(_WHOLE))
        else:
            out.append(f"{rng.choice(_FIRST)} {rng.choice(_LAST)}")
    return out


# Topics and, for v12, the keys each carries: the seed document's lists, the
# same ones the client subscribes with.
V12_TOPIC_KEYS: dict[str, tuple[str, ...]] = {t: tuple(k) for t, k in V12_KEYS.items()}
V16_TOPICS = ("extension_events", "cdr_events", "queue_events")
V22_LOCAL_TOPICS = (
    *V16_TOPICS,
    "extension_management_events",
    "queue_management_events",
)
V22_TOPICS = (*V22_LOCAL_TOPICS, *(f"global_{t}" for t in V22_LOCAL_TOPICS))

# Which filter list narrows a topic (the others are tenant-wide).
EXTENSION_SCOPED = frozenset({"extension_events", "cdr_events"})
QUEUE_SCOPED = frozenset({"queue_events"})

Dialect = Literal["v12", "v16", "v22"]


@dataclass(frozen=True)
class Principal:
    """Who a connection authenticated as."""

    kind: Literal["tenant", "extension", "sysadmin"]
    name: str  # the tenant name, the extension number, or the sysadmin user
    tenant_id: str = ""  # "" for the system admin

    @property
    def label(self) -> str:
        return f"{self.kind} {self.name}"


class Roster:
    """The accounts, queues and trunks of one simulated tenant."""

    def __init__(
        self,
        agents: int,
        queues: int,
        *,
        tenant: TenantSpec = TENANTS[0],
        seed: int = 1,
        queue_name_offset: int = 0,
    ) -> None:
        if agents < 1 or queues < 1:
            raise ValueError("need at least one extension and one queue")
        self.tenant_id = tenant.tenant_id
        self.tenant_name = tenant.name
        self.domain = tenant.domain
        base = int(tenant.tenant_id)
        self.extensions: list[str] = [str(100 + i) for i in range(1, agents + 1)]
        self.ext_ids: dict[str, str] = {n: str(base + 1_000_000 + int(n)) for n in self.extensions}
        names = display_names(agents, seed, tenant.tenant_id)
        self.ext_names: dict[str, str] = dict(zip(self.extensions, names, strict=True))
        self.queues: list[str] = [str(8001 + k) for k in range(queues)]
        self.queue_ids: dict[str, str] = {q: str(base + 2_000_000 + int(q)) for q in self.queues}
        self.queue_names: dict[str, str] = {}
        for k, q in enumerate(self.queues):
            j = k + queue_name_offset
            name = QUEUE_NAMES[j % len(QUEUE_NAMES)]
            if k >= len(QUEUE_NAMES):
                name = f"{name} {k // len(QUEUE_NAMES) + 1}"
            self.queue_names[q] = name
        self.queue_of_ext: dict[str, str] = {
            n: self.queues[(int(n) - 101) % queues] for n in self.extensions
        }
        self.agents_of_queue: dict[str, list[str]] = {q: [] for q in self.queues}
        for n in self.extensions:
            self.agents_of_queue[self.queue_of_ext[n]].append(n)
        self.supervisor = self.extensions[-1]
        self.trunks: list[str] = ["PSTN-Primary", "SIP-Carrier-B", "Backup-LTE"]
        self._ext_set = frozenset(self.extensions)
        self._queue_set = frozenset(self.queues)

    # --- lookups -------------------------------------------------------------

    def is_extension(self, number: str) -> bool:
        return number in self._ext_set

    def is_queue(self, number: str) -> bool:
        return number in self._queue_set

    def group_of(self, number: str) -> frozenset[str]:
        """The run of ten extensions `number` belongs to (101-110, 111-120, ...)."""
        start = 101 + ((int(number) - 101) // 10) * 10
        return frozenset(str(n) for n in range(start, start + 10) if str(n) in self._ext_set)

    def queues_of(self, number: str) -> frozenset[str]:
        """Queues an extension belongs to or manages."""
        if number == self.supervisor:
            return self._queue_set
        return frozenset({self.queue_of_ext[number]})

    # --- authentication ------------------------------------------------------

    def authenticate(
        self, dialect: Dialect, cmd: dict[str, Any], password: str
    ) -> Principal | None:
        """Check an `auth` command of `dialect` against this tenant; None = not one of ours.

        The system admin belongs to no tenant: `Directory.authenticate` knows it.
        """
        if cmd.get("password") != password:
            return None
        domain = cmd.get("domain")
        tid = self.tenant_id
        if dialect == "v12":
            ext = cmd.get("extension")
            if isinstance(ext, str) and self.is_extension(ext) and domain == self.domain:
                return Principal("extension", ext, tid)
            if cmd.get("name") == self.tenant_name and "extension" not in cmd:
                return Principal("tenant", self.tenant_name, tid)
            return None
        ext = cmd.get("extension_number")
        if ext is not None:
            ext = str(ext)
            if self.is_extension(ext) and domain == self.domain:
                return Principal("extension", ext, tid)
            return None
        if cmd.get("username") == ADMIN_USER and domain == self.domain:
            return Principal("tenant", ADMIN_USER, tid)
        return None

    # --- permissions ---------------------------------------------------------

    def allowed_extensions(self, who: Principal) -> frozenset[str] | None:
        """Extensions `who` may watch; None = all of them (and tenant-wide events)."""
        if who.kind == "extension":
            return self.group_of(who.name)
        return None

    def allowed_queues(self, who: Principal) -> frozenset[str] | None:
        """Queues `who` may watch; None = all of them."""
        if who.kind == "extension":
            return self.queues_of(who.name)
        return None

    def topic_error(self, dialect: Dialect, who: Principal, topic: str) -> str | None:
        """Why `who` may not subscribe to `topic` at all (None = it may)."""
        known = (
            V12_TOPIC_KEYS if dialect == "v12" else (V16_TOPICS if dialect == "v16" else V22_TOPICS)
        )
        if topic not in known:
            return f"unknown topic: {topic}"
        if topic.startswith("global_"):
            if who.kind != "sysadmin":
                return f"permission denied: {topic} needs a system admin"
            return None
        if who.kind == "sysadmin":
            return f"permission denied: a system admin subscribes to global_{topic} with tenants"
        if who.kind == "tenant":
            return None
        # An extension.
        if topic == "trunk_events":
            return "permission denied: only the tenant may subscribe to trunk_events"
        if topic == "cdr_events" and dialect != "v12":
            return "permission denied: cdr_events needs tenant admin rights"
        if topic.endswith("management_events"):
            return f"permission denied: {topic} needs tenant admin rights"
        return None

    def filter_error(
        self,
        who: Principal,
        extensions: list[str] | None,
        queues: list[str] | None,
    ) -> str | None:
        """Why the `extensions` / `queues` filters are not allowed (None = fine)."""
        if extensions:
            unknown = [e for e in extensions if not self.is_extension(e)]
            if unknown:
                return f"unknown extension: {', '.join(unknown[:5])}"
            allowed = self.allowed_extensions(who)
            if allowed is not None:
                bad = [e for e in extensions if e not in allowed]
                if bad:
                    return (
                        f"permission denied: extension {who.name} may not watch "
                        f"{', '.join(bad[:5])} (not in its extension group)"
                    )
        if queues:
            unknown = [q for q in queues if not self.is_queue(q)]
            if unknown:
                return f"unknown queue: {', '.join(unknown[:5])}"
            allowed_q = self.allowed_queues(who)
            if allowed_q is not None:
                bad = [q for q in queues if q not in allowed_q]
                if bad:
                    return (
                        f"permission denied: extension {who.name} is neither agent nor "
                        f"manager of queue {', '.join(bad[:5])}"
                    )
        return None


class Directory:
    """Every tenant of the simulated PBX, and the system admin above them (v22)."""

    def __init__(self, rosters: list[Roster]) -> None:
        if not rosters:
            raise ValueError("need at least one tenant")
        self.rosters = rosters
        self.by_id: dict[str, Roster] = {r.tenant_id: r for r in rosters}

    @property
    def primary(self) -> Roster:
        return self.rosters[0]

    def roster_of(self, who: Principal) -> Roster:
        """The tenant `who` belongs to (the first one for the system admin)."""
        return self.by_id.get(who.tenant_id, self.rosters[0])

    def authenticate(
        self, dialect: Dialect, cmd: dict[str, Any], password: str
    ) -> Principal | None:
        """Check an `auth` command of `dialect`; None when the PBX would reject it."""
        for roster in self.rosters:
            who = roster.authenticate(dialect, cmd, password)
            if who is not None:
                return who
        if (
            dialect == "v22"
            and cmd.get("password") == password
            and cmd.get("username") == SYSADMIN_USER
            and cmd.get("domain") in (None, "")
            and cmd.get("extension_number") is None
        ):
            return Principal("sysadmin", SYSADMIN_USER)
        return None
