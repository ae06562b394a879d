"""`wallboard snapshot --replay` as a user runs it: a real process, real files, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import example
from scenario import T0, call, contact, register


def wallboard(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "wallboard", *args],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=60,
    )


def test_recording_format(tmp_path: Path) -> None:
    rec = tmp_path / "rec.jsonl"
    frames = [
        json.dumps(call("call_start", "s1", T0, "101", "102", direction="ext")),
        json.dumps(call("call_established", "s1", T0 + 4, "101", "102", call_target="102")),
        "garbage",
    ]
    lines = [
        json.dumps(
            {
                "wallboard_recording": 1,
                "dialect": "v12",
                "source": "wss://pbx.example.com:8885",
                "started": T0,
            }
        )
    ]
    lines += [json.dumps({"t": T0 + i, "frame": f}) for i, f in enumerate(frames)]
    rec.write_text("\n".join(lines) + "\n")
    res = wallboard("snapshot", "--replay", str(rec))
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["source"] == doc["source"] | {
        "kind": "replay",
        "dialect": "v12",
        "status": "finished",
    }
    assert doc["counters"] == {
        "frames": 3,
        "events": 2,
        "unknown": 0,
        "invalid": 1,
        "replies": 0,
        "limits_dropped": 0,
    }
    assert doc["calls"][0]["state"] == "established"
    assert doc["clock"] == T0 + 4


def test_plain_jsonl_with_bad_lines_and_truncation(tmp_path: Path) -> None:
    f = tmp_path / "plain.jsonl"
    good = json.dumps(example("v16/evt_queue_status"))
    f.write_text(
        "\n".join(
            [
                good,
                "[1, 2]",
                "{not json",
                json.dumps({"no": "type"}),
                json.dumps({"event_type": "mystery"}),
                "",
                json.dumps(example("v16/evt_extension_call")),
            ]
        )
        + '\n{"event_type": "queue_status", "queue_'
    )
    res = wallboard("snapshot", "--replay", str(f))
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["counters"] == {
        "frames": 7,
        "events": 2,
        "unknown": 1,
        "invalid": 4,
        "replies": 0,
        "limits_dropped": 0,
    }
    assert doc["source"]["dialect"] == "v16"
    assert doc["queues"][0]["name"] == "Sales Department"


def test_missing_file_is_exit_2_without_traceback(tmp_path: Path) -> None:
    res = wallboard("snapshot", "--replay", str(tmp_path / "nope.jsonl"))
    assert res.returncode == 2
    assert res.stderr.strip().count("\n") == 0
    assert "no such file" in res.stderr
    assert "Traceback" not in res.stderr


def test_directory_and_bad_usage_are_exit_2(tmp_path: Path) -> None:
    res = wallboard("snapshot", "--replay", str(tmp_path))
    assert res.returncode == 2 and "directory" in res.stderr
    res = wallboard("snapshot")
    assert res.returncode == 2 and "Traceback" not in res.stderr
    res = wallboard("bogus-command")
    assert res.returncode == 2


def test_binary_garbage_file_is_counted_not_fatal(tmp_path: Path) -> None:
    f = tmp_path / "bin.jsonl"
    f.write_bytes(
        b"\xff\xfe\x00garbage\n\x80\x81\n"
        + json.dumps(example("v16/evt_extension_call")).encode()
        + b"\n"
    )
    res = wallboard("snapshot", "--replay", str(f))
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["counters"]["invalid"] == 2 and doc["counters"]["events"] == 1


def test_names_file_and_config_names_reach_the_document(tmp_path: Path) -> None:
    rec = tmp_path / "rec.jsonl"
    agent = {
        "event_type": "queue_status",
        "queue_id": "q1",
        "queue_number": "8001",
        "waiting_list": [],
        "agents": [{"agent_extension_number": "102", "state": "READY"}],
        "time": str(int(T0)),
    }
    regs = [register(n, T0, [contact(n, 5060, T0 + 300)]) for n in ("101", "102")]
    rec.write_text("".join(json.dumps(m) + "\n" for m in [*regs, agent]))
    names = tmp_path / "names.csv"
    names.write_text("number,name\n101,Anna Adams\n102,Ben [b]Bold[/b]\nnot a line\n")
    cfg = tmp_path / "c.toml"
    cfg.write_text('[names]\n"101" = "from the config"\n"103" = "Cleo"\n')
    out = wallboard("snapshot", "--replay", str(rec), "--names", str(names), "--config", str(cfg))
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    by = {e["number"]: e["name"] for e in doc["extensions"]}
    assert by["101"] == "Anna Adams"  # the file wins over the config's table
    assert by["102"] == "Ben [b]Bold[/b]"  # kept literally
    (q,) = doc["queues"]
    assert q["agents"][0]["name"] == "Ben [b]Bold[/b]"
    assert "names.csv:4: expected 2 columns" in out.stderr  # the bad line is named, not fatal
    missing = wallboard("snapshot", "--replay", str(rec), "--names", str(tmp_path / "nope.csv"))
    assert missing.returncode == 2 and "nope.csv" in missing.stderr
