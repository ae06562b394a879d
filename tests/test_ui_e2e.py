"""End to end: simulator → real socket → live client → app: a call appears, is answered, ends."""

from __future__ import annotations

import asyncio

from ui_helpers import bare_app
from wallboard.feed.client import LiveClient, LiveSettings
from wallboard.feed.secrets import Secret
from wallboard.model import WallboardState
from wallboard.sim import SimConfig, Simulator
from wallboard.ui.panels import CallsTable, RecentTable

EPOCH = 1_700_000_000.0


async def test_call_lifecycle_shows_on_the_wallboard() -> None:
    cfg = SimConfig(
        dialect="v12",
        agents=12,
        queues=2,
        seed=11,
        port=0,
        start_epoch=EPOCH,
        autorun=False,
        warmup=0.0,
    )
    sim = Simulator(cfg)
    await sim.start()
    state = WallboardState(clock=lambda: sim.now)
    client = LiveClient(
        LiveSettings(url=sim.url, dialect="v12", password=Secret("demo"), user="demo"), state
    )

    async def feed(app: object) -> None:
        await client.run()

    app = bare_app(state, feed=feed)
    try:
        async with app.run_test(size=(160, 50)) as pilot:
            await pilot.press("4")
            async with asyncio.timeout(10):
                await client.subscribed.wait()
            app.refresh_now()
            assert "● connected" in str(app.query_one("#status").render())
            calls = app.query_one("#calls-table", CallsTable)
            recent = app.query_one("#recent", RecentTable)
            history: dict[str, list[str]] = {}  # session id → states seen on screen
            callers: dict[str, str] = {}
            done: str | None = None
            for _ in range(600):
                sim.advance(1.0)
                await asyncio.sleep(0.02)  # frames cross the socket
                app.refresh_now(tick=True)
                shown = calls.shown_rows()
                for sid, cells in shown.items():
                    states = history.setdefault(sid, [])
                    if not states or states[-1] != cells[2]:
                        states.append(cells[2])
                    callers[sid] = cells[0]
                for sid, states in history.items():
                    if (
                        sid not in shown
                        and states[0] in ("setup", "ringing")
                        and "established" in states
                    ):
                        done = sid
                        break
                if done:
                    break
            assert done is not None, f"no complete call seen: {history}"
            # It ended: gone from the active calls, listed in the recent calls as ended.
            ended = [r for r in recent.shown_text() if r[1] == callers[done]]
            assert ended and ended[0][3] == "ended"
            assert state.finished["ended"] >= 1
            await pilot.press("q")
    finally:
        client.stop()
        await sim.stop()
    assert app.return_code == 0
