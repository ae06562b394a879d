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
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from wallboard.protocol.commands import V12_KEYS

TENANT_ID = "907815634120278016"
TENANT_NAME = "demo"
DOMAIN = "demo.local"
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
    "Anna", "Ben", "Chloe", "David", "Emma", "Felix", "Grace", "Hugo", "Isla", "Jonas",
    "Kate", "Liam", "Mia", "Noah", "Olivia", "Paul", "Quinn", "Rosa", "Sam", "Tara",
    "Uma", "Victor", "Wendy", "Xavier", "Yara", "Zoe",
)  # fmt: skip
_LAST = (
    "Adams", "Baker", "Clark", "Diaz", "Evans", "Fischer", "Garcia", "Hughes", "Ito",
    "Jensen", "Khan", "Lopez", "Martin", "Nowak", "Okafor", "Petit", "Rossi", "Silva",
    "Tanaka", "Weber",
)  # fmt: skip

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

    @property
    def label(self) -> str:
        return f"{self.kind} {self.name}"


class Roster:
    """The accounts, queues and trunks of the one simulated tenant."""

    def __init__(self, agents: int, queues: int) -> None:
        if agents < 1 or queues < 1:
            raise ValueError("need at least one extension and one queue")
        self.tenant_id = TENANT_ID
        self.tenant_name = TENANT_NAME
        self.domain = DOMAIN
        base = int(TENANT_ID)
        self.extensions: list[str] = [str(100 + i) for i in range(1, agents + 1)]
        self.ext_ids: dict[str, str] = {n: str(base + 1_000_000 + int(n)) for n in self.extensions}
        self.ext_names: dict[str, str] = {}
        for i, n in enumerate(self.extensions):
            self.ext_names[n] = f"{_FIRST[i % len(_FIRST)]} {_LAST[(i * 7 + i // 26) % len(_LAST)]}"
        self.queues: list[str] = [str(8001 + k) for k in range(queues)]
        self.queue_ids: dict[str, str] = {q: str(base + 2_000_000 + int(q)) for q in self.queues}
        self.queue_names: dict[str, str] = {}
        for k, q in enumerate(self.queues):
            name = QUEUE_NAMES[k % len(QUEUE_NAMES)]
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
        """Check an `auth` command of `dialect`; None when the PBX would reject it."""
        if cmd.get("password") != password:
            return None
        domain = cmd.get("domain")
        if dialect == "v12":
            ext = cmd.get("extension")
            if isinstance(ext, str) and self.is_extension(ext) and domain == self.domain:
                return Principal("extension", ext)
            if cmd.get("name") == self.tenant_name and "extension" not in cmd:
                return Principal("tenant", self.tenant_name)
            return None
        ext = cmd.get("extension_number")
        if ext is not None:
            ext = str(ext)
            if self.is_extension(ext) and domain == self.domain:
                return Principal("extension", ext)
            return None
        user = cmd.get("username")
        if user == ADMIN_USER and domain == self.domain:
            return Principal("tenant", ADMIN_USER)
        if dialect == "v22" and user == SYSADMIN_USER and domain in (None, ""):
            return Principal("sysadmin", SYSADMIN_USER)
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
