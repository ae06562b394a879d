"""Subscribe and unsubscribe: what a client asked for, whether it may, what it gets.

Pure functions over the directory of tenants (no sockets), so the server
stays a transport. A subscribe is all-or-nothing: everything is checked
before anything changes. A client's subscriptions are one `Sub` per topic,
narrowed by event keys (v12), extensions, queues and tenants.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wallboard.sim.accounts import (
    EXTENSION_SCOPED,
    QUEUE_SCOPED,
    V12_TOPIC_KEYS,
    Dialect,
    Directory,
    Principal,
    Roster,
)

Topics = list[tuple[str, set[str] | None]]  # (topic, v12 keys or None)


class CommandError(Exception):
    """A command the simulator answers with `status: -1`."""


@dataclass
class Sub:
    """One topic a client subscribed to, with its filters (None = no narrowing)."""

    keys: set[str] | None
    exts: set[str] | None
    queues: set[str] | None
    tenants: set[str] | None = None


@dataclass
class Plan:
    """A checked subscribe: the topics, the tenants it reaches, the numbers it narrows to."""

    topics: Topics
    rosters: list[Roster]
    exts: set[str] | None
    queues: set[str] | None


def parse_topics(
    dialect: Dialect, cmd: dict[str, Any]
) -> tuple[Topics, list[str] | None, list[str] | None]:
    """The topics (v12: objects with keys; v16+: names) and the number filters."""
    topics = cmd.get("topics")
    if not isinstance(topics, list) or not topics:
        raise CommandError("topics must be a non-empty list")
    parsed: Topics = []
    for item in topics:
        if dialect == "v12":
            if not isinstance(item, dict) or not isinstance(item.get("topic"), str):
                raise CommandError('v12 topics are objects: {"topic": T, "keys": [...]}')
            topic = item["topic"]
            if topic not in V12_TOPIC_KEYS:
                raise CommandError(f"unknown topic: {topic[:60]}")
            keys = item.get("keys")
            if keys is None:
                parsed.append((topic, None))
                continue
            if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
                raise CommandError(f"keys of {topic} must be a list of strings")
            bad = [k for k in keys if k not in V12_TOPIC_KEYS[topic]]
            if bad:
                raise CommandError(f"unknown key of {topic}: {', '.join(bad[:5])}")
            parsed.append((topic, set(keys)))
        else:
            if not isinstance(item, str):
                raise CommandError("topics must be topic-name strings")
            parsed.append((item, None))
    return parsed, str_list(cmd, "extensions"), str_list(cmd, "queues")


def plan_subscribe(
    directory: Directory, dialect: Dialect, who: Principal, cmd: dict[str, Any]
) -> Plan:
    """Check a subscribe completely; raises CommandError for the first problem."""
    topics, exts, queues = parse_topics(dialect, cmd)
    tenants = str_list(cmd, "tenants")
    roster = directory.roster_of(who)
    for topic, _ in topics:
        err = roster.topic_error(dialect, who, topic)
        if err:
            raise CommandError(err)
        if topic.startswith("global_"):
            if not tenants:
                raise CommandError(f"{topic} needs a tenants list of tenant ids")
            unknown = [t for t in tenants if t not in directory.by_id]
            if unknown:
                raise CommandError(f"unknown tenant id: {', '.join(unknown[:5])}")
    if who.kind == "sysadmin":
        rosters = list(dict.fromkeys(directory.by_id[t] for t in tenants or []))
        err = _union_filter_error(rosters, exts, queues)
    else:
        rosters = [roster]
        err = roster.filter_error(who, exts, queues)
    if err:
        raise CommandError(err)
    allowed_e = roster.allowed_extensions(who)
    allowed_q = roster.allowed_queues(who)
    want_e = set(exts) if exts else (set(allowed_e) if allowed_e is not None else None)
    want_q = set(queues) if queues else (set(allowed_q) if allowed_q is not None else None)
    return Plan(topics, rosters, want_e, want_q)


def apply_subscribe(subs: dict[str, Sub], plan: Plan) -> None:
    """Add the plan's topics to a client's subscriptions (a repeat widens them)."""
    tenants = {r.tenant_id for r in plan.rosters}
    for topic, keys in plan.topics:
        base = topic.removeprefix("global_")
        sub_e = plan.exts if base in EXTENSION_SCOPED else None
        sub_q = plan.queues if base in QUEUE_SCOPED else None
        old = subs.get(topic)
        if old is None:
            subs[topic] = Sub(keys, sub_e, sub_q, set(tenants))
        else:
            old.keys = _union(old.keys, keys)
            old.exts = _union(old.exts, sub_e)
            old.queues = _union(old.queues, sub_q)
            old.tenants = _union(old.tenants, tenants)


def unsubscribe(
    directory: Directory,
    dialect: Dialect,
    who: Principal,
    subs: dict[str, Sub],
    cmd: dict[str, Any],
) -> None:
    """Narrow or drop subscriptions; unknown topics are an error, unsubscribed ones not."""
    topics, exts, queues = parse_topics(dialect, cmd)
    for topic, _ in topics:
        err = directory.primary.topic_error(dialect, Principal("tenant", "x"), topic)
        if err and err.startswith("unknown topic"):
            raise CommandError(err)
    rosters = directory.rosters if who.kind == "sysadmin" else [directory.roster_of(who)]
    for topic, keys in topics:
        sub = subs.get(topic)
        if sub is None:
            continue
        base = topic.removeprefix("global_")
        if exts and base in EXTENSION_SCOPED:
            current = (
                sub.exts if sub.exts is not None else {n for r in rosters for n in r.extensions}
            )
            sub.exts = current - set(exts)
            if not sub.exts:
                del subs[topic]
        elif queues and base in QUEUE_SCOPED:
            current = (
                sub.queues if sub.queues is not None else {q for r in rosters for q in r.queues}
            )
            sub.queues = current - set(queues)
            if not sub.queues:
                del subs[topic]
        elif keys is not None:
            current = sub.keys if sub.keys is not None else set(V12_TOPIC_KEYS[topic])
            sub.keys = current - keys
            if not sub.keys:
                del subs[topic]
        else:
            del subs[topic]


def _union_filter_error(
    rosters: list[Roster], exts: list[str] | None, queues: list[str] | None
) -> str | None:
    """A system admin's filters: each number must exist in at least one of its tenants."""
    left_e = [e for e in exts or [] if not any(r.is_extension(e) for r in rosters)]
    left_q = [q for q in queues or [] if not any(r.is_queue(q) for r in rosters)]
    if left_e:
        return f"unknown extension: {', '.join(left_e[:5])}"
    if left_q:
        return f"unknown queue: {', '.join(left_q[:5])}"
    return None


def _union(a: set[str] | None, b: set[str] | None) -> set[str] | None:
    if a is None or b is None:
        return None
    return a | b


def str_list(cmd: dict[str, Any], key: str) -> list[str] | None:
    """A filter list of strings (numbers accepted and kept as strings)."""
    value = cmd.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(
        isinstance(v, str | int) and not isinstance(v, bool) for v in value
    ):
        raise CommandError(f"{key} must be a list of strings")
    return [str(v) for v in value]
