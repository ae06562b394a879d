"""Call-center traffic on a virtual clock, as dialect-neutral happenings.

A discrete-event simulation: every future action sits in one heap ordered by
(virtual time, insertion number) and all randomness comes from one
`random.Random(seed)`. The sequence of happenings therefore depends only on the
seed, the roster, the rate and the start epoch, never on how often or in what
slices the clock is advanced (real-time ticks or `advance()` in tests).

Happenings are passed to `sink(kind, data)` synchronously while the world is in
the state they describe, so a renderer can read the live objects. Kinds:

- ``register``      ext, removed (contacts that went away), online_changed
- ``presence``      ext
- ``ext_call``      ext (its `call_status` changed)
- ``agent``         ext, queue, state, prev (agent state changed)
- ``call_start``    call
- ``target``        call, what (add/ringing/noanswer/fail/ended), target, code
- ``call``          call, what (established/ended/noanswer/fail/reroute), target, code
- ``hold``          call, aor, peer, held
- ``call_update``   call (callee changed: IVR -> queue -> agent, transfer)
- ``cdr``           call (the call ended)
- ``queue_caller``  queue, caller, reason, position
- ``queue_status``  queue (coalesced: at most one per queue per 0.5 s)
- ``sla``           queue, caller
- ``trunk``         trunk
- ``mgmt``          event (a ready management payload minus tenant_id)

The generator never iterates a `set`, so string hashing cannot change the order.

`Traffic` is built of layers, one module each, every one a class the next
builds on: the clock (clock.py), the shared state, ids and sink (state.py),
agents (agents.py), registrations and presence (registrations.py), trunks
(trunks.py), management events (management.py), calls (calls.py) and queues
(queues.py). Here: the world's setup and the calls that arrive.
"""

from __future__ import annotations

import math

from wallboard.sim.accounts import Roster
from wallboard.sim.entities import Ext, Leg, Queue, Trunk
from wallboard.sim.management import Management
from wallboard.sim.queues import Queues
from wallboard.sim.registrations import PRESENCE_WEIGHTS, PRESENCES, REG_EXPIRES, Registrations
from wallboard.sim.state import Sink

IVR_NUMBER = "5000"


