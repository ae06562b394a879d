"""The hub's journal and the viewer protocol, without sockets: a viewer's model = the hub's.

The hub's model (`HubState`) writes every change down; a viewer starts from
a checkpoint and replays the items. These tests drive a hub model the way
the live client does (the frame's text, then the frame, with the hub's
receive time), join a viewer in the middle, and compare everything: the
state document and the hidden parts a model needs to go on counting.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import orjson
import pytest

from hostile import FIXTURE as HOSTILE
from hub_helpers import StepClock, hidden_parts
from ui_helpers import REPLAY
from wallboard.bench.stream import StreamGenerator
from wallboard.feed.hubwire import (
    PROTOCOL,
    ProtocolError,
    ViewerModel,
    encode,
    parse_settings,
    settings_payload,
)
from wallboard.hub.journal import HubState
from wallboard.model import WallboardState, state_document
from wallboard.model.applypatch import apply_patch
from wallboard.model.calendar import Calendar, parse_timezone
from wallboard.model.checkpoint import checkpoint, json_default
from wallboard.model.document import totals
from wallboard.model.scope import Scope, scoped_model
from wallboard.model.scopetracker import RESYNC, ScopeTracker
from wallboard.model.targets import QueueTarget, Targets
from wallboard.protocol.parse import parse_frame

UTC = parse_timezone("UTC")


def frames_of(path: Path) -> list[str]:
    out = []
    for line in path.read_text().splitlines():
        obj = json.loads(line) if line.strip().startswith("{") else None
        out.append(obj["frame"] if isinstance(obj, dict) and "frame" in obj else line)
    return out


V16 = [f for _t, f in StreamGenerator(agents=120, queues=5, seed=5).frames(4000)]
STREAMS = {"v16-stream": V16, "v12-demo": frames_of(Path(REPLAY)), "hostile": frames_of(HOSTILE)}


class Pair:
    """A hub model fed like the live client feeds it, and one viewer of it."""

    def __init__(self, start: float, calendar: Calendar | None = None, **kw: Any) -> None:
        self.clock = StepClock(start)
        self.hub = HubState(self.clock, calendar=calendar or Calendar(tz=UTC), **kw)
        self.view = WallboardState()
        self.model = ViewerModel(self.view)

    def frame(self, text: str, dt_: float = 0.01) -> None:
        self.clock.t += dt_
        self.hub.stash(text)
        self.hub.apply(parse_frame(text), self.hub.now())

    def join(self) -> None:
        hub = self.hub
        hub.start_journal()
        zone = getattr(hub.calendar.tz, "key", None)
        settings = settings_payload(hub.targets, hub.calendar, zone)
        self.model.handle(encode({"type": "hello", "protocol": PROTOCOL, "settings": settings}))
        t = hub.now()
        hub.tick(t)
        hub.take()
        self.model.handle(encode({"type": "checkpoint", "t": t, "data": checkpoint(hub)}))

    def flush(self) -> None:
        self.hub.sweep()
        items = self.hub.take()
        # Through the wire: JSON bytes, as a batch message.
        self.model.handle(orjson.dumps({"type": "batch", "items": items}, default=json_default))

    def assert_equal(self) -> None:
        self.hub.tick()
        self.flush()
        assert self.model.skipped == 0
        assert not self.hub.desync
        a, b = state_document(self.hub), state_document(self.view)
        assert a == b
        assert hidden_parts(self.view) == hidden_parts(self.hub)


@pytest.mark.parametrize("stream", sorted(STREAMS))
@pytest.mark.parametrize("split", [0.0, 0.3, 0.7])
def test_viewer_joining_mid_stream_equals_the_hub(stream: str, split: float) -> None:
    frames = STREAMS[stream]
    pair = Pair(1_760_000_000.0)
    cut = int(len(frames) * split)
    for f in frames[:cut]:
        pair.frame(f)
    pair.join()
    last_tick = pair.clock.t
    for n, f in enumerate(frames[cut:]):
        pair.frame(f, 0.05)
        if pair.clock.t - last_tick >= 1.0:
            pair.hub.tick()
            last_tick = pair.clock.t
        if n % 37 == 0:
            pair.flush()
    pair.assert_equal()


def test_reconnect_marking_drop_source_and_names_reach_the_viewer() -> None:
    """What the live client does to the model besides frames: every bit of it, in order."""
    pair = Pair(1_760_000_000.0)
    for f in V16[:1500]:
        pair.frame(f)
    pair.join()
    hub = pair.hub
    hub.source.status = "connected"
    hub.source_changed()
    for f in V16[1500:2000]:
        pair.frame(f)
    # The PBX goes away and comes back: countdown, stale marking, the drop later.
    hub.source.status = "reconnecting"
    hub.source.retry_in = 4.0
    hub.source.last_error = "the PBX closed the connection (code 1001, going away)"
    hub.source_changed()
    pair.flush()
    assert pair.view.source.status == "reconnecting" and pair.view.source.retry_in == 4.0
    assert state_document(pair.view)["source"] == state_document(hub)["source"]
    hub.mark_stale()
    hub.source.status = "connected"
    hub.source.last_frame_at = pair.clock.t  # set by the client without a status change
    hub.source_changed()
    for f in V16[2000:2600]:
        pair.frame(f)
    pair.flush()
    assert any(c.stale for c in pair.view.calls.values())
    hub.drop_stale(float("inf"))
    hub.names.set_overrides({"1003": "Ada", "1004": "Grace"})
    invalid_before = hub.invalid
    hub.note_invalid("binary frame")
    for f in V16[2600:3000]:
        pair.frame(f)
    pair.assert_equal()
    assert pair.view.names.name("", "1003") == "Ada"
    assert pair.view.invalid == hub.invalid == invalid_before + 1
    assert not any(c.stale for c in pair.view.calls.values())


def test_the_viewer_rolls_over_at_the_hubs_midnight_between_the_same_frames() -> None:
    """The hub counts Berlin days; the viewer's own clock and zone play no part."""
    berlin = Calendar(tz=parse_timezone("Europe/Berlin"))
    midnight = dt.datetime(2025, 3, 4, tzinfo=parse_timezone("Europe/Berlin")).timestamp()
    gen = StreamGenerator(agents=60, queues=3, seed=2, start=midnight - 120, rate=10.0)
    stream = list(gen.frames(3000))
    pair = Pair(midnight - 120, calendar=berlin)
    for t, f in stream[:1000]:
        pair.clock.t = max(pair.clock.t, t)
        pair.frame(f, 0.0)
    pair.join()
    assert pair.model.settings is not None and pair.model.settings.timezone == "Europe/Berlin"
    for t, f in stream[1000:]:
        pair.clock.t = max(pair.clock.t, t)
        pair.frame(f, 0.0)
        pair.hub.tick()
        pair.flush()
    assert pair.hub.day == "2025-03-04" and stream[-1][0] > midnight
    pair.assert_equal()
    assert state_document(pair.view)["day"] == "2025-03-04"


