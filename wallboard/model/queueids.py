"""Which queue an event means: queues are named by id, by number, or by both.

v16+ events carry a queue id, some only a number, v12 only numbers; two
tenants' queues may share a number. A queue first seen by number only is
re-keyed by its id when one arrives, or folded into the queue that has it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wallboard.model.entities import Queue
from wallboard.model.tally import Tally

if TYPE_CHECKING:
    from wallboard.model.state import WallboardState

MAX_QUEUES = 5_000
_NONE = Queue(queue_id="", number="\x00")  # a sentinel that matches no number


class QueueIdentity:
    """Mixin of WallboardState: finding, keying and forgetting queues."""

    def queue(self: WallboardState, tenant: str, qid: str, number: str) -> Queue:
        """Find a queue by id, else by (tenant, number); a queue first seen by number only
        is re-keyed by its id later. Two tenants' queues may share a number."""
        q = self.queues.get(qid) if qid else None
        if q is None and number:
            key = self.queue_key(tenant, number)
            if key is not None:
                q = self.queues.get(key)
                if q is None:
                    self._unindex_number(tenant, number, key)  # the queue it named is gone
                elif qid and key != qid:
                    if q.queue_id == q.number:
                        self._rekey_queue(q, qid)  # known by number only until now
                    else:
                        q = None  # another queue with the same number (another tenant)
        if q is None and not qid and self.queues.get(number, _NONE).number in ("", number):
            q = self.queues[number]  # known by number only, and no longer indexed by it
            q.number = number
            self._index_number(q)
        if q is None:
            key = qid or number
            q = Queue(queue_id=key, number=number, tenant_id=tenant)
            if len(self.queues) >= MAX_QUEUES:
                self.limits_dropped += 1
                return q  # detached
            self.queues[key] = q
            if number:
                self._index_number(q)
        elif number and q.number != number:
            self._unindex_number(q.tenant_id, q.number, q.queue_id)
            q.number = number
            self._merge_number_only(q)
            self._index_number(q)
        if tenant and not q.tenant_id:
            self._retenant_queue(q, tenant)
        q.stale = False  # an event about it: it exists
        self.dirty_queues.add(q.queue_id)
        return q

    def queue_key(self: WallboardState, tenant: str, number: str) -> str | None:
        """The id of the queue with this number in this tenant (events often name only one)."""
        key = self._qid_by_number.get((tenant, number))
        if key is None:
            # Seen without a tenant id, or asked without one: the last queue of that number.
            key = self._qid_by_number.get(("", number)) if tenant else None
            if key is None and not tenant:
                key = self._qid_of_number.get(number)
        return key

    def _index_number(self: WallboardState, q: Queue) -> None:
        self._qid_by_number[(q.tenant_id, q.number)] = q.queue_id
        self._qid_of_number[q.number] = q.queue_id

    def _unindex_number(self: WallboardState, tenant: str, number: str, qid: str) -> None:
        if self._qid_by_number.get((tenant, number)) == qid:
            del self._qid_by_number[(tenant, number)]
        if self._qid_of_number.get(number) == qid:
            del self._qid_of_number[number]

    def _rekey_queue(self: WallboardState, q: Queue, qid: str) -> None:
        old = q.queue_id
        del self.queues[old]
        self._unindex_number(q.tenant_id, q.number, old)
        q.queue_id = qid
        self.queues[qid] = q
        if q.number:
            self._index_number(q)
        for ext in q.agents:
            members = self.members.get((q.tenant_id, ext))
            if members is not None:
                members.discard(old)
                members.add(qid)
        self.dirty_queues.add(old)

    def _retenant_queue(self: WallboardState, q: Queue, tenant: str) -> None:
        """A queue first seen without a tenant id: it and its agents move to that tenant."""
        agents = list(q.agents)
        for ext in agents:
            self._leave_queue(q, ext, self.now())
        if q.number:
            self._unindex_number(q.tenant_id, q.number, q.queue_id)
        q.tenant_id = tenant
        if q.number:
            self._index_number(q)
        for ext in agents:
            self._join_queue(q, ext, self.now())

    def forget_queue(self: WallboardState, qid: str) -> None:
        """A queue the PBX no longer has (destroyed, or a ghost after a restart)."""
        q = self.queues.pop(qid, None)
        if q is None:
            return
        self._unindex_number(q.tenant_id, q.number, qid)
        now = self.now()
        for ext in list(q.agents):
            self._leave_queue(q, ext, now)
        self.dirty_queues.add(qid)

    def _merge_number_only(self: WallboardState, q: Queue) -> None:
        """`q`, known by id, has just learnt its number: a queue known by that number only
        (events that name a queue by number came first) is the same queue: fold it in.

        A PBX sends pictures (id and number) first on subscribe, so this is rare
        live; it happens when a recording or a fast-forward starts mid-stream, and
        without it the board showed each such queue twice (one row empty).
        """
        other = self.queues.get(q.number)
        if other is None or other is q or other.queue_id != other.number:
            return
        if other.tenant_id not in ("", q.tenant_id):
            return  # another tenant's queue with the same number
        del self.queues[other.queue_id]
        self._unindex_number(other.tenant_id, other.number, other.queue_id)
        now = self.now()
        for ext, agent in other.agents.items():
            self._leave_queue(other, ext, now)
            if ext not in q.agents:
                q.agents[ext] = agent
                self._join_queue(q, ext, now)
        for sid, waiter in other.waiting.items():
            q.waiting.setdefault(sid, waiter)
        q.callbacks_waiting = sum(1 for w in q.waiting.values() if w.type == "callback")
        q.seen |= other.seen
        q.stats.add(other.stats)
        for start, tally in other.intervals.items():
            q.intervals.setdefault(start, Tally()).add(tally)
            if self.outbox is not None:
                self.outbox.intervals.add((q.queue_id, start))
        q.name = q.name or other.name
        if q.sla_threshold is None:
            q.sla_threshold = other.sla_threshold
        self.dirty_queues.add(other.queue_id)
