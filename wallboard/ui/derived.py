"""Indexes the UI needs to refresh by keyed diff, maintained from the model's dirty keys.

The model says *which* calls, extensions and queues changed. The panels need
more: which extension numbers a changed call touches (their call status and
"current caller" cells) and which agents a changed queue touches. This
module turns one `take_dirty()` into a :class:`Changes` in time proportional
to what changed, and keeps those indexes. It computes no KPI: every number
on the screen comes from the model (`wallboard.model.overview`). No Textual
here, so the benchmark and the tests can drive it directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from wallboard.model.entities import TALKING_STATES, Call, Extension
from wallboard.model.state import CALLS, EVERYTHING, EXTENSIONS, FULL, WallboardState

_TALKING = TALKING_STATES


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
class AgentView:
    """One extension as an agent: its most telling state across its queues."""

    number: str
    state: str
    since: float
    queues: list[str]  # queue numbers (or ids)
    caller: str = ""
    caller_name: str = ""
    ringing: bool = False  # the caller is on a call still ringing at the agent


class Derived:
    """Party and membership indexes over a WallboardState, updated per refresh."""

    def __init__(self, state: WallboardState) -> None:
        self.state = state
        self.party_calls: dict[str, set[str]] = {}
        self.call_parties: dict[str, frozenset[str]] = {}
        self.keys_by_number: dict[str, set[tuple[str, str]]] = {}
        self.members: dict[str, set[str]] = {}  # extension number → queue ids
        self.queue_members: dict[str, frozenset[str]] = {}
        self.agent_sigs: dict[str, dict[str, tuple[object, ...]]] = {}  # queue → agent → sig
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
        full = not self._primed or bool(flags & FULL)
        self._primed = True
        if full:
            flags |= EVERYTHING
            calls = set(st.calls) | set(self.call_parties)
            exts = set(st.extensions) | {k for ks in self.keys_by_number.values() for k in ks}
            queues = set(st.queues) | set(self.queue_members)
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

    def _leave(self, ext: str, qid: str) -> None:
        s = self.members.get(ext)
        if s is not None:
            s.discard(qid)
            if not s:
                del self.members[ext]

    # ----------------------------------------------------------------- reads
    def agent(self, number: str) -> AgentView | None:
        """The extension as an agent across all its queues; None if it is in no queue.

        Its state is the model's (`WallboardState.agent_best`): the tiles count
        the same state the row shows.
        """
        qids = self.members.get(number)
        if not qids:
            return None
        st = self.state
        queues = st.queues
        names: list[str] = []
        tenant: str | None = None
        caller = caller_name = ""
        for qid in qids:
            q = queues.get(qid)
            a = q.agents.get(number) if q is not None else None
            if q is None or a is None:
                continue
            names.append(q.number or q.queue_id)
            if tenant is None:
                tenant = q.tenant_id
            if a.session_id and not caller:
                caller, caller_name = a.caller_number, a.caller_name
        if tenant is None:
            return None
        state, since, _session = st.agent_best(tenant, number)
        if not state and since == 0.0:
            return None
        names.sort()
        ringing = False
        if not caller:
            caller, caller_name, ringing = self.call_party(number)
        return AgentView(number, state, since, names, caller, caller_name, ringing)

    def agent_in(self, tenant: str, number: str) -> AgentView | None:
        """One tenant's agent (the same extension number in two tenants is two agents)."""
        st = self.state
        qids = st.members.get((tenant, number))
        if not qids:
            return None
        state, since, _session = st.agent_best(tenant, number)
        if not state and since == 0.0:
            return None
        names: list[str] = []
        caller = caller_name = ""
        for qid in qids:
            q = st.queues.get(qid)
            a = q.agents.get(number) if q is not None else None
            if q is None or a is None:
                continue
            names.append(q.number or q.queue_id)
            if a.session_id and not caller:
                caller, caller_name = a.caller_number, a.caller_name
        names.sort()
        ringing = False
        if not caller:
            caller, caller_name, ringing = self.call_party(number)
        return AgentView(number, state, since, names, caller, caller_name, ringing)

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

    def call_party(self, number: str) -> tuple[str, str, bool]:
        """(number, name, ringing) of whom an extension's current call is with, if any.

        A queue agent shown Ready beside a caller is being rung by that caller
        (the queue offers the call before the agent's state changes): `ringing`
        lets the row say so instead of looking like a contradiction.
        """
        call = self.current_call(number)
        if call is None:
            return "", "", False
        who_, name = self.other_party(call, number)
        return who_, name, call.state not in _TALKING

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


__all__ = ["AgentView", "Changes", "Derived"]