def test_a_day_a_store_loads_at_midnight_reaches_the_viewer() -> None:
    """A hook that loads the new day (as a store does) goes out as a "D" item, in place."""
    midnight = dt.datetime(2025, 3, 4, tzinfo=UTC).timestamp()
    gen = StreamGenerator(agents=40, queues=2, seed=3, start=midnight - 60, rate=10.0)
    stream = list(gen.frames(1500))
    pair = Pair(midnight - 60)
    loaded: list[str] = []

    def store_hook(state: WallboardState) -> None:
        for q in state.queues.values():
            q.stats.offered += 7  # what the store held of this day
        loaded.append(state.day or "")

    for t, f in stream[:300]:
        pair.clock.t = max(pair.clock.t, t)
        pair.frame(f, 0.0)
    pair.hub.on_new_day.append(store_hook)
    pair.join()
    for t, f in stream[300:]:
        pair.clock.t = max(pair.clock.t, t)
        pair.frame(f, 0.0)
        pair.flush()
    assert loaded == ["2025-03-04"]
    pair.assert_equal()


def test_settings_travel_and_bad_ones_are_never_fatal() -> None:
    targets = Targets(
        sla_seconds=15.0, sl_definition="offered", queues={"8001": QueueTarget(sla_seconds=30.0)}
    )
    payload = orjson.loads(encode(settings_payload(targets, Calendar(tz=UTC), "UTC")))
    settings, problems = parse_settings(payload)
    assert settings.targets == targets and settings.timezone == "UTC" and not problems
    settings, problems = parse_settings(
        {"timezone": "Mars/Olympus", "interval_minutes": 7, "targets": {"sla_seconds": "x"}}
    )
    assert settings.calendar.interval_minutes == 15 and settings.targets == Targets()
    assert problems and "Mars/Olympus" in problems[0]


def test_junk_from_a_hub_is_skipped_and_another_protocol_refused() -> None:
    model = ViewerModel(WallboardState())
    for junk in (b"\xff", b"[]", b'{"type": "batch", "items": []}', b'{"type": "nope"}'):
        assert model.handle(junk) == "invalid"  # a batch before hello/checkpoint too
    assert model.skipped == 4
    model.handle(encode({"type": "hello", "protocol": PROTOCOL}))
    model.handle(encode({"type": "checkpoint", "t": 1_760_000_000.0, "data": {}}))
    assert model.ready
    bad_items = [
        ["f", 1.0],
        ["f", "x", "y"],
        ["zz", 1.0, 2],
        "item",
        ["f", 1.0, 5],
        ["d", 1.0, "x"],
    ]
    model.handle(encode({"type": "batch", "items": bad_items}))
    assert model.skipped == 4 + 1 + len(bad_items)  # the empty checkpoint, then each item
    with pytest.raises(ProtocolError, match="protocol 2"):
        model.handle(encode({"type": "hello", "protocol": 2}))


