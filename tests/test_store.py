"""The store in-process: restart = never stopped, midnight, the clock, retention, imports."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from store_helpers import (
    CAL,
    CONFIG,
    DAY,
    T0,
    berlin_state,
    caller,
    pictures,
    run,
    scenario,
    write_jsonl,
)
from store_helpers import agent as agent_frame
from tests.test_live_cli import clean_env
from wallboard.bench.stream import StreamGenerator
from wallboard.model import WallboardState
from wallboard.model.tally import FIELDS
from wallboard.store import Reader, Store, db_path_from_options, default_db_path, identity_of
from wallboard.store.paths import profile_name
from wallboard.store.schema import SCHEMA_VERSION, columns

STREAM = [f for _t, f in StreamGenerator(agents=120, queues=4, seed=5).frames(6000)]


def test_every_tally_field_has_a_column(tmp_path: Path) -> None:
    """A new Tally field without a migration that adds its column fails here."""
    Store.open(tmp_path / "s.sqlite3", WallboardState()).close()
    conn = sqlite3.connect(tmp_path / "s.sqlite3")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    for table in ("intervals", "queue_days"):
        assert set(FIELDS) <= set(columns(conn, table)), table


@pytest.mark.parametrize("split", [400, 2500, 4999])
def test_a_restart_gives_the_totals_of_one_process_that_never_stopped(
    tmp_path: Path, split: int
) -> None:
    """Stop after `split` frames, start again: the PBX's pictures, then the rest."""
    whole = run(STREAM, WallboardState())
    before = run(STREAM[:split], WallboardState())
    db = tmp_path / "s.sqlite3"
    first = WallboardState()
    store = Store.open(db, first)
    run(STREAM[:split], first)
    store.close()
    again = WallboardState()
    store = Store.open(db, again)
    run(pictures(before) + STREAM[split:], again)
    assert store.restored_day == whole.day
    store.close()
    waiting_at_split = sum(len(q.waiting) for q in before.queues.values())
    assert waiting_at_split > 0  # callers waited across the restart
    for qid, q in whole.queues.items():
        r = again.queues[qid]
        assert r.stats == q.stats, qid  # offered once, each outcome once
        assert r.intervals == q.intervals, qid
    # A call the restarted board knew only from its agent (active calls are the
    # PBX's to tell again, and v16 re-sends none) ends when the agent leaves the
    # queue call; the board that never stopped counts it at its CDR, which this
    # stream stops before. Every other end is counted exactly once on both.
    early = {sid for sid in whole.calls if sid in again._finished_ids}
    assert again.finished["ended"] == whole.finished["ended"] + len(early)
    assert {k: v for k, v in again.finished.items() if k != "ended"} == {
        k: v for k, v in whole.finished.items() if k != "ended"
    }
    assert {k: (d.answered, d.missed) for k, d in again.agent_days.items()} == {
        k: (d.answered, d.missed) for k, d in whole.agent_days.items()
    }
    for key, d in whole.agent_days.items():
        r = again.agent_days[key]
        for state in set(d.state_s) | set(r.state_s):
            assert r.seconds(state, whole.now()) == pytest.approx(d.seconds(state, whole.now()))
    # And the store holds what the model holds.
    with Reader(db) as reader:
        by_queue = {row.queue.queue_id: row.tally for row in reader.queue_days(whole.day)}
        assert by_queue == {qid: q.stats for qid, q in whole.queues.items()}
        assert len(reader.calls(whole.day)) == len(whole.day_calls) + len(early)


def test_without_the_store_a_restart_would_count_differently() -> None:
    """The test above can fail: a fresh model counts the waiting callers again."""
    whole = run(STREAM, WallboardState())
    before = run(STREAM[:2500], WallboardState())
    fresh = run(pictures(before) + STREAM[2500:], WallboardState())
    assert any(fresh.queues[qid].stats != q.stats for qid, q in whole.queues.items())


