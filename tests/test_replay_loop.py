"""`replay_into`'s own loop applies exactly what `iter_file` yields (header, bad lines, plain JSON)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import example
from wallboard.bench.stream import StreamGenerator, write_recording
from wallboard.feed.replay import ReplayHeader, iter_file, replay_into
from wallboard.model import WallboardState, state_document


def _via_iter_file(path: Path) -> tuple[WallboardState, ReplayHeader]:
    state = WallboardState()
    header = ReplayHeader()
    with path.open("rb") as f:
        for item in iter_file(f):
            if type(item) is ReplayHeader:
                header = item
            else:
                state.apply(item[1])  # type: ignore[index]
    return state, header


def _doc(state: WallboardState) -> dict:  # type: ignore[type-arg]
    doc = state_document(state)
    doc.pop("source")  # replay_into also records where the frames came from
    return doc


RECORD = json.dumps({"t": 1.0, "frame": json.dumps(example("v12/evt_call_start"))})
HEADER = json.dumps({"wallboard_recording": 1, "dialect": "v12", "source": "x", "started": 5})
LINES = {
    "recording": [HEADER, RECORD, "", "   ", RECORD.replace("call_start", "call_ended")],
    "header_not_first": [RECORD, HEADER, RECORD],
    "bad_first_line": ["{nope", HEADER, RECORD],
    "plain": [json.dumps(example("v16/evt_queue_status")), json.dumps(example("v16/evt_call_cdr"))],
    "odd_lines": [
        HEADER,
        "[1, 2]",
        "null",
        json.dumps({"t": 1, "frame": 7}),
        json.dumps({"t": 1, "frame": "not json"}),
        json.dumps({"frame": "{}", "event_type": "trunk_connected", "trunk_name": "t"}),
        json.dumps({"status": -1, "error": "nope", "command": "subscribe"}),
        RECORD,
    ],
}


@pytest.mark.parametrize("name", sorted(LINES))
@pytest.mark.parametrize("truncated", [False, True])
def test_replay_into_matches_iter_file(tmp_path: Path, name: str, truncated: bool) -> None:
    path = tmp_path / "r.jsonl"
    text = "\n".join(LINES[name]) + "\n"
    if truncated:
        text += RECORD[: len(RECORD) // 2]  # the last line cut off mid-write
    path.write_text(text)
    want, want_header = _via_iter_file(path)
    got = WallboardState()
    header = replay_into(got, path)
    assert header == want_header
    assert _doc(got) == _doc(want)
    assert got.frames == want.frames and got.invalid == want.invalid


def test_replay_into_matches_iter_file_on_a_generated_stream(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    gen = StreamGenerator(agents=80, queues=4, mix="mixed")
    write_recording(str(path), gen.frames(3000), dialect=gen.dialect)
    want, _ = _via_iter_file(path)
    got = WallboardState()
    replay_into(got, path)
    assert _doc(got) == _doc(want)
    assert got.frames == 3000 and got.invalid == 0