# ------------------------------------------------------------------- scopes
SCOPE = Scope.of(["8002", "8004"])


def _scoped_run(split: int) -> tuple[WallboardState, WallboardState, int]:
    clock = StepClock(1_760_000_000.0)
    hub = WallboardState(clock)
    for f in V16[:split]:
        clock.t += 0.05
        hub.apply(parse_frame(f), clock.t)
    tracker = ScopeTracker(hub, SCOPE)
    view = WallboardState(StepClock(0.0))
    model = ViewerModel(view)
    model.handle(encode({"type": "hello", "protocol": PROTOCOL}))
    model.handle(encode({"type": "checkpoint", "t": clock.t, "data": tracker.checkpoint()}))
    patches = 0
    for n, f in enumerate(V16[split:]):
        clock.t += 0.05
        hub.apply(parse_frame(f), clock.t)
        if n % 29 == 0:
            p = tracker.patch()
            if p is RESYNC:  # the day began (split 0): a fresh start, as the hub sends
                assert split == 0 and n == 0
                cp = {"type": "checkpoint", "t": clock.t, "data": tracker.checkpoint()}
                model.handle(encode(cp))
            elif p is not None:
                model.handle(p)
                patches += 1
    p = tracker.patch()
    if p is not None and p is not RESYNC:
        model.handle(p)
    assert model.skipped == 0
    return hub, view, patches


@pytest.mark.parametrize("split", [0, 1200, 3000])
def test_a_scoped_viewer_equals_the_hub_restricted(split: int) -> None:
    hub, view, patches = _scoped_run(split)
    assert patches > 0
    doc = state_document(view)
    assert doc == state_document(scoped_model(hub, SCOPE))
    # The totals are the hub's own, over the scope's queues (not recomputed).
    in_scope = [q for q in hub.queues.values() if SCOPE.has_queue(q)]
    assert doc["totals"] == totals(hub, in_scope)
    # Only its queues, their agents, the calls of those agents.
    assert {q["number"] for q in doc["queues"]} == {"8002", "8004"}
    agents = {a["extension"] for q in doc["queues"] for a in q["agents"]}
    assert agents and {e["number"] for e in doc["extensions"]} <= agents
    for c in doc["calls"]:
        assert {c["caller"], c["callee"], c["answered_by"]} & (agents | {"8002", "8004"})
    assert doc["trunks"] == [] and doc["errors"] == []
    for e in doc["extensions"]:
        assert set(e["agent_states"]) <= {"8002", "8004"}
    # Nothing of the other queues, except as the number an in-scope agent's call dialled.
    others = {q.number for q in hub.queues.values()} - {"8002", "8004"}
    text = orjson.dumps({k: v for k, v in doc.items() if k != "calls"}).decode()
    assert not any(f'"{n}"' in text for n in others)


def test_a_new_day_restarts_a_scoped_stream() -> None:
    midnight = dt.datetime(2025, 3, 4, tzinfo=UTC).timestamp()
    clock = StepClock(midnight - 30)
    hub = WallboardState(clock, calendar=Calendar(tz=UTC))
    gen = StreamGenerator(agents=60, queues=5, seed=4, start=midnight - 30, rate=10.0)
    stream = list(gen.frames(800))
    for t, f in stream[:100]:
        clock.t = max(clock.t, t)
        hub.apply(parse_frame(f), clock.t)
    hub.tick()
    tracker = ScopeTracker(hub, SCOPE)
    tracker.checkpoint()
    clock.t = midnight + 1
    hub.tick()
    assert tracker.patch() is RESYNC
    tracker.checkpoint()
    view = WallboardState(StepClock(0.0))
    model = ViewerModel(view)
    model.handle(encode({"type": "hello", "protocol": PROTOCOL}))
    model.handle(encode({"type": "checkpoint", "t": clock.t, "data": tracker.checkpoint()}))
    for t, f in stream[100:]:
        clock.t = max(clock.t, t)
        hub.apply(parse_frame(f), clock.t)
    p = tracker.patch()
    assert p is not RESYNC
    if p is not None:
        model.handle(p)
    assert state_document(view) == state_document(scoped_model(hub, SCOPE))


def test_apply_patch_skips_what_it_cannot_read() -> None:
    view = WallboardState()
    skipped = apply_patch(
        view,
        {
            "set": {"queues": [{"queue_id": ""}, "x"], "calls": [{"session_id": 5}]},
            "del": {"extensions": ["no-separator"]},
            "finished": [{}],
            "scalars": {"source": "nonsense"},
        },
    )
    assert skipped == 6
    assert view.queues == {} and view.calls == {}
