"""A wallboard stopped and started again mid-day, on a scripted PBX over real sockets.

Two processes (`wallboard snapshot URL --db`), one half of the day each, with
a caller waiting across the restart and outcomes the PBX reports again, give
the same today's totals as one process that saw the whole day; the gap
between them is in `coverage` and on the status line.
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import pytest

from live_helpers import PASSWORD, Conn, ScriptedPBX
from store_helpers import CAL, T0, agent, berlin_state, caller, cdr, picture
from tests.test_live_cli import auth_args, clean_env, run_cli
from ui_helpers import bare_app
from wallboard.cli.history import attach_to_app
from wallboard.store import Store
from wallboard.ui.widgets import AlertBar, StatusLine

pytestmark = pytest.mark.timeout(90)


def halves(t: float) -> tuple[list[str], list[str]]:
    """A day in two halves; `t` is when it starts (event times are the PBX's)."""
    ready = {"state": "READY", "timestamp": str(int(t))}
    first = [
        picture(
            t,
            [],
            [dict(ready, agent_extension_number="101"), dict(ready, agent_extension_number="102")],
        ),
        caller("c1", "enqueue", t + 1, "0301111", "Ada One"),
        caller("c1", "agent_answered", t + 6, "0301111", "Ada One"),
        agent("101", "QUEUE_CALL", t + 6, "c1", "0301111", "Ada One"),
        caller("c2", "enqueue", t + 7, "0302222", "Bo Two"),
        caller("c2", "hangup", t + 9, "0302222", "Bo Two"),
        caller("c3", "enqueue", t + 10, "0303333", "Cy Three"),  # still waiting at the stop
    ]
    # After a subscribe the PBX pictures what is going on now.
    waiting = [
        {
            "session_id": "c3",
            "caller_number": "0303333",
            "caller_name": "Cy Three",
            "time": str(int(t + 10)),
            "type": "normal",
            "position": "1",
        }
    ]
    second = [
        picture(
            t + 20,
            waiting,
            [
                {
                    "state": "QUEUE_CALL",
                    "agent_extension_number": "101",
                    "timestamp": str(int(t + 6)),
                    "session_id": "c1",
                    "caller_number": "0301111",
                    "caller_name": "Ada One",
                },
                dict(ready, agent_extension_number="102"),
            ],
        ),
        caller("c1", "agent_answered", t + 6, "0301111", "Ada One"),  # reported again
        caller("c2", "hangup", t + 9, "0302222", "Bo Two"),  # reported again
        caller("c3", "agent_answered", t + 25, "0303333", "Cy Three"),
        agent("102", "QUEUE_CALL", t + 25, "c3", "0303333", "Cy Three"),
        agent("101", "WRAP_UP", t + 40),
        cdr("c1", "0301111", t + 6, t + 40),
        caller("c4", "enqueue", t + 41, "0304444", "Di Four"),
        caller("c4", "agent_answered", t + 44, "0304444", "Di Four"),
    ]
    return first, second


def script(parts: list[list[str]]) -> Any:
    """Connection n gets parts[n] (the last part again for any later one)."""

    async def behaviour(conn: Conn) -> None:
        if not await conn.auth() or not await conn.wait_subscribed():
            return
        await conn.send_all(list(parts[min(conn.index, len(parts) - 1)]))
        await conn.hold()

    return behaviour


def today(doc: dict[str, Any]) -> dict[str, Any]:
    stats = dict(doc["queues"][0]["stats"])
    stats.pop("longest_wait_s")
    return {"stats": stats, "finished": doc["finished_calls"]}


async def snapshot(url: str, db: Path, env: dict[str, str], wait: str = "1") -> dict[str, Any]:
    rc, out, err = await run_cli(
        "snapshot", url, *auth_args("v16"), "--wait", wait, "--db", str(db), env=env
    )
    assert rc == 0, err
    assert err == ""
    return json.loads(out)


async def test_restarting_mid_day_gives_the_totals_of_one_that_never_stopped(
    tmp_path: Path,
) -> None:
    t = time.time() - 60
    first, second = halves(t)
    env = clean_env(tmp_path, WALLBOARD_PASSWORD=PASSWORD)
    async with ScriptedPBX(script([first + second])) as pbx:
        once = await snapshot(pbx.url, tmp_path / "once.sqlite3", env)
    db = tmp_path / "restarted.sqlite3"
    async with ScriptedPBX(script([first, second])) as pbx:
        before = await snapshot(pbx.url, db, env)
        await asyncio.sleep(1.5)  # stopped: nobody watches
        after = await snapshot(pbx.url, db, env)
        assert pbx.connections == 2
    assert [w["session_id"] for w in before["queues"][0]["waiting"]] == ["c3"]
    assert today(after) == today(once)
    s = after["queues"][0]["stats"]
    assert (s["offered"], s["answered"], s["abandoned"]) == (4, 3, 1)  # c3 offered once
    # The stop is a gap in today's coverage; the never-stopped run has none.
    assert once["coverage"]["gaps"] == []
    (gap,) = after["coverage"]["gaps"]
    assert gap[1] - gap[0] >= 1.0
    assert after["coverage"]["since"] == pytest.approx(before["coverage"]["since"])
    # A store never holds the password.
    for f in tmp_path.glob("restarted.sqlite3*"):
        assert PASSWORD.encode() not in f.read_bytes()


async def test_the_gap_shows_on_the_status_line(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite3"
    clock = [T0]  # 10:00 Berlin
    first = berlin_state(clock=lambda: clock[0])
    store = Store.open(db, first)
    first.source.kind = "live"
    first.source.status = "connected"
    first.source_changed()
    first.tick()
    clock[0] = T0 + 120  # 10:02
    first.tick()
    first.source.status = "disconnected"
    first.source_changed()
    store.close()

    clock[0] = T0 + 900  # 10:15: started again
    again = berlin_state(clock=lambda: clock[0])
    store = Store.open(db, again)
    again.tick()  # the day begins: restored from the store
    again.source.kind = "live"
    again.source.status = "connected"
    again.source_changed()
    app = bare_app(again)
    attach_to_app(store, app)
    async with app.run_test(size=(160, 30)):
        app.refresh_now(tick=True)
        line = app.query_one(StatusLine)._last
        assert line is not None and "not watching 10:02–10:15" in line.plain
        assert app.query_one(AlertBar).lines == []
        # A store that cannot write says so where it cannot be missed.
        assert store.on_problem is not None
        store.on_problem("cannot write the store x: the disk is full")
        app.refresh_now(tick=True)
        assert any(
            x.startswith("HISTORY NOT SAVED:") and "disk is full" in x
            for x in app.query_one(AlertBar).lines
        )
    store.close()
    assert CAL.iso(T0 + 120).startswith("2025-03-10T10:02")
