"""Indexes the UI needs that the model does not keep, maintained by keyed diff.

The model says *which* calls, extensions and queues changed. The panels need
more: which extension numbers a changed call touches (their call status and
"current caller" cells), which agents a changed queue touches, and KPI sums
that would otherwise mean rescanning every answered wait on every refresh.
This module turns one `take_dirty()` into a :class:`Changes` in time
proportional to what changed, and keeps those indexes. No Textual here, so the
benchmark and the tests can drive it directly.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from wallboard.model.entities import BUSY_STATES, Call, Extension, Queue
from wallboard.model.state import CALLS, EVERYTHING, EXTENSIONS, QUEUES, WallboardState
from wallboard.ui.fmt import agent_rank

_TALKING = ("established", "held")


@dataclass(slots=True)
class Changes:
    """What one refresh must look at (all keyed; `full` = rebuild everything)."""

    flags: int = 0
    calls: set[str] = field(default_factory=set)
    ext_keys: set[tuple[str, str]] = field(default_factory=set)
    numbers: set[str] = field(default_factory=set)  # extension numbers (agents, parties)
    queues: set[str] = field(default_factory=set)
    full: bool = False

    def __bool__(self) -> bool:
        return bool(self.full or self.flags or self.calls or self.ext_keys or self.queues)


@dataclass(slots=True)
class QueueKpi:
    """Per-queue sums kept incrementally (answer_waits only ever grows between resets)."""

    seen: int = 0  # how many of stats.answer_waits are summed below
    within: int = 0  # answered within the SLA threshold
    wait_sum: float = 0.0
    threshold: float = 0.0
    waiting: int = 0  # normal (not callback) callers waiting now
    callbacks: int = 0
    oldest: float | None = None  # since of the longest-waiting normal caller
    agents: Counter[str] = field(default_factory=Counter)


@dataclass(slots=True)
class AgentView:
    """One extension as an agent: its most telling state across its queues."""

    number: str
    state: str
    since: float
    queues: list[str]  # queue numbers (or ids)
    caller: str = ""
    caller_name: str = ""


@dataclass(slots=True)
class Totals:
    waiting: int = 0
    oldest: float | None = None
    answered: int = 0
    abandoned: int = 0
    offered: int = 0
    within: int = 0
    wait_sum: float = 0.0
    wait_n: int = 0
    ready: int = 0
    busy: int = 0
    not_ready: int = 0
    sla_breaches: int = 0

    @property
    def service_level(self) -> float | None:
        d = self.answered + self.abandoned
        return None if d == 0 else 100.0 * self.within / d

    @property
    def asa(self) -> float | None:
        return self.wait_sum / self.wait_n if self.wait_n else None


class Derived:
    """Party, membership and KPI indexes over a WallboardState, updated per refresh."""

    def __init__(self, state: WallboardState) -> None:
        self.state = state
        self.party_calls: dict[str, set[str]] = {}
        self.call_parties: dict[str, frozenset[str]] = {}
        self.keys_by_number: dict[str, set[tuple[str, str]]] = {}
        self.members: dict[str, set[str]] = {}  # extension number → queue ids
        self.queue_members: dict[str, frozenset[str]] = {}
        self.agent_sigs: dict[str, dict[str, tuple[object, ...]]] = {}  # queue → agent → sig
        self.kpi: dict[str, QueueKpi] = {}
        self.agent_state: dict[str, str] = {}  # number → aggregated agent state
        self.agent_counts: Counter[str] = Counter()
        self._counting_since: float | None = None
        self._primed = False

    # ---------------------------------------------------------------- update
    def reset(self) -> None:
        """Make the next update a full rebuild (e.g. after swapping the state's contents)."""
        self._primed = False

    def take(self) -> Changes:
        """`state.take_dirty()` → Changes, with every index brought up to date."""
        flags, calls, exts, queues = self.state.take_dirty()
        return self.update(flags, calls, exts, queues)

    def update(
        self, flags: int, calls: set[str], exts: set[tuple[str, str]], queues: set[str]
    ) -> Changes:
        st = self.state
        # Only the first pass rebuilds everything: a busy quarter-second can set
        # every flag bit at once, and that must not turn into a full rebuild.
        full = not self._primed
        self._primed = True
        if full:
            flags |= EVERYTHING
            calls = set(st.calls) | set(self.call_parties)
            exts = set(st.extensions) | {k for ks in self.keys_by_number.values() for k in ks}
            queues = set(st.queues) | set(self.queue_members)
        if st.counting_since != self._counting_since:
            # Midnight reset: every queue's counters restarted.
            self._counting_since = st.counting_since
            queues = set(queues) | set(st.queues)
            flags |= QUEUES
        ch = Changes(flags=flags, calls=calls, ext_keys=exts, queues=queues, full=full)
        numbers = ch.numbers
        if calls:
            self._update_calls(calls, numbers)
        for key in exts:
            number = key[1]
            numbers.add(number)
            if key in st.extensions:
                self.keys_by_number.setdefault(number, set()).add(key)
            else:
                ks = self.keys_by_number.get(number)
                if ks is not None:
                    ks.discard(key)
                    if not ks:
                        del self.keys_by_number[number]
        for qid in queues:
            self._update_queue(qid, numbers)
        if numbers:
            # Extension rows of numbers touched by calls/queues change too.
            for number in numbers:
                ks = self.keys_by_number.get(number)
                if ks:
                    exts.update(ks)
            self._update_agents(numbers)
        if numbers or calls:
            ch.flags |= EXTENSIONS | CALLS if calls else EXTENSIONS
        return ch

    def _update_calls(self, sids: set[str], numbers: set[str]) -> None:
        calls = self.state.calls
        for sid in sids:
            old = self.call_parties.pop(sid, frozenset())
            call = calls.get(sid)
            new = frozenset(call.parties()) if call is not None else frozenset()
            if new:
                self.call_parties[sid] = new
            for p in old - new:
                s = self.party_calls.get(p)
                if s is not None:
                    s.discard(sid)
                    if not s:
                        del self.party_calls[p]
            for p in new:
                self.party_calls.setdefault(p, set()).add(sid)
            numbers |= old
            numbers |= new

    def _update_queue(self, qid: str, numbers: set[str]) -> None:
        st = self.state
        q = st.queues.get(qid)
        old = self.queue_members.get(qid, frozenset())
        if q is None:
            self.queue_members.pop(qid, None)
            self.kpi.pop(qid, None)
            self.agent_sigs.pop(qid, None)
            for ext in old:
                self._leave(ext, qid)
            numbers |= old
            return
        new = frozenset(q.agents)
        if new != old:
            for ext in old - new:
                self._leave(ext, qid)
            for ext in new - old:
                self.members.setdefault(ext, set()).add(qid)
            self.queue_members[qid] = new
            numbers |= old ^ new
        # Only agents whose state or call in this queue changed: a queue event
        # touches one or two agents, not the hundred a big queue holds.
        sigs = self.agent_sigs.get(qid)
        if sigs is None:
            sigs = self.agent_sigs[qid] = {}
        for ext, a in q.agents.items():
            sig = (a.state, a.since, a.session_id, a.caller_number, a.caller_name)
            if sigs.get(ext) != sig:
                sigs[ext] = sig
                numbers.add(ext)
        if len(sigs) > len(q.agents):
            for ext in [e for e in sigs if e not in q.agents]:
                del sigs[ext]
        self._queue_kpi(q)

    def _leave(self, ext: str, qid: str) -> None:
        s = self.members.get(ext)
        if s is not None:
            s.discard(qid)
            if not s:
                del self.members[ext]

    def _queue_kpi(self, q: Queue) -> None:
        k = self.kpi.get(q.queue_id)
        if k is None:
            k = self.kpi[q.queue_id] = QueueKpi()
        waits = q.stats.answer_waits
        limit = self.state.sla_threshold(q)
        if len(waits) < k.seen or limit != k.threshold:
            k.seen, k.within, k.wait_sum, k.threshold = 0, 0, 0.0, limit
        if len(waits) > k.seen:
            new = waits[k.seen :]
            k.within += sum(1 for w in new if w <= limit)
            k.wait_sum += sum(new)
            k.seen = len(waits)
        waiting = callbacks = 0
        oldest: float | None = None
        for w in q.waiting.values():
            if w.type == "normal":
                waiting += 1
                if oldest is None or w.since < oldest:
                    oldest = w.since
            else:
                callbacks += 1
        k.waiting, k.callbacks, k.oldest = waiting, callbacks, oldest
        k.agents = Counter(a.state for a in q.agents.values())

    def _update_agents(self, numbers: set[str]) -> None:
        counts = self.agent_counts
        for number in numbers:
            old = self.agent_state.get(number)
            view = self.agent(number)
            new = view.state if view is not None else None
            if old == new:
                continue
            if old is not None:
                counts[old] -= 1
                if counts[old] <= 0:
                    del counts[old]
                del self.agent_state[number]
            if new is not None:
                counts[new] += 1
                self.agent_state[number] = new

    # ----------------------------------------------------------------- reads
    def agent(self, number: str) -> AgentView | None:
        """The extension as an agent across all its queues; None if it is in no queue."""
        qids = self.members.get(number)
        if not qids:
            return None
        queues = self.state.queues
        best = None
        names: list[str] = []
        caller = caller_name = ""
        for qid in qids:
            q = queues.get(qid)
            if q is None:
                continue
            a = q.agents.get(number)
            if a is None:
                continue
            names.append(q.number or q.queue_id)
            if best is None or (agent_rank(a.state), -a.since) < (
                agent_rank(best.state),
                -best.since,
            ):
                best = a
            if a.session_id and not caller:
                caller, caller_name = a.caller_number, a.caller_name
        if best is None:
            return None
        names.sort()
        if not caller:
            call = self.current_call(number)
            if call is not None:
                caller, caller_name = self.other_party(call, number)
        return AgentView(number, best.state, best.since, names, caller, caller_name)

    def current_call(self, number: str) -> Call | None:
        """The extension's most relevant active call (talking beats ringing), if any."""
        sids = self.party_calls.get(number)
        if not sids:
            return None
        calls = self.state.calls
        best: Call | None = None
        for sid in sids:
            c = calls.get(sid)
            if c is None:
                continue
            if best is None or (c.state in _TALKING, -c.started) > (
                best.state in _TALKING,
                -best.started,
            ):
                best = c
        return best

    @staticmethod
    def other_party(call: Call, number: str) -> tuple[str, str]:
        """(number, name) of the party an extension is talking to on `call`."""
        if call.caller == number:
            return call.callee, call.callee_name
        return call.caller, call.caller_name

    def call_status(self, ext: Extension) -> str:
        """Same answer as `state.call_status_of`, from the few calls of this number only."""
        if ext.call_status is not None:
            return ext.call_status
        number = ext.number
        status = ""
        for sid in self.party_calls.get(number, ()):
            c = self.state.calls.get(sid)
            if c is None:
                continue
            if c.state in _TALKING:
                if number == c.caller or number == (c.answered_by or c.callee):
                    return "ON_CALL"
            elif number == c.caller:
                return "ON_CALL"
            elif number in (c.targets or {c.callee}):
                status = "RINGING"
        return status

    def totals(self) -> Totals:
        t = Totals()
        queues = self.state.queues
        for qid, k in self.kpi.items():
            q = queues.get(qid)
            if q is None:
                continue
            s = q.stats
            t.waiting += k.waiting
            if k.oldest is not None and (t.oldest is None or k.oldest < t.oldest):
                t.oldest = k.oldest
            t.answered += s.answered
            t.abandoned += s.abandoned
            t.offered += s.offered
            t.sla_breaches += s.sla_breaches
            t.within += k.within
            t.wait_sum += k.wait_sum
            t.wait_n += k.seen
        c = self.agent_counts
        t.ready = c.get("READY", 0)
        t.busy = sum(c.get(s, 0) for s in BUSY_STATES)
        t.not_ready = c.get("NOT_READY", 0)
        return t

    def queue_service_level(self, q: Queue) -> float | None:
        k = self.kpi.get(q.queue_id)
        d = q.stats.answered + q.stats.abandoned
        if k is None or d == 0:
            return None
        return 100.0 * k.within / d

    def queue_asa(self, q: Queue) -> float | None:
        k = self.kpi.get(q.queue_id)
        if k is None or not k.seen:
            return None
        return k.wait_sum / k.seen


__all__ = ["AgentView", "Changes", "Derived", "QueueKpi", "Totals"]
