"""Every store fault of the issue: one clear line, the wallboard keeps counting, nothing committed is lost."""

from __future__ import annotations

import contextlib
import os
import random
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from store_helpers import DAY, berlin_state, run, scenario, write_jsonl
from tests.test_live_cli import ROOT, clean_env
from wallboard.bench.stream import StreamGenerator
from wallboard.model import WallboardState
from wallboard.store import Reader, Store, StoreTooNew
from wallboard.store.schema import APPLICATION_ID, SCHEMA_VERSION

pytestmark = pytest.mark.timeout(120)

STREAM = [f for _t, f in StreamGenerator(agents=100, queues=4, seed=9).frames(4000)]


class Lines:
    """Collects the one-line warnings a store prints."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def __call__(self, text: str) -> None:
        assert "\n" not in text
        self.lines.append(text)


def open_store(path: Path, state: WallboardState | None = None) -> tuple[Store, Lines]:
    lines = Lines()
    st = state if state is not None else berlin_state()
    return Store.open(path, st, warn=lines), lines


def keeps_counting(store: Store) -> None:
    """The model still counts the scenario, store or not."""
    run(scenario(), store.state)
    assert store.state.queues["900"].stats.offered == 4


# ------------------------------------------------------------ unreadable files
@pytest.mark.parametrize("kind", ["garbage", "foreign", "damaged"])
def test_an_unreadable_file_is_moved_aside_and_a_fresh_store_starts(
    tmp_path: Path, kind: str
) -> None:
    db = tmp_path / "s.sqlite3"
    if kind == "garbage":
        db.write_bytes(b"\x00garbage, not a database\n" * 500)
    elif kind == "foreign":
        conn = sqlite3.connect(db)
        conn.execute("CREATE TABLE recipes (name TEXT)")
        conn.execute("INSERT INTO recipes VALUES ('soup')")
        conn.commit()
        conn.close()
    else:
        store, _ = open_store(db)
        keeps_counting(store)
        store.close()
        data = bytearray(db.read_bytes())
        data[100:4096] = os.urandom(3996)  # page 1 (the schema) after the header
        db.write_bytes(bytes(data))
    original = db.read_bytes()
    store, lines = open_store(db)
    assert store.active
    assert len(lines.lines) == 1 and "could not be read" in lines.lines[0]
    asides = list(tmp_path.glob("s.sqlite3.corrupt-*"))
    assert [p.name for p in asides if not p.name.endswith(("-wal", "-shm"))] == [
        asides[0].name.removesuffix("-wal").removesuffix("-shm")
    ]
    main = next(p for p in asides if not p.name.endswith(("-wal", "-shm")))
    assert main.read_bytes() == original  # kept, not deleted
    assert main.name in lines.lines[0]
    keeps_counting(store)
    store.close()
    with Reader(db) as r:
        assert r.queue_days(DAY)[0].tally.offered == 4


def test_a_corrupt_store_on_the_command_line_is_one_warning(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite3"
    db.write_bytes(b"definitely not sqlite" * 100)
    rec = write_jsonl(tmp_path / "r.jsonl", scenario())
    res = subprocess.run(
        [sys.executable, "-m", "wallboard", "snapshot", "--replay", str(rec), "--db", str(db)],
        capture_output=True,
        text=True,
        env=clean_env(tmp_path),
    )
    assert res.returncode == 0
    assert res.stderr.count("\n") == 1 and "moved it to s.sqlite3.corrupt-" in res.stderr
    assert '"offered": 4' not in res.stderr and res.stdout.startswith("{")


def test_a_store_from_a_newer_wallboard_is_refused_with_exit_2(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite3"
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.execute("CREATE TABLE future (x)")
    conn.commit()
    conn.close()
    before = db.read_bytes()
    with pytest.raises(StoreTooNew, match="newer wallboard"):
        Store.open(db, WallboardState())
    rec = write_jsonl(tmp_path / "r.jsonl", scenario())
    for args in (
        ["snapshot", "--replay", str(rec), "--db", str(db)],
        ["report", "intervals", "--db", str(db)],
    ):
        res = subprocess.run(
            [sys.executable, "-m", "wallboard", *args],
            capture_output=True,
            text=True,
            env=clean_env(tmp_path),
        )
        assert res.returncode == 2, res.stderr
        assert res.stderr.count("\n") == 1 and "newer wallboard" in res.stderr
        assert "Traceback" not in res.stderr
    assert db.read_bytes() == before
    assert not list(tmp_path.glob("*.corrupt-*"))


# ------------------------------------------------------------ places and locks
@contextlib.contextmanager
def read_only_dir(tmp_path: Path) -> Iterator[Path]:
    """A directory nobody may create files in (root ignores modes: use sysfs there)."""
    if os.geteuid() == 0:
        yield Path("/sys/wallboard-test")
        return
    d = tmp_path / "ro"
    d.mkdir()
    d.chmod(0o555)
    try:
        yield d
    finally:
        d.chmod(0o755)


def test_a_read_only_place_keeps_the_day_in_memory(tmp_path: Path) -> None:
    with read_only_dir(tmp_path) as d:
        store, lines = open_store(d / "s.sqlite3")
    assert not store.active
    assert len(lines.lines) == 1
    assert "cannot use the store" in lines.lines[0] and "kept in memory only" in lines.lines[0]
    keeps_counting(store)
    store.pump()
    store.close()  # all safe without a file


HOLDER = """
import sys, time
from wallboard.model import WallboardState
from wallboard.store import Store
store = Store.open(sys.argv[1], WallboardState())
print("ready", flush=True)
time.sleep(60)
"""


def test_a_store_locked_by_another_wallboard(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite3"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db)], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        store, lines = open_store(db)
        assert not store.active
        assert lines.lines == [
            f"the store {db} is in use by another wallboard (pid {holder.pid}); "
            "today is kept in memory only"
        ]
        keeps_counting(store)
        store.close()
    finally:
        holder.kill()
        holder.wait()
    store, lines = open_store(db)  # the OS dropped the lock with the process
    assert store.active and lines.lines == []
    store.close()


# ------------------------------------------------------------------ disk full
def _fill(store: Store, frames: list[str]) -> None:
    run(frames, store.state)
    store.pump()


def _wait(pred: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not pred():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.02)


def test_a_full_disk_keeps_the_day_in_memory_and_writes_it_later(tmp_path: Path) -> None:
    """SQLite's own page limit gives the engine's real "database or disk is full"."""
    db = tmp_path / "s.sqlite3"
    state = WallboardState()
    store, lines = open_store(db, state)
    problems: list[str | None] = []
    store.on_problem = problems.append
    writer = store._writer
    assert writer is not None
    pages = writer.conn.execute("PRAGMA page_count").fetchone()[0]
    writer.conn.execute(f"PRAGMA max_page_count = {pages + 3}")  # the writer is idle here
    _fill(store, STREAM[:2000])
    _wait(lambda: writer.failing is not None)
    store.pump()  # the loop side hears of it
    assert problems and problems[-1] is not None and "the disk is full" in problems[-1]
    assert any("disk is full" in line for line in lines.lines)
    _fill(store, STREAM[2000:])  # still counting
    assert writer.pending  # waiting for room
    writer.conn.execute("PRAGMA max_page_count = 1000000")  # room again
    store.pump()
    _wait(lambda: writer.failing is None and not writer.pending)
    store.pump()
    assert problems[-1] is None and lines.lines[-1].endswith("is writing again")
    store.close()
    with Reader(db) as r:
        day = state.day
        assert day is not None
        assert {row.queue.queue_id: row.tally for row in r.queue_days(day)} == {
            qid: q.stats for qid, q in state.queues.items()
        }
        assert len(r.calls(day)) == len(state.day_calls)  # nothing lost while it was full


@contextlib.contextmanager
def tiny_filesystem(tmp_path: Path) -> Iterator[Path]:
    d = tmp_path / "tiny"
    d.mkdir()
    res = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=160k", "tmpfs", str(d)], capture_output=True
    )
    if res.returncode != 0:
        pytest.skip("cannot mount a small filesystem here")
    try:
        yield d
    finally:
        subprocess.run(["umount", "-l", str(d)], capture_output=True)


def test_a_really_full_filesystem(tmp_path: Path) -> None:
    with tiny_filesystem(tmp_path) as d:
        state = WallboardState()
        store, lines = open_store(d / "s.sqlite3", state)
        assert store.active
        for k in range(0, len(STREAM), 500):
            _fill(store, STREAM[k : k + 500])
            time.sleep(0.05)
        _wait(lambda: store._writer is not None and store._writer.failing is not None)
        store.pump()
        assert store.problem is not None and "disk is full" in store.problem
        assert state.queues and sum(q.stats.offered for q in state.queues.values()) > 0
        store.close()
        assert any("could not save the last changes" in line for line in lines.lines)
        conn = sqlite3.connect(d / "s.sqlite3")
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.close()


# -------------------------------------------------------------------- kill -9
KILLED = """
import sys, time
from wallboard.bench.stream import StreamGenerator
from wallboard.model import WallboardState
from wallboard.protocol.parse import parse_frame
from wallboard.store import Store
state = WallboardState(clock=time.time)
store = Store.open(sys.argv[1], state)
frames = [parse_frame(f) for _t, f in StreamGenerator(agents=400, queues=8, seed=int(sys.argv[2])).frames(80000)]
print("ready", flush=True)
i = 0
while True:
    for ev in frames[i % 80000:i % 80000 + 4000]:
        state.apply(ev, time.time())
    i += 4000
    store.pump()  # big batches, commits back to back: a kill lands inside one
"""


def test_kill_9_in_the_middle_of_commits_loses_nothing_committed(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite3"
    rng = random.Random(4)
    seen_calls = 0
    for run_no in range(3):
        child = subprocess.Popen(
            [sys.executable, "-c", KILLED, str(db), str(run_no)],
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        try:
            assert child.stdout is not None and child.stdout.readline().strip() == "ready"
            time.sleep(1.5 + rng.random())
            with Reader(db) as r:  # committed so far (read while it writes)
                day = r.days()[0]
                committed = len(r.calls(day))
            time.sleep(rng.random() * 0.3)
        finally:
            child.kill()  # SIGKILL
            child.wait()
        conn = sqlite3.connect(db)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.close()
        with Reader(db) as r:
            after = len(r.calls(day))
        assert after >= committed >= seen_calls  # nothing already committed is lost
        seen_calls = after
        # And the next start restores it.
        state = WallboardState(clock=time.time)
        store, lines = open_store(db, state)
        state.tick()
        assert store.restored_day == day and lines.lines == []
        assert len(state.day_calls) == min(after, 20_000)
        store.close()
    assert seen_calls > 0
