"""WallboardState: the in-memory truth a supervisor reads off the wall.

`apply(event)` is the way in for the PBX's frames and `tick()` for the
passing of time (midnight comes whether or not the PBX says anything). It
is pure (no I/O, no wall clock unless one is injected) and cheap: it
updates entities and the running tallies every KPI is computed from, and
records which keys changed so the UI can refresh by keyed diff.

The handlers live in mixins, one module per seam: `extensions.py`,
`calls.py`, `queues.py`, `agents.py`, `daylog.py`, `changes.py`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

from wallboard.model.agents import AgentTracking
from wallboard.model.calendar import SANE_MIN, Calendar, usable_time
from wallboard.model.calls import CallHandlers
from wallboard.model.changes import (
    CALLS,
    COUNTS,
    EVERYTHING,
    EXTENSIONS,
    FULL,
    LOG,
    QUEUES,
    SOURCE,
    TRUNKS,
    ChangeTracking,
)
from wallboard.model.clock import SkewEstimator
from wallboard.model.daylog import DayLog
from wallboard.model.entities import Call, Extension, Notice, Queue, SourceInfo, Trunk
from wallboard.model.extensions import ExtensionHandlers
from wallboard.model.names import NameBook
from wallboard.model.queues import QueueHandlers
from wallboard.model.tally import Tally
from wallboard.model.targets import Targets
from wallboard.protocol.events import (
    CallCdr,
    CallEvent,
    ExtensionAgentStatus,
    ExtensionCall,
    ExtensionPresence,
    ExtensionRegister,
    ExtensionStatus,
    Invalid,
    Management,
    Parsed,
    QueueAgentStatus,
    QueueCallerStatus,
    QueueMemberState,
    QueueSlaBreached,
    QueueStatus,
    Reply,
    TrunkEvent,
    Unknown,
)
from wallboard.protocol.parse import parse_frame

MAX_TRUNKS = 2_000

_DIALECT_RANK = {"v12": 0, "v16": 1, "v22": 2}
_V16_ONLY = frozenset(
    {
        "ExtensionStatus",
        "ExtensionCall",
        "ExtensionPresence",
        "ExtensionAgentStatus",
        "QueueCallerStatus",
        "QueueAgentStatus",
        "QueueSlaBreached",
    }
)
_UNKNOWN = "?"
_GUESSES: dict[tuple[type, str | None], str | None] = {}  # per event type (and call kind)


def _guess_dialect(name: str, kind: str | None) -> str | None:
    if name in _V16_ONLY:
        return "v16"
    if name == "Management" or (name == "CallEvent" and kind == "call_update_info"):
        return "v22"
    if name in ("ExtensionRegister", "TrunkEvent", "QueueMemberState") or (
        name == "CallEvent" and kind != "call_start"
    ):
        return "v12"
    return None


# Events whose time says when they happened at the PBX (not a "since" in a picture):
# the samples of the PBX clock's offset.
_CLOCK_SAMPLES = (CallEvent, QueueCallerStatus)


class WallboardState(
    ChangeTracking, ExtensionHandlers, CallHandlers, QueueHandlers, AgentTracking, DayLog
):
    """Extensions, calls, queues, agents and trunks; today's tallies; what is dirty.

    `clock`: a function returning "now" (live: `time.time`). Without one the
    clock is the latest event time seen, so a replay is deterministic.
    """

    def __init__(
        self,
        clock: Callable[[], float] | None = None,
        *,
        targets: Targets | None = None,
        calendar: Calendar | None = None,
        sla_seconds: float | None = None,
        log_size: int = 300,
        history_size: int = 200,
    ) -> None:
        self.clock_fn = clock
        if targets is None:
            targets = Targets(sla_seconds=sla_seconds)
        self.targets = targets
        self.calendar = calendar or Calendar()
        self.source = SourceInfo()
        self.names = NameBook()
        self.skew = SkewEstimator()
        self.extensions: dict[tuple[str, str], Extension] = {}
        self.calls: dict[str, Call] = {}
        self.queues: dict[str, Queue] = {}
        self.trunks: dict[str, Trunk] = {}
        self.finished = {"ended": 0, "noanswer": 0, "failed": 0}
        self.reroutes = 0
        self.log: deque[tuple[float, Any]] = deque(maxlen=log_size)
        self.errors: deque[Reply] = deque(maxlen=20)
        self.frames = 0
        self.events = 0
        self.replies = 0
        self.unknown = 0
        self.invalid = 0
        self.latest_event_time: float | None = None
        # Entities not kept because a limit was reached (hostile or broken input).
        self.limits_dropped = 0
        self.counting_since: float | None = None
        self.dialect_seen: str | None = None
        # Called with the state still holding the day that ends, and its end time.
        self.on_rollover: list[Callable[[WallboardState, float], None]] = []
        # Called when a day begins (the first usable clock, or midnight): a store
        # loads what it already holds of that day (a restart, a second import).
        self.on_new_day: list[Callable[[WallboardState], None]] = []
        # Today's flaps of trunks restored from a checkpoint before the PBX named them.
        self.trunk_flaps_restored: dict[str, int] = {}
        self._next_reset: float | None = None
        self._interval_start = 0.0
        self._interval_end = 0.0
        self._minute = 0.0
        self._finished_ids: dict[str, None] = {}
        self._qid_by_number: dict[tuple[str, str], str] = {}  # (tenant, number) -> queue id
        self._qid_of_number: dict[str, str] = {}  # number -> the latest queue id with it
        self._ext_by_number: dict[str, Extension] = {}
        self._init_changes()
        self._init_agents()
        self._init_daylog(history_size)
        self._handlers: dict[type, Callable[[Any, float], int]] = {
            ExtensionRegister: self._extension_register,
            ExtensionStatus: self._extension_status,
            ExtensionCall: self._extension_call,
            ExtensionPresence: self._extension_presence,
            ExtensionAgentStatus: self._extension_agent_status,
            CallEvent: self._call_event,
            CallCdr: self._call_cdr,
            QueueStatus: self._queue_status,
            QueueCallerStatus: self._queue_caller_status,
            QueueAgentStatus: self._queue_agent_status,
            QueueSlaBreached: self._queue_sla_breached,
            QueueMemberState: self._queue_member_state,
            TrunkEvent: self._trunk,
            Management: self._management,
        }

    # ------------------------------------------------------------------ clock
    def now(self) -> float:
        if self.clock_fn is not None:
            return self.clock_fn()
        return self.latest_event_time or 0.0

    def pbx_now(self) -> float:
        """ "Now" on the PBX's clock: what every live duration (wait, talk, state) is against."""
        return self.now() - self.skew.offset

    @property
    def day(self) -> str | None:
        """The call center's calendar day of the clock (None before any usable time)."""
        now = self.now()
        return self.calendar.day(now) if usable_time(now) else None

    def tick(self, now: float | None = None) -> int:
        """Time passed: midnight rolls the day over even if no event arrives after it.

        Live feeds and the UI call this about once a second; a replay's clock
        only moves with its events, so there `apply` does it.
        """
        now = self.now() if now is None else now
        if not usable_time(now):
            return 0
        flags = 0
        if self._next_reset is None or now >= self._next_reset:
            flags = self._check_midnight(now)
        if now >= self._interval_end or now < self._interval_start:
            self._move_interval(now)
        self.coverage.touch(now)
        minute = now - now % 60.0
        if minute != self._minute:
            self._minute = minute
            for q in self.queues.values():
                self._sample_trend(q)
            flags |= QUEUES
        return self.touch(flags) if flags else 0

    def _move_interval(self, now: float) -> None:
        cal = self.calendar
        start = cal.interval_start(now)
        if self._next_reset is not None:
            day_start = cal.midnight(self._next_reset - 1.0)
            if start < day_start:
                start = day_start  # the clock went back past midnight: stay in today
        self._interval_start = start
        self._interval_end = cal.interval_end(start)
        self._minute = now - now % 60.0

    def _check_midnight(self, now: float) -> int:
        if now < SANE_MIN:
            return 0  # no usable time yet: nothing to anchor "today" to
        if self._next_reset is None:
            self.counting_since = now
            self._next_reset = self.calendar.next_midnight(now)
            self._move_interval(now)
            for hook in list(self.on_new_day):
                hook(self)
            return 0
        if now >= self._next_reset:
            self.reset_counters(now)
            return QUEUES | COUNTS | TRUNKS
        return 0

    def reset_counters(self, now: float) -> None:
        """A new day: every daily count restarts; what is live now stays.

        `on_rollover` hooks see the old day first (a store writes it out).
        """
        midnight = self.calendar.midnight(now)
        for hook in list(self.on_rollover):
            hook(self, midnight)
        self.counting_since = midnight
        self._next_reset = self.calendar.next_midnight(now)
        self._move_interval(now)
        self.finished = {"ended": 0, "noanswer": 0, "failed": 0}
        self.reroutes = 0
        for tr in self.trunks.values():
            tr.flaps = 0
        self.trunk_flaps_restored.clear()
        for q in self.queues.values():
            # Callers waiting across midnight are today's offers.
            q.seen = set(q.waiting)
            q.stats = Tally(offered=len(q.waiting), peak_waiting=self.waiting_now(q))
            q.intervals = {}
            if q.waiting:
                self._interval(q).offered = len(q.waiting)
            if self.outbox is not None:
                self.outbox.offered.extend((q.queue_id, sid) for sid in q.waiting)
        self._reset_agent_days(midnight)
        self.day_calls.clear()
        self.coverage.restart(midnight)
        self.dirty |= QUEUES | COUNTS | TRUNKS
        self.dirty_queues.update(self.queues)
        for hook in list(self.on_new_day):
            hook(self)

    # ------------------------------------------------------------------ input
    def apply_frame(self, frame: str | bytes, received: float | None = None) -> int:
        """Parse and apply one received frame; every frame lands in exactly one counter."""
        return self.apply(parse_frame(frame), received)

    def apply(self, ev: Parsed, received: float | None = None) -> int:
        """Apply a parsed frame; returns the change flags.

        `received`: when it arrived on our clock (the live client's receive
        time, or the hub's for a viewer). It is "now" for this event, and it
        measures the PBX clock's offset.
        """
        self.frames += 1
        handler = self._handlers.get(type(ev))
        if handler is None:
            return self._not_an_event(ev)
        self.events += 1
        t = ev.time  # type: ignore[union-attr]
        if usable_time(t):
            latest = self.latest_event_time
            if latest is None or t > latest:
                self.latest_event_time = t
            if received is not None and type(ev) in _CLOCK_SAMPLES:
                self.skew.add(received, t)
        else:
            t = None
        if received is not None:
            now = received
        else:
            clock = self.clock_fn
            now = clock() if clock is not None else (self.latest_event_time or 0.0)
        if t is None:
            t = now - self.skew.offset
        if now >= self._interval_end or now < self._interval_start:
            next_reset = self._next_reset
            if next_reset is None or now >= next_reset:
                self._check_midnight(now)
            if usable_time(now):
                self._move_interval(now)
        if self.dialect_seen != "v22":
            self._note_dialect(ev)
        self.log.append((t, ev))
        return self.touch(handler(ev, t) | LOG | COUNTS)

    def _not_an_event(self, ev: Parsed) -> int:
        if type(ev) is Reply:
            self.replies += 1
            if ev.status != 0:  # type: ignore[union-attr]
                self.errors.append(ev)  # type: ignore[arg-type]
                self.log.append((self.now(), ev))
                return self.touch(LOG | COUNTS)
            return self.touch(COUNTS)
        if type(ev) is Unknown:
            self.unknown += 1
        else:
            self.invalid += 1
        self.log.append((self.now(), ev))
        return self.touch(LOG | COUNTS)

    def note_invalid(self, reason: str) -> int:
        """A frame rejected before parsing (binary, oversized, unreadable line)."""
        return self.apply(Invalid(reason))

    def source_changed(self) -> int:
        """The feed changed `source` (status, retry countdown, errors): redraw it.

        Also the coverage: the wallboard is watching while connected (a replay
        counts as watching the period it plays).
        """
        now = self.now()
        clock = now if usable_time(now) else None
        if self.source.status == "connected":
            self.coverage.start(clock)
        else:
            self.coverage.stop(clock)
        return self.touch(SOURCE)

    def _note_dialect(self, ev: Parsed) -> None:
        """Guess the dialect of a file without a header from the events it holds."""
        tev = type(ev)
        key = (tev, ev.kind if tev is CallEvent else None)  # type: ignore[union-attr]
        guess = _GUESSES.get(key, _UNKNOWN)
        if guess is _UNKNOWN:
            guess = _GUESSES[key] = _guess_dialect(tev.__name__, key[1])
        if guess and (
            self.dialect_seen is None or _DIALECT_RANK[guess] > _DIALECT_RANK[self.dialect_seen]
        ):
            self.dialect_seen = guess

    # -------------------------------------------------------------- staleness
    def mark_stale(self) -> None:
        """After a reconnect: what we knew may be out of date (the PBX may have restarted).

        Events and v16+ pictures confirm what still exists (clearing the mark);
        `drop_stale` later forgets calls and queues nobody confirmed.
        """
        for c in self.calls.values():
            c.stale = True
            self.dirty_calls.add(c.session_id)
        for key, ext in self.extensions.items():
            if ext.contacts or ext.online_flag:
                ext.stale = True
                self.dirty_extensions.add(key)
        for qid, q in self.queues.items():
            q.stale = True
            self.dirty_queues.add(qid)
        self.touch(CALLS | EXTENSIONS | QUEUES)

    def drop_stale(self, older_than: float) -> int:
        """Forget stale calls not confirmed since `older_than` (their outcome is unknown)
        and queues no event mentioned since the reconnect (gone from the PBX)."""
        gone = [sid for sid, c in self.calls.items() if c.stale and c.updated < older_than]
        for sid in gone:
            del self.calls[sid]
            self.dirty_calls.add(sid)
        ghosts = [qid for qid, q in self.queues.items() if q.stale]
        for qid in ghosts:
            self.forget_queue(qid)
        if gone or ghosts:
            self.touch(CALLS | EXTENSIONS | QUEUES)
        return len(gone) + len(ghosts)

    def notice(self, text: str) -> int:
        """A line for the event log from outside the PBX's frames (names, store, feed)."""
        now = self.now()
        self.log.append((now, Notice(text[:500], now)))
        return self.touch(LOG)

    def names_changed(self) -> None:
        """Names were set (REST, names file): every row that shows one redraws."""
        self.touch(EXTENSIONS | QUEUES | CALLS | FULL if self._tracking else EVERYTHING)

    # ----------------------------------------------------------------- trunks
    def _trunk(self, ev: TrunkEvent, t: float) -> int:
        tr = self.trunks.get(ev.name)
        if tr is None:
            if len(self.trunks) >= MAX_TRUNKS:
                self.limits_dropped += 1
                return 0
            flaps = self.trunk_flaps_restored.pop(ev.name, 0)
            self.trunks[ev.name] = Trunk(ev.name, ev.connected, t, ev.reason, flaps)
        elif tr.connected != ev.connected:
            tr.connected = ev.connected
            tr.since = t
            tr.reason = ev.reason
            if not ev.connected:
                tr.flaps += 1
        return TRUNKS

    # ------------------------------------------------------------- management
    def _management(self, ev: Management, t: float) -> int:
        kind = ev.kind
        if kind.startswith("extension_"):
            return self._extension_management(ev, t)
        if kind in ("queue_destroy", "queue_destroyed"):
            key = self.queue_key(ev.tenant_id, ev.queue_number)
            if key is not None:
                self.forget_queue(key)
            return QUEUES
        q = self.queue(ev.tenant_id, "", ev.queue_number)
        if ev.queue_name:
            q.name = ev.queue_name
        return QUEUES

    # ------------------------------------------------------------------ KPIs
    def totals(self, queues: list[Queue] | None = None) -> Tally:
        """The sum of the day tallies of `queues` (default: all): totals rows and tiles."""
        total = Tally()
        for q in self.queues.values() if queues is None else queues:
            total.add(q.stats)
        return total


__all__ = [
    "CALLS",
    "COUNTS",
    "EVERYTHING",
    "EXTENSIONS",
    "FULL",
    "LOG",
    "QUEUES",
    "SOURCE",
    "TRUNKS",
    "WallboardState",
    "usable_time",
]
