"""Everything the hub's model does, to every viewer, without one viewer slowing another.

Frame viewers (tokens without a scope) share one stream: the journal's
items are collected for `flush_interval` (20 ms), encoded once as a batch
and written to every viewer's socket with websockets' `broadcast()`, which
never waits for a socket. Scoped viewers share one `ScopeTracker` per
scope, whose patch (every `scoped_interval`) goes to that scope's viewers.

Each viewer's outgoing queue is its socket's write buffer, bounded in
bytes: its checkpoint plus `max_buffer`. A viewer over its bound fell
behind (it stopped reading, or its network is too slow); it is closed with
1013 ("try again later") and reconnects to a fresh checkpoint. The PBX side
and the other viewers never wait for it: nothing here awaits a socket.

A viewer joins between two items: the pending batch goes out first, then
its checkpoint is taken and written, then it receives every batch after.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.server import ServerConnection, broadcast
from websockets.protocol import State

from wallboard import __version__
from wallboard.feed.hubwire import (
    CLOSE_TOO_SLOW,
    CLOSE_UNAUTHORIZED,
    PROTOCOL,
    encode,
)
from wallboard.hub.journal import HubState
from wallboard.hub.tokens import TokenInfo
from wallboard.model.checkpoint import checkpoint
from wallboard.model.scope import Scope
from wallboard.model.scopetracker import RESYNC, ScopeTracker

log = logging.getLogger("wallboard.hub")
MiB = 1024 * 1024
SLOW_CLOSE_TIMEOUT = 10.0


@dataclass(eq=False)
class Viewer:
    ws: ServerConnection
    number: int
    info: TokenInfo | None  # None: open access (loopback without a token file)
    digest: bytes | None
    scope: Scope | None
    limit: int = 0  # bytes its write buffer may hold before it counts as fallen behind
    joined: float = field(default_factory=time.monotonic)
    closing: bool = False

    @property
    def who(self) -> str:
        what = f"token {self.info.name!r}" if self.info else "no token"
        if self.scope is not None:
            what += f", queues {self.scope.key}"
        return f"viewer {self.number} ({what})"


@dataclass(eq=False)
class ScopeGroup:
    scope: Scope
    tracker: ScopeTracker
    viewers: set[Viewer] = field(default_factory=set)


@dataclass(slots=True)
class FanoutStats:
    joined: int = 0
    dropped_slow: int = 0
    closed_revoked: int = 0
    checkpoints: int = 0
    checkpoint_ms_max: float = 0.0
    checkpoint_bytes_max: int = 0
    batches: int = 0
    patches: int = 0
    resyncs: int = 0


class Fanout:
    """Frame viewers, scope groups, the batches and patches they get."""

    def __init__(
        self,
        state: HubState,
        *,
        settings: dict[str, Any],
        flush_interval: float = 0.02,
        scoped_interval: float = 0.1,
        max_buffer: int = 4 * MiB,
        join_window: float = 0.05,
        checkpoint_gap: float = 0.25,
        join_budget: int = 48 * MiB,
    ) -> None:
        self.state = state
        self.settings = settings
        self.flush_interval = flush_interval
        self.scoped_interval = scoped_interval
        self.max_buffer = max_buffer
        # Viewers arriving together (a hub restart: every wall at once) share one
        # checkpoint: they wait up to `join_window` for company, and a model of
        # 5,000 agents is checkpointed at most once per `checkpoint_gap`.
        self.join_window = join_window
        self.checkpoint_gap = checkpoint_gap
        # Checkpoint bytes on their way to new viewers at most (each viewer's copy
        # sits in its socket's buffer until it has read it): a hundred walls
        # reconnecting at once are let in a few at a time, not 100 × 5 MB at once.
        self.join_budget = join_budget
        self.joining: set[Viewer] = set()
        self._admit_handle: asyncio.TimerHandle | None = None
        self._last_checkpoint = -1e9
        self.frame_viewers: set[Viewer] = set()
        self.groups: dict[str, ScopeGroup] = {}
        self.stats = FanoutStats()
        self._flush_handle: asyncio.TimerHandle | None = None
        self._scoped_handle: asyncio.TimerHandle | None = None
        self._cp_cache: tuple[int, float, bytes] | None = None
        self._closers: set[asyncio.Task[None]] = set()
        self.on_drop: Callable[[Viewer, str], None] | None = None

    @property
    def count(self) -> int:
        groups = sum(len(g.viewers) for g in self.groups.values())
        return len(self.frame_viewers) + len(self.joining) + groups

    def viewers(self) -> list[Viewer]:
        out = list(self.frame_viewers) + list(self.joining)
        for g in self.groups.values():
            out.extend(g.viewers)
        return out

    # ------------------------------------------------------------- timing
    def poke(self) -> None:
        """The model changed: a batch (and a patch) will go out shortly."""
        loop = asyncio.get_running_loop()
        if self.frame_viewers and self._flush_handle is None:
            self._flush_handle = loop.call_later(self.flush_interval, self.flush)
        if self.groups and self._scoped_handle is None:
            self._scoped_handle = loop.call_later(self.scoped_interval, self.flush_scoped)

    def cancel(self) -> None:
        for h in (self._flush_handle, self._scoped_handle, self._admit_handle):
            if h is not None:
                h.cancel()
        self._flush_handle = self._scoped_handle = self._admit_handle = None

    # ------------------------------------------------------------ writing
    def _write(self, viewers: list[Viewer], data: bytes) -> None:
        """One message to many viewers, then the bound of each viewer's queue."""
        live = [v for v in viewers if not v.closing]
        if not live:
            return
        broadcast([v.ws for v in live], data, text=True)
        max_buffer = self.max_buffer
        for v in live:
            transport = v.ws.transport
            if transport is None:
                continue
            size = transport.get_write_buffer_size()
            if size > v.limit:
                self.drop(v, CLOSE_TOO_SLOW, "outgoing queue overflow: viewer too slow", "slow")
            elif size <= max_buffer:
                v.limit = max_buffer  # its checkpoint is out: from now on, the plain bound

    def drop(self, viewer: Viewer, code: int, reason: str, why: str) -> asyncio.Task[None] | None:
        """Close a viewer without waiting for it (it may not be reading at all).

        Returns the task that closes it (its handler awaits it; nothing else must).
        """
        if viewer.closing:
            return None
        viewer.closing = True
        if why == "slow":
            self.stats.dropped_slow += 1
        elif why == "revoked":
            self.stats.closed_revoked += 1
        log.info("%s closed: %s", viewer.who, reason)
        if self.on_drop is not None:
            self.on_drop(viewer, why)
        self.leave(viewer)
        if why == "slow":
            # Its close frame waits behind what it has not read: a viewer that is slow
            # but reading gets 10 s to reach it (and 1013); one that stopped is cut then.
            viewer.ws.close_timeout = SLOW_CLOSE_TIMEOUT
        task = asyncio.get_running_loop().create_task(self._close(viewer.ws, code, reason))
        self._closers.add(task)
        task.add_done_callback(self._closers.discard)
        return task

    @staticmethod
    async def _close(ws: ServerConnection, code: int, reason: str) -> None:
        with contextlib.suppress(Exception):
            await ws.close(code, reason)

    # ------------------------------------------------------------ frames
    def flush(self) -> None:
        """Send the items collected since the last batch to every frame viewer."""
        self._flush_handle = None
        st = self.state
        if st.journal is None:
            return
        st.sweep()
        if st.desync:
            self._resync_frames()
            return
        items = st.take()
        if not items or not self.frame_viewers:
            return
        data = encode({"type": "batch", "items": items})
        self.stats.batches += 1
        self._write(list(self.frame_viewers), data)

    def _checkpoint_bytes(self) -> tuple[float, bytes]:
        """The model now, as a checkpoint message; shared by viewers joining at one moment."""
        st = self.state
        cache = self._cp_cache
        if cache is not None and cache[0] == st.version and not st.journal:
            return cache[1], cache[2]
        t0 = time.perf_counter()
        t = st.now()
        st.tick(t)  # the checkpoint's time is a tick: the viewer's clock starts there
        self.flush()
        data = encode({"type": "checkpoint", "t": t, "data": checkpoint(st)})
        self._note_checkpoint(t0, data)
        self._cp_cache = (st.version, t, data)
        return t, data

    def _note_checkpoint(self, t0: float, data: bytes) -> None:
        ms = (time.perf_counter() - t0) * 1000
        s = self.stats
        s.checkpoints += 1
        s.checkpoint_ms_max = max(s.checkpoint_ms_max, ms)
        s.checkpoint_bytes_max = max(s.checkpoint_bytes_max, len(data))

    def _hello(self, viewer: Viewer, feed: str) -> bytes:
        return encode(
            {
                "type": "hello",
                "protocol": PROTOCOL,
                "hub": f"wallboard {__version__}",
                "token": viewer.info.name if viewer.info else None,
                "scope": sorted(viewer.scope.queues) if viewer.scope is not None else None,
                "feed": feed,
                "settings": self.settings,
            }
        )

    def join(self, viewer: Viewer) -> None:
        """A new viewer: hello, a checkpoint, then every change after it.

        Frame viewers are admitted together (`admit`): one checkpoint for all
        who arrived within the join window. Between its checkpoint and the
        next batch no item can be lost: admission is one synchronous step.
        """
        self.stats.joined += 1
        if viewer.scope is not None:
            self._join_scoped(viewer)
            return
        self.joining.add(viewer)
        if self._admit_handle is None:
            loop = asyncio.get_running_loop()
            gap = self._last_checkpoint + self.checkpoint_gap - loop.time()
            self._admit_handle = loop.call_later(max(self.join_window, gap), self.admit)

    def _in_flight(self) -> int:
        """Bytes of checkpoints still queued for viewers that have not read theirs yet."""
        total = 0
        for v in self.frame_viewers:
            if v.limit > self.max_buffer and v.ws.transport is not None:
                total += v.ws.transport.get_write_buffer_size()
        return total

    def admit(self) -> None:
        """Those waiting to join: one checkpoint, written to as many as the budget allows."""
        self._admit_handle = None
        waiting = [v for v in self.joining if not v.closing]
        self.joining = set(waiting)
        if not waiting:
            return
        st = self.state
        if st.journal is None:
            self._flush_handle = None
            st.start_journal()
        in_flight = self._in_flight()
        cached = self._cp_cache
        size = len(cached[2]) if cached is not None else 0
        if in_flight and in_flight + size > self.join_budget:
            self._retry_admit()  # the ones before them are still reading theirs
            return
        _t, data = self._checkpoint_bytes()
        self._last_checkpoint = asyncio.get_running_loop().time()
        room = max(1, (self.join_budget - in_flight) // max(1, len(data)))
        waiting.sort(key=lambda v: v.number)
        joining, rest = waiting[:room], waiting[room:]
        self.joining = set(rest)
        if rest:
            self._retry_admit()
        for viewer in joining:
            self.frame_viewers.add(viewer)
            self._start(viewer, self._hello(viewer, "frames"), len(data))
        self._write(joining, data)

    def _retry_admit(self) -> None:
        if self._admit_handle is None:
            loop = asyncio.get_running_loop()
            self._admit_handle = loop.call_later(self.checkpoint_gap, self.admit)

    def _start(self, viewer: Viewer, hello: bytes, checkpoint_size: int) -> None:
        """The hello, and room in the viewer's queue for the checkpoint that follows."""
        broadcast([viewer.ws], hello, text=True)
        viewer.limit = len(hello) + checkpoint_size + self.max_buffer

    def _resync_frames(self) -> None:
        """Something changed the model outside the journal: everyone starts over."""
        st = self.state
        st.desync = False
        st.take()
        self.stats.resyncs += 1
        self._cp_cache = None
        _t, data = self._checkpoint_bytes()
        for v in list(self.frame_viewers):
            v.limit = len(data) + self.max_buffer
        self._write(list(self.frame_viewers), data)

    # ------------------------------------------------------------ scoped
    def _join_scoped(self, viewer: Viewer) -> None:
        assert viewer.scope is not None
        group = self.groups.get(viewer.scope.key)
        if group is None:
            group = ScopeGroup(viewer.scope, ScopeTracker(self.state, viewer.scope))
            self.groups[viewer.scope.key] = group
        else:
            self._flush_group(group)  # the others are up to date; then a fresh start point
        t0 = time.perf_counter()
        data = encode(
            {"type": "checkpoint", "t": self.state.now(), "data": group.tracker.checkpoint()}
        )
        self._note_checkpoint(t0, data)
        group.viewers.add(viewer)
        self._start(viewer, self._hello(viewer, "patches"), len(data))
        self._write([viewer], data)
        self.poke()

    def flush_scoped(self) -> None:
        self._scoped_handle = None
        for group in list(self.groups.values()):
            self._flush_group(group)

    def _flush_group(self, group: ScopeGroup) -> None:
        patch = group.tracker.patch()
        if patch is None or not group.viewers:
            return
        if patch is RESYNC:
            self.stats.resyncs += 1
            data = encode(
                {"type": "checkpoint", "t": self.state.now(), "data": group.tracker.checkpoint()}
            )
            for v in group.viewers:
                v.limit = len(data) + self.max_buffer
            self._write(list(group.viewers), data)
            return
        self.stats.patches += 1
        self._write(list(group.viewers), patch)

    # ------------------------------------------------------------ leaving
    def leave(self, viewer: Viewer) -> None:
        self.joining.discard(viewer)
        self.frame_viewers.discard(viewer)
        if not self.frame_viewers:
            self.state.stop_journal()
            self._cp_cache = None
        if viewer.scope is not None:
            group = self.groups.get(viewer.scope.key)
            if group is not None:
                group.viewers.discard(viewer)
                if not group.viewers:
                    del self.groups[viewer.scope.key]

    def close_all(self, code: int, reason: str) -> None:
        for v in self.viewers():
            self.drop(v, code, reason, "stopping")

    def revoke(self, still_valid: Callable[[Viewer], bool]) -> int:
        """Close the viewers whose token is gone (or changed scope); returns how many."""
        n = 0
        for v in self.viewers():
            if v.digest is not None and not still_valid(v):
                self.drop(v, CLOSE_UNAUTHORIZED, "token revoked", "revoked")
                n += 1
        return n

    def open_viewers(self) -> int:
        return sum(1 for v in self.viewers() if v.ws.protocol.state is State.OPEN)


__all__ = ["Fanout", "FanoutStats", "ScopeGroup", "Viewer"]
