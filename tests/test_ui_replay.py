"""`wallboard replay`: paced by recorded times ÷ speed, flat out with 0, ends on the final state."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

from scenario import T0, call
from ui_helpers import REPLAY, bare_app
from wallboard.cli import main
from wallboard.feed.paced import replay_feed
from wallboard.feed.replay import replay_into
from wallboard.model import WallboardState, state_document


async def _run_until_finished(app, timeout: float = 20.0) -> float:  # type: ignore[no-untyped-def]
    t0 = time.monotonic()
    async with app.run_test(size=(120, 40)) as pilot:
        async with asyncio.timeout(timeout):
            while app.state.source.status != "finished":
                await asyncio.sleep(0.01)
        elapsed = time.monotonic() - t0
        app.refresh_now(tick=True)
        await pilot.pause(0.1)
        # The end of the replay is not the end of the app: it stays open on the final state.
        assert app.is_running and app.return_code is None
        assert "replay finished" in str(app.query_one("#status").render())
        await pilot.press("q")
    assert app.return_code == 0
    return elapsed


async def test_speed_zero_applies_everything_and_stays_open() -> None:
    app = bare_app(WallboardState(), feed=replay_feed(REPLAY, 0.0), refresh_hz=20)
    await _run_until_finished(app)
    expected = WallboardState()
    replay_into(expected, REPLAY)
    got = state_document(app.state)
    want = state_document(expected)
    assert got["counters"] == want["counters"]
    assert got["queues"] == want["queues"] and got["calls"] == want["calls"]
    assert app.refresh_stats.count >= 1


def _write(path: Path, lines: list[object]) -> Path:
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    return path


def _applied_at(state: WallboardState) -> list[float]:
    """Record when each frame is applied: pacing is timed from the first one, not from start-up."""
    times: list[float] = []
    apply = state.apply

    def timed(ev, received=None):  # type: ignore[no-untyped-def]
        times.append(time.monotonic())
        return apply(ev, received)

    state.apply = timed  # type: ignore[method-assign]
    return times


async def test_plain_file_is_paced_by_event_times(tmp_path: Path) -> None:
    f = _write(
        tmp_path / "s.jsonl", [call("call_start", f"c{i}", T0 + i, "1", "2") for i in range(4)]
    )
    state = WallboardState()
    applied = _applied_at(state)
    app = bare_app(state, feed=replay_feed(f, 10.0))
    await _run_until_finished(app)
    assert len(applied) == 4 and len(app.state.calls) == 4
    # 3 s of event time at ×10: 0.3 s between the first and the last frame.
    assert 0.25 <= applied[-1] - applied[0] < 2.0
    assert applied[1] - applied[0] >= 0.07


async def test_recording_is_paced_by_t_and_garbage_is_not_fatal(tmp_path: Path) -> None:
    header = {"wallboard_recording": 1, "dialect": "v16", "source": "wss://pbx", "started": T0}
    frames = [
        {"t": T0 + i * 0.5, "frame": json.dumps(call("call_start", f"r{i}", T0, "1", "2"))}
        for i in range(3)
    ]
    f = _write(tmp_path / "r.jsonl", [header, *frames])
    with f.open("a") as fh:
        fh.write("this is not json\n")
    state = WallboardState()
    applied = _applied_at(state)
    app = bare_app(state, feed=replay_feed(f, 5.0))
    await _run_until_finished(app)
    # t advances 0.5 s per frame at ×5: 0.2 s between the first and the last frame.
    assert len(applied) == 4  # three frames and the garbage line
    assert applied[2] - applied[0] >= 0.15
    assert app.state.source.dialect == "v16" and app.state.invalid == 1


def test_cli_replay_of_a_missing_file_is_a_usage_error(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["replay", "/nonexistent/x.jsonl"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no such file" in err[0]