def test_a_call_answered_before_a_restart_and_ended_after_keeps_its_queue(tmp_path: Path) -> None:
    frames = scenario()
    split = 4  # c1 answered by 101, talking
    db = tmp_path / "s.sqlite3"
    st = berlin_state()
    store = Store.open(db, st)
    run(frames[:split], st)
    store.close()
    before = run(frames[:split], berlin_state())
    again = berlin_state()
    store = Store.open(db, again)
    run(pictures(before) + frames[split:], again)
    store.close()
    c1 = next(c for c in again.day_calls if c.session_id == "c1")
    assert (c1.queue, c1.queue_outcome, c1.wait) == ("8001", "answered", 10.0)
    whole = run(frames, berlin_state())
    assert again.queues["900"].stats == whole.queues["900"].stats
    assert again.agent_days[("1", "101")].answered == 1  # the call in progress, once


def test_an_abandoned_callers_call_end_after_a_restart_still_counts(tmp_path: Path) -> None:
    """v12 order: the caller leaves the queue picture, then the call ends."""
    db = tmp_path / "s.sqlite3"
    frames = [
        caller("x1", "enqueue", T0 + 1),
        caller("x1", "hangup", T0 + 5),
    ]
    end = json.dumps(
        {"event_type": "call_ended", "session_id": "x1", "tenant_id": "1", "time": str(int(T0 + 6))}
    )
    whole = run([*frames, end], berlin_state())
    st = berlin_state()
    store = Store.open(db, st)
    run(frames, st)
    store.close()
    again = berlin_state()
    store = Store.open(db, again)
    run([end], again)
    store.close()
    assert again.finished == whole.finished == {"ended": 1, "noanswer": 0, "failed": 0}
    assert [c.outcome for c in again.day_calls] == ["abandoned"]  # one record, as in memory
    assert [c.outcome for c in whole.day_calls] == ["abandoned"]


def test_midnight_in_berlin_rolls_the_store_over(tmp_path: Path) -> None:
    """The clock (not the next event) ends the day; both days stay in the store."""
    db = tmp_path / "s.sqlite3"
    late = T0 + 13 * 3600 + 50 * 60  # 23:50 Berlin
    clock = [late]
    st = berlin_state(clock=lambda: clock[0])
    store = Store.open(db, st)
    run([caller("n1", "enqueue", late)], st)
    store.pump()
    clock[0] = late + 15 * 60  # 00:05, no event since
    st.tick()
    assert st.day == "2025-03-11"
    run([caller("n1", "agent_answered", late + 16 * 60)], st)
    store.close()
    with Reader(db) as r:
        days = {row.day: row.tally for row in r.queue_days("2025-03-10", "2025-03-11")}
    assert days["2025-03-10"].offered == 1 and days["2025-03-10"].answered == 0
    # Waiting across midnight: offered again on the new day (README), answered there.
    assert days["2025-03-11"].offered == 1 and days["2025-03-11"].answered == 1


def test_a_hub_in_utc_uses_the_call_centers_midnight(tmp_path: Path) -> None:
    """23:30 UTC on 10 March is 00:30 on 11 March in Berlin: the day of record is the 11th."""
    t = 1_741_649_400.0  # 2025-03-10T23:30:00Z
    st = berlin_state()
    store = Store.open(tmp_path / "s.sqlite3", st)
    run([caller("u1", "enqueue", t)], st)
    store.close()
    with Reader(tmp_path / "s.sqlite3") as r:
        assert r.days() == ["2025-03-11"]
        (row,) = r.intervals("2025-03-11")
        assert CAL.iso(row.start) == "2025-03-11T00:30:00+01:00"


