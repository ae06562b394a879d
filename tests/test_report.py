"""`wallboard report` against a day whose every value is worked out by hand (store_helpers).

The scenario goes in through the real command (`snapshot --replay FILE --db`),
and every report runs as `python -m wallboard`, in Berlin time from the config.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from store_helpers import CONFIG, DAY, scenario, write_jsonl
from tests.test_live_cli import ROOT, clean_env

pytestmark = pytest.mark.timeout(90)


def cli(*args: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    res = subprocess.run(
        [sys.executable, "-m", "wallboard", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    assert "Traceback" not in res.stderr
    return res


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, str]]:
    tmp = tmp_path_factory.mktemp("report")
    cfg = tmp / "config.toml"
    cfg.write_text(CONFIG)
    rec = write_jsonl(tmp / "morning.jsonl", scenario())
    db = tmp / "day.sqlite3"
    env = clean_env(tmp)
    res = cli("snapshot", "--replay", str(rec), "--db", str(db), "--config", str(cfg), env=env)
    assert res.returncode == 0, res.stderr
    assert res.stderr == ""
    doc = json.loads(res.stdout)
    assert doc["day"] == DAY
    return db, cfg, env


def report(store: tuple[Path, Path, dict[str, str]], *args: str) -> str:
    db, cfg, env = store
    res = cli("report", *args, "--db", str(db), "--config", str(cfg), "--date", DAY, env=env)
    assert res.returncode == 0, res.stderr
    return res.stdout


def test_intervals_csv_by_hand(store: tuple[Path, Path, dict[str, str]]) -> None:
    rows = list(csv.DictReader(io.StringIO(report(store, "intervals", "--format", "csv"))))
    assert [r["start"] for r in rows] == ["2025-03-10T10:00:00+01:00", "2025-03-10T10:15:00+01:00"]
    first, second = rows
    # 10:00: c1 (10 s, within 20 s), c2 (hung up after 3 s: short), c3 (30 s, late).
    assert first["queue"] == "8001"
    assert (first["offered"], first["answered"], first["answered_within_sla"]) == ("3", "2", "1")
    assert (first["abandoned"], first["short_abandoned"]) == ("1", "1")
    assert (first["overflowed"], first["callbacks"]) == ("0", "0")
    assert first["service_level_pct"] == "33.3"  # 1 / (2 answered + 1 abandoned)
    assert first["asa_s"] == "20"  # (10 + 30) / 2
    assert first["max_wait_s"] == "30"
    assert first["aht_s"] == "130"  # (120 + 30 + 100 + 10) / 2
    # 10:15: c4 hung up after 40 s: abandoned, not short, not within.
    assert (second["offered"], second["answered"], second["abandoned"]) == ("1", "0", "1")
    assert second["short_abandoned"] == "0"
    assert second["service_level_pct"] == "0"
    assert second["asa_s"] == "" and second["aht_s"] == ""
    assert second["max_wait_s"] == "40"


def test_agents_json_by_hand(store: tuple[Path, Path, dict[str, str]]) -> None:
    rows = json.loads(report(store, "agents", "--format", "json"))
    by_ext = {r["extension"]: r for r in rows}
    assert set(by_ext) == {"101", "102"}
    a = by_ext["101"]
    # READY 10:00:00-10:01:10 and 10:03:40-10:16:40 (the day's last event) = 70 + 780.
    assert a == {
        "date": DAY,
        "extension": "101",
        "name": None,
        "answered": 1,
        "missed": 0,
        "talk_s": 120.0,
        "aht_s": 150.0,
        "ready_s": 850.0,
        "not_ready_s": 0.0,
        "wrap_up_s": 30.0,
        "occupancy_pct": 15.0,  # 150 / (150 + 850)
        "first_login": "2025-03-10T10:00:00+01:00",
        "last_logout": None,
    }
    b = by_ext["102"]
    assert (b["talk_s"], b["wrap_up_s"], b["ready_s"]) == (100.0, 10.0, 890.0)
    assert (b["aht_s"], b["occupancy_pct"]) == (110.0, 11.0)


def test_calls_and_abandoned_by_hand(store: tuple[Path, Path, dict[str, str]]) -> None:
    rows = json.loads(report(store, "calls", "--format", "json"))
    assert [r["session_id"] for r in rows] == ["c2", "c1", "c3", "c4"]  # by end time
    c1 = rows[1]
    assert c1["ended_at"] == "2025-03-10T10:03:10+01:00"
    assert (c1["queue"], c1["caller_number"], c1["caller_name"]) == ("8001", "0301111", "Ada One")
    assert (c1["outcome"], c1["wait_s"], c1["talk_s"], c1["agent"]) == ("ended", 10.0, 120.0, "101")
    gone = list(csv.DictReader(io.StringIO(report(store, "abandoned", "--format", "csv"))))
    assert [(r["session_id"], r["caller_number"], r["caller_name"], r["wait_s"]) for r in gone] == [
        ("c2", "0302222", "Bo Two", "3"),
        ("c4", "0304444", "Di Four", "40"),
    ]
    assert all(r["outcome"] == "abandoned" and r["queue"] == "8001" for r in gone)


def test_table_format_and_filters(store: tuple[Path, Path, dict[str, str]]) -> None:
    table = report(store, "intervals", "--format", "table").splitlines()
    assert table[0].split()[:4] == ["start", "queue", "queue_name", "offered"]
    assert set(table[1]) <= {"-", " "}
    assert len(table) == 4 and "33.3" in table[2]
    assert json.loads(report(store, "intervals", "--format", "json", "--queue", "9999")) == []
    assert len(json.loads(report(store, "calls", "--format", "json", "--queue", "8001"))) == 4
    # Not a terminal: csv by default.
    assert report(store, "abandoned").startswith("ended_at,session_id,queue,")


def test_date_range_and_bad_input(store: tuple[Path, Path, dict[str, str]], tmp_path: Path) -> None:
    db, cfg, env = store
    res = cli(
        "report",
        "intervals",
        "--db",
        str(db),
        "--config",
        str(cfg),
        "--from",
        "2025-03-09",
        "--to",
        "2025-03-11",
        "--format",
        "json",
        env=env,
    )
    assert res.returncode == 0 and len(json.loads(res.stdout)) == 2
    res = cli("report", "intervals", "--db", str(db), "--date", "yesterday", env=env)
    assert res.returncode == 2 and res.stderr.count("\n") == 1 and "YYYY-MM-DD" in res.stderr
    res = cli("report", "calls", "--db", str(tmp_path / "none.sqlite3"), env=env)
    assert res.returncode == 2 and "no store at" in res.stderr and res.stderr.count("\n") == 1
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database at all" * 100)
    res = cli("report", "calls", "--db", str(junk), env=env)
    assert res.returncode == 2 and "not a wallboard store" in res.stderr
    assert junk.read_bytes().startswith(b"not a database")  # a report never moves a file


WRITER = """
import sys, time
from wallboard.bench.stream import StreamGenerator
from wallboard.model import WallboardState
from wallboard.protocol.parse import parse_frame
from wallboard.store import Store
state = WallboardState(clock=time.time)
store = Store.open(sys.argv[1], state)
frames = [parse_frame(f) for _t, f in StreamGenerator(agents=300, queues=5).frames(60000)]
print("ready", flush=True)
deadline = time.monotonic() + 60
i = 0
while time.monotonic() < deadline:
    for ev in frames[i:i + 300]:
        state.apply(ev, time.time())
    i += 300
    store.pump()
    time.sleep(0.05)
"""


def test_report_runs_while_a_wallboard_writes(tmp_path: Path) -> None:
    db = tmp_path / "busy.sqlite3"
    env = clean_env(tmp_path)
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
        time.sleep(1.5)
        counts = []
        for _ in range(3):
            res = cli("report", "calls", "--db", str(db), "--format", "json", env=env)
            assert res.returncode == 0, res.stderr
            counts.append(len(json.loads(res.stdout)))
            res = cli("report", "intervals", "--db", str(db), "--format", "csv", env=env)
            assert res.returncode == 0, res.stderr
            time.sleep(0.5)
        assert writer.poll() is None, "the wallboard kept writing"
        assert counts[-1] > counts[0] > 0  # the reports saw the day grow
    finally:
        writer.kill()
        writer.wait()
