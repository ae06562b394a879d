"""Fuzzing (issue 7): structured and raw hostile frames at the model and through the app.

The model-level tests check the counters' bookkeeping and the state
document; the app-level tests check that a refresh of every page (and every
detail screen) never raises on whatever the fuzzer put into the model, and
that nothing unsafe reaches the terminal.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuzz_frames import FRAMES, dumps, raw, structured
from ui_helpers import bare_app
from wallboard.model import WallboardState, state_document
from wallboard.ui.app import PAGES, WallboardApp
from wallboard.ui.derived import Derived

pytestmark = pytest.mark.timeout(120)

NORMAL = json.dumps({"event_type": "trunk_connected", "trunk_name": "after-fuzz", "time": 1.7e9})
# What must never reach the terminal: C0 (but for the newlines between lines),
# DEL, C1, bidi embeddings / overrides / isolates.
UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def accounted(state: WallboardState, applied: int) -> None:
    """Every frame landed in exactly one counter, and the document is valid strict JSON."""
    assert state.frames == applied
    assert state.frames == state.events + state.replies + state.unknown + state.invalid
    doc = state_document(state)
    json.dumps(doc, allow_nan=False)
    assert doc["counters"]["frames"] == applied


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(structured(), min_size=1, max_size=25))
def test_structured_frames_with_broken_fields_never_raise(msgs: list[dict[str, Any]]) -> None:
    state = WallboardState()
    for m in msgs:
        state.apply_frame(dumps(m))
    state.apply_frame(NORMAL)
    accounted(state, len(msgs) + 1)
    assert "after-fuzz" in state.trunks


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(raw(), min_size=1, max_size=10))
def test_raw_frames_are_counted_and_never_raise(frames: list[str | bytes]) -> None:
    state = WallboardState()
    for f in frames:
        state.apply_frame(f)
    state.apply_frame(NORMAL)
    accounted(state, len(frames) + 1)
    assert "after-fuzz" in state.trunks


def test_raw_strategy_covers_the_classes_of_junk() -> None:
    """The raw frames named by the issue are all produced (the strategy is not hollow)."""
    seen: set[str] = set()

    @settings(max_examples=300, deadline=None, database=None)
    @given(raw())
    def collect(frame: str | bytes) -> None:
        if isinstance(frame, bytes):
            seen.add("bytes")
            return
        if any(n in frame for n in ("NaN", "Infinity", "1e999")):
            seen.add("non-finite")
        if "[[[[" in frame:
            seen.add("deep")
        if frame == "":
            seen.add("empty")

    collect()
    assert {"bytes", "non-finite", "deep"} <= seen, seen


# ----------------------------------------------------------------- through the app
def _swap_state(app: WallboardApp, state: WallboardState) -> None:
    """A fresh model under the running app: the next refresh is a full rebuild."""
    app.state = state
    app.derived = Derived(state)


def _refresh_every_page(app: WallboardApp) -> None:
    for n in range(1, len(PAGES) + 1):
        app.action_page(n)
        app.refresh_now(tick=True)


async def test_fuzzed_frames_refresh_every_page_of_one_app() -> None:
    """One app, a fresh state per example: apply, refresh each page; never raises."""
    app = bare_app(WallboardState())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()

        @settings(
            max_examples=40,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        )
        @given(st.lists(FRAMES, min_size=1, max_size=20))
        def check(frames: list[str | bytes]) -> None:
            state = WallboardState()
            _swap_state(app, state)
            for f in frames:
                state.apply_frame(f)
            _refresh_every_page(app)
            accounted(state, len(frames))

        check()
        await pilot.pause()
        assert app.is_running
        await pilot.press("q")
    assert app.return_code == 0


def _screen_text(app: WallboardApp) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def test_many_fuzzed_frames_then_every_page_and_detail_screen_renders() -> None:
    """Thousands of fuzzed frames in one model; then every page and detail screen is drawn."""
    frames: list[str | bytes] = []

    @settings(max_examples=150, deadline=None, database=None)
    @given(st.lists(FRAMES, min_size=5, max_size=15))
    def collect(batch: list[str | bytes]) -> None:
        frames.extend(batch)

    collect()
    state = WallboardState()
    for f in frames:
        state.apply_frame(f)
    state.apply_frame(NORMAL)
    accounted(state, len(frames) + 1)
    app = bare_app(state)
    async with app.run_test(size=(160, 50)) as pilot:
        for n in range(1, len(PAGES) + 1):
            await pilot.press(str(n))
            await pilot.pause()
            app.refresh_now(tick=True)
            await pilot.pause()
            assert not UNSAFE.search(_screen_text(app)), PAGES[n - 1]
        # A few of each kind: every detail screen costs a full mount and render.
        details = [("call", sid) for sid in list(state.calls)[:3]]
        details += [("queue", qid) for qid in list(state.queues)[:3]]
        details += [("extension", f"{t}/{n}") for t, n in list(state.extensions)[:3]]
        details += [("agent", n) for n in list(app.derived.members)[:3]]
        for kind, key in details:
            app.open_detail(kind, key)
            await pilot.pause()
            app.refresh_now(tick=True)
            await pilot.pause()
            text = _screen_text(app)
            assert not UNSAFE.search(text), (kind, key, UNSAFE.findall(text)[:5])
            app.pop_screen()
            await pilot.pause()
        await pilot.press("w")
        await pilot.pause()
        for _ in range(3):
            await pilot.press("n")
            await pilot.pause()
            assert not UNSAFE.search(_screen_text(app))
        await pilot.press("w")
        assert app.is_running
        await pilot.press("q")
    assert app.return_code == 0