class Traffic(Queues, Registrations, Management):
    """The simulated PBX world and its clock."""

    def __init__(
        self,
        roster: Roster,
        *,
        seed: int,
        rate: float | None,
        start_epoch: float,
        warmup: float = 180.0,
        sink: Sink | None = None,
        id_offset: int = 0,
    ) -> None:
        super().__init__(
            roster,
            seed=seed,
            rate=rate,
            now=start_epoch - warmup,
            sink=sink,
            id_offset=id_offset,
        )
        self._build()
        self.advance_to(start_epoch)
        self.muted = False

    # --- setup ---------------------------------------------------------------

    def _build(self) -> None:
        r = self.roster
        rng = self.rng
        for k, q in enumerate(r.queues):
            queue = Queue(
                number=q,
                queue_id=r.queue_ids[q],
                name=r.queue_names[q],
                sla=(20, 30, 45, 60)[k % 4],
                max_wait=(120, 150, 90, 180)[k % 4],
            )
            self.queues[q] = queue
            self.queue_list.append(queue)
        for num in r.extensions:
            ext = Ext(number=num, ext_id=r.ext_ids[num], name=r.ext_names[num])
            ext.queue = self.queues[r.queue_of_ext[num]]
            ext.queue.agents.append(ext)
            self.exts[num] = ext
            self.ext_list.append(ext)
        for ext in self.ext_list:
            if rng.random() < 0.9:
                for _ in range(rng.choices((1, 2, 3), (60, 30, 10))[0]):
                    last = self.now - rng.uniform(0, 0.8 * REG_EXPIRES)
                    self._add_contact(ext, last_update=last, quiet=True)
            ext.presence = rng.choices(PRESENCES, PRESENCE_WEIGHTS)[0]
            ext.logged_in = rng.random() < 0.97
            if rng.random() < 0.12:
                ext.base = "NOT_READY"
                self.after(rng.uniform(5, 120), self._break_end, ext, ext.brk_token)
            ext.agent_state = self._agent_state(ext)
            ext.agent_since = self.now
        for i, name in enumerate(r.trunks):
            flaky = i == len(r.trunks) - 1
            trunk = Trunk(name=name, connected=not flaky, since=self.now, flaky=flaky)
            self.trunks.append(trunk)
            first = rng.uniform(2, 8) if flaky else rng.uniform(120, 900)
            self.after(first, self._trunk_toggle, trunk)
        n = len(self.ext_list)
        self._every(n / 300.0, self._presence_change)
        self._every(n / 1200.0, self._agent_break)
        self._every(n / 4000.0, self._agent_logout)
        self._every(n * 0.0003, self._new_contact)
        self._every(1 / 150.0, self._management)
        if self.rate > 0:
            self.after(self.rng.expovariate(self.rate), self._arrival)

    # --- arrivals ------------------------------------------------------------

    def _arrival(self) -> None:
        # A slow swell (period 15 min) so queues fill, overflow and drain.
        swell = 1.0 + 0.35 * math.sin(2 * math.pi * self.now / 900.0)
        self.after(self.rng.expovariate(self.rate * swell), self._arrival)
        r = self.rng.random()
        if r < 0.7:
            self._inbound()
        elif r < 0.9:
            self._internal()
        else:
            self._outbound()

    def _internal(self) -> None:
        a = self._pick_free_ext()
        if a is None:
            return
        b = self.rng.choice(self.ext_list)
        if b is a:
            return
        call = self._new_call(a.number, a.name, b.number, b.name, "internal")
        call.phase = "internal"
        call.add_party(a.number)
        a.call = call
        a.activity = "other"
        self.emit("call_start", call=call)
        self._set_call_status(a, "ON_CALL")
        if a.queue is not None:
            self._refresh_agent(a)
        if not b.online:
            call.add_party(b.number)
            call.legs.append(Leg(b.number, f"sip:{b.number}@{self.roster.domain}", self.now))
            self.after(0.4, self._fail_now, call, 480, "temporarily_unavailable")
        elif b.call is not None or b.activity:
            call.add_party(b.number)
            call.legs.append(Leg(b.number, self._destination(b), self.now))
            self.after(0.4, self._fail_now, call, 486, "callee_busy")
        else:
            self._ring(call, b, p_answer=0.78, p_reject=0.07, timeout=25.0)

    def _outbound(self) -> None:
        a = self._pick_free_ext()
        if a is None:
            return
        self._outbound_call(a, self._external_number(), "")

    def _inbound(self) -> None:
        rng = self.rng
        number = self._external_number()
        name = self._caller_name(number)
        queue = rng.choice(self.queue_list)
        via_ivr = rng.random() < 0.5
        callee, callee_name = (IVR_NUMBER, "IVR") if via_ivr else (queue.number, queue.name)
        call = self._new_call(number, name, callee, callee_name, "inbound")
        call.did = "1880" + str(4000 + int(queue.number) % 1000)
        trunk = self._connected_trunk()
        self.emit("call_start", call=call)
        if trunk is None:
            call.legs.append(Leg(callee, f"sip:{callee}@{self.roster.domain}", self.now))
            self.after(0.3, self._fail_now, call, 503, "trunk_unavailable")
            return
        call.trunk = trunk.name
        if via_ivr:
            call.phase = "ivr"
            call.legs.append(Leg(IVR_NUMBER, f"sip:{IVR_NUMBER}@127.0.0.1:5066", self.now))
            call.legs[-1].answered_time = self.now
            call.legs[-1].status = "answered"
            call.answered = self.now
            call.target = IVR_NUMBER
            self.emit("call", call=call, what="established", target=IVR_NUMBER, code=None)
            if rng.random() < 0.05:
                self.after(rng.uniform(3, 15), self._ivr_hangup, call, call.token)
            else:
                self.after(rng.uniform(3, 12), self._enqueue, call, queue, call.token)
        else:
            self._enqueue(call, queue, call.token)