def test_the_clock_jumping_back_keeps_rows_in_today(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite3"
    clock = [T0 + 3600]
    st = berlin_state(clock=lambda: clock[0])
    store = Store.open(db, st)
    run([caller("j1", "enqueue", T0 + 3600)], st)
    store.pump()
    clock[0] = T0 - 11 * 3600  # back across midnight: 23:00 the day before
    st.tick()
    run([caller("j2", "enqueue", T0 + 3610)], st)
    store.close()
    with Reader(db) as r:
        assert r.days() == [DAY]
        (row,) = r.queue_days(DAY)
        assert row.tally.offered == 2


def test_retention_prunes_old_days_once_a_day(tmp_path: Path) -> None:
    from wallboard.config import Config

    db = tmp_path / "s.sqlite3"
    cfg = Config(keep_days=3, keep_call_days=2)
    for k in range(5):  # five days, one call each
        st = berlin_state()
        store = Store.open(db, st, cfg)
        t = T0 + k * 86400
        run([caller(f"r{k}", "enqueue", t), caller(f"r{k}", "hangup", t + 30)], st)
        store.close()
    with Reader(db) as r:
        assert r.days() == ["2025-03-14", "2025-03-13", "2025-03-12"]
        assert [d for d, _c in r.calls("2025-03-01", "2025-03-31")] == ["2025-03-13", "2025-03-14"]


def test_importing_a_recording_twice_counts_it_once(tmp_path: Path) -> None:
    rec = write_jsonl(tmp_path / "day.jsonl", scenario())
    cfg = tmp_path / "c.toml"
    cfg.write_text(CONFIG)
    db = tmp_path / "s.sqlite3"
    env = clean_env(tmp_path)
    args = [sys.executable, "-m", "wallboard", "snapshot", "--replay", str(rec), "--db", str(db)]
    one = subprocess.run([*args, "--config", str(cfg)], capture_output=True, text=True, env=env)
    two = subprocess.run([*args, "--config", str(cfg)], capture_output=True, text=True, env=env)
    assert one.returncode == two.returncode == 0
    assert one.stderr == ""
    assert two.stderr.count("\n") == 1 and "already in the store" in two.stderr
    doc1, doc2 = json.loads(one.stdout), json.loads(two.stdout)
    assert doc1["queues"][0]["stats"] == doc2["queues"][0]["stats"]
    with Reader(db) as r:
        (row,) = r.queue_days(DAY)
        assert row.tally.offered == 4 and row.tally.abandoned == 2
        assert len(r.calls(DAY)) == 4
        assert {a.agent.number: a.agent.answered for a in r.agent_days(DAY)} == {"101": 1, "102": 1}
    # The import's span is the day's coverage (what was watched, from the recording).
    with Reader(db) as r:
        assert r.coverage(DAY) == [[T0, T0 + 1000]]


def test_default_path_is_a_profile_without_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", "/data")
    p = default_db_path(
        "wss://bob:hunter2@pbx.example.com:8885/wsi", identity_of("admin", None, "demo.local")
    )
    assert str(p) == "/data/wallboard/pbx.example.com_8885_admin@demo.local.sqlite3"
    assert "hunter2" not in str(p) and "bob" not in str(p)
    other = profile_name("ws://pbx.example.com", identity_of(None, "101", "a b"))
    assert other.startswith("pbx.example.com_80_ext101@a-b-") and "/" not in other
    assert db_path_from_options(None, True, p) is None
    assert db_path_from_options("~/x.db", False, p) == Path("~/x.db").expanduser()
    assert db_path_from_options(None, False, None) is None


def test_restored_agents_wait_for_the_pbx_to_tell_their_state(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite3"
    st = berlin_state()
    store = Store.open(db, st)
    run(scenario()[:4], st)
    store.close()
    again = berlin_state()
    store = Store.open(db, again)
    run([agent_frame("101", "QUEUE_CALL", T0 + 80, "c1")], again)
    store.close()
    day = again.agent_days[("1", "101")]
    assert day.answered == 1  # the same call, told again: not a second one
    run([agent_frame("101", "QUEUE_CALL", T0 + 90, "c9")], again)
    assert day.answered == 2  # a different session: the next call


def test_the_demo_opens_on_a_morning_already_in_its_store(tmp_path: Path) -> None:
    from wallboard.cli.run_tui import demo_morning
    from wallboard.sim import SimConfig, Simulator

    start = T0 + 2 * 3600  # 12:00 Berlin: the morning runs 12:00-13:00
    sim = Simulator(SimConfig(dialect="v12", agents=20, queues=2, seed=3, start_epoch=start))
    state = berlin_state()
    store = Store.open(tmp_path / "demo.sqlite3", state)
    frames = demo_morning(sim, state, store, 3600)
    assert frames > 1000 and sim.now == pytest.approx(start + 3600)
    store.close()
    assert state.coverage.watching  # no gap before the live part begins
    with Reader(tmp_path / "demo.sqlite3") as r:
        starts = {CAL.iso(row.start)[11:16] for row in r.intervals(DAY)}
        assert {"12:00", "12:15", "12:30", "12:45"} <= starts
        assert len(r.agent_days(DAY)) == 20
        gone = r.calls(DAY, abandoned=True)
        assert len(gone) == sum(q.stats.abandoned for q in state.queues.values()) > 0
        assert r.coverage(DAY) == [
            [pytest.approx(start, abs=1), pytest.approx(start + 3600, abs=1)]
        ]
    assert any(q.trend for q in state.queues.values())


def test_store_flags_reach_the_runners() -> None:
    from wallboard.cli.main import _store, build_parser

    p = build_parser()
    assert _store(p.parse_args(["connect", "ws://h:1", "--no-db"])).no_db
    assert _store(p.parse_args(["connect", "ws://h:1", "--db", "x.db"])).db == "x.db"
    assert _store(p.parse_args(["snapshot", "--replay", "f", "--db", "y.db"])).db == "y.db"
    assert _store(p.parse_args(["replay", "f", "--db", "z.db"])).db == "z.db"
    with pytest.raises(SystemExit):
        p.parse_args(["connect", "ws://h:1", "--db", "x", "--no-db"])
    with pytest.raises(SystemExit):
        p.parse_args(["snapshot", "--replay", "f", "--no-db"])  # a store only with --db


def test_a_store_opened_on_a_running_model_writes_all_of_its_day(tmp_path: Path) -> None:
    """A hub that opens its store late: what the model already counted goes in, once."""
    st = run(scenario(), berlin_state())
    store = Store.open(tmp_path / "s.sqlite3", st)
    assert store.restored_day is None
    store.close()
    with Reader(tmp_path / "s.sqlite3") as r:
        (row,) = r.queue_days(DAY)
        assert row.tally == st.queues["900"].stats
        assert len(r.intervals(DAY)) == 2 and len(r.calls(DAY)) == 4
        assert {a.agent.number for a in r.agent_days(DAY)} == {"101", "102"}


def test_the_history_page_reads_past_days_from_the_store(tmp_path: Path) -> None:
    """Yesterday's intervals and abandons, as the History page gets them (StoreSource)."""
    from wallboard.ui.historysource import StoreSource

    db = tmp_path / "s.sqlite3"
    clock = [T0]
    st = berlin_state(clock=lambda: clock[0])
    store = Store.open(db, st)
    run(scenario(), st)
    clock[0] = max(clock[0], st.latest_event_time or 0)
    yesterday = st.day
    want = {qid: dict(q.intervals) for qid, q in st.queues.items()}
    abandoned = [c.session_id for c in st.abandoned_today()]
    clock[0] = T0 + 86400  # the next day
    st.tick()
    store.close()
    with Reader(db) as reader:
        src = StoreSource(reader)
        assert yesterday in src.days()
        refs = src.queues(yesterday)
        assert {r.key for r in refs} == set(want)
        for qid, intervals in want.items():
            assert src.intervals(yesterday, qid) == intervals
        assert [c.session_id for c in src.abandoned(yesterday)] == abandoned
        assert abandoned  # the scenario has abandons to show
