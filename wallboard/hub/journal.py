"""The hub's model, which writes down everything that changes it, for the viewers.

`HubState` is a `WallboardState` whose every way in (a PBX frame, a frame
rejected before parsing, a clock tick, a connection status change, the
stale marking after a reconnect and its drop, names, a day a store loaded)
also appends an item to `journal` (the batch items of `feed/hubwire.py`),
in the order they happen, with the hub time they happened at. Replaying the
items on a copy of the model gives the same model: that is how a viewer's
state equals the hub's.

Two details make "the same" exact rather than nearly so:
- while an item is applied the model's clock is frozen at the item's time,
  so whatever a handler asks `now()` is the time the viewer will use too;
- the frame's text comes from the live client's `on_frame` hook (`stash`),
  which it calls right before it applies that frame.

Anything that changes the model outside these ways (a caller that applies
a parsed event without its text) sets `desync`: the server then sends every
viewer a fresh checkpoint.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

from wallboard.feed.hubwire import SOURCE_FIELDS, source_dict
from wallboard.model.calendar import Calendar
from wallboard.model.checkpoint import day_part
from wallboard.model.state import WallboardState
from wallboard.model.targets import Targets
from wallboard.protocol.events import Invalid, Parsed, Reply


class HubState(WallboardState):
    """The hub's model; `journal` is None while nobody watches the frame feed."""

    def __init__(
        self,
        clock: Callable[[], float] | None = None,
        *,
        targets: Targets | None = None,
        calendar: Calendar | None = None,
    ) -> None:
        self.base_clock: Callable[[], float] = clock or time.time
        self._frozen: float | None = None
        super().__init__(self._clock, targets=targets, calendar=calendar)
        self.journal: list[list[Any]] | None = None
        self.desync = False
        self.day_began = False
        self._text: str | None = None
        self._sent_source: tuple[Any, ...] = ()
        self._names_version = self.names.version
        self.on_new_day.append(self._note_new_day)

    def _clock(self) -> float:
        frozen = self._frozen
        return frozen if frozen is not None else self.base_clock()

    def _note_new_day(self, _state: WallboardState) -> None:
        self.day_began = True

    # ------------------------------------------------------------ ways in
    def stash(self, text: str, _t: float = 0.0) -> None:
        """The live client's `on_frame` hook: the text of the frame it applies next."""
        self._text = text

    def apply(self, ev: Parsed, received: float | None = None) -> int:
        text, self._text = self._text, None
        if received is None:
            received = self.base_clock() if self._frozen is None else self._frozen
        outer = self._frozen
        self._frozen = received
        try:
            flags = super().apply(ev, received)
        finally:
            self._frozen = outer
        j = self.journal
        if j is not None and outer is None:
            if text is not None:
                if type(ev) is Reply and ev.command:
                    j.append(["f", received, text, ev.command])
                else:
                    j.append(["f", received, text])
            elif type(ev) is Invalid:
                j.append(["x", received, ev.reason])
            else:
                self.desync = True
        return flags

    def tick(self, now: float | None = None) -> int:
        now = self._clock() if now is None else now
        outer = self._frozen
        self._frozen = now
        try:
            flags = super().tick(now)
        finally:
            self._frozen = outer
        if self.journal is not None and outer is None:
            self.journal.append(["t", now])
        return flags

    def source_changed(self) -> int:
        now = self._clock()
        outer = self._frozen
        self._frozen = now
        try:
            flags = super().source_changed()
        finally:
            self._frozen = outer
        if self.journal is not None and outer is None:
            self.journal.append(["s", now, source_dict(self.source), True])
            self._sent_source = self._source_sig()
        return flags

    def mark_stale(self) -> None:
        super().mark_stale()
        if self.journal is not None and self._frozen is None:
            self.journal.append(["m", self._clock()])

    def drop_stale(self, older_than: float) -> int:
        now = self._clock()
        outer = self._frozen
        self._frozen = now
        try:
            n = super().drop_stale(older_than)
        finally:
            self._frozen = outer
        if self.journal is not None and outer is None:
            cutoff = older_than if math.isfinite(older_than) else None
            self.journal.append(["d", now, cutoff])
        return n

    def _check_midnight(self, now: float) -> int:
        """A day that began with hooks besides ours (a store) may hold what the store
        loaded for it: the whole day part goes out, right where the day began."""
        self.day_began = False
        flags = super()._check_midnight(now)
        if self.day_began:
            self.day_began = False
            if self.journal is not None and len(self.on_new_day) > 1:
                self.journal.append(["D", now, day_part(self)])
        return flags

    # ---------------------------------------------------- at each flush
    def _source_sig(self) -> tuple[Any, ...]:
        src = self.source
        return tuple(getattr(src, f) for f in SOURCE_FIELDS)

    def sweep(self) -> None:
        """Before a batch leaves: what changed without passing a way in.

        The live client sets some `source` fields (last frame time, attempt,
        a command error) without a status change; names can be set by a
        names source at any time. Both go out as items now.
        """
        j = self.journal
        if j is None:
            self._names_version = self.names.version
            return
        now = self._clock()
        sig = self._source_sig()
        if sig != self._sent_source:
            self._sent_source = sig
            j.append(["s", now, source_dict(self.source), False])
        if self.names.version != self._names_version:
            self._names_version = self.names.version
            j.append(["n", now, self.names.as_dict()])

    def start_journal(self) -> None:
        """The first frame viewer joined: from now on every change is written down."""
        if self.journal is None:
            self.journal = []
        self._sent_source = self._source_sig()
        self._names_version = self.names.version
        self.desync = False

    def stop_journal(self) -> None:
        self.journal = None

    def take(self) -> list[list[Any]]:
        items = self.journal
        if not items:
            return []
        self.journal = []
        return items


def hub_state(config: Any, clock: Callable[[], float] | None = None) -> HubState:
    """A hub model measuring against the config's targets, on its calendar, with its names."""
    state = HubState(clock, targets=config.targets(), calendar=config.calendar())
    if config.names:
        state.names.set_overrides(config.names)
    return state


__all__ = ["HubState", "hub_state"]
