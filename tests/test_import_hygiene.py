"""The core stays free of the TUI and of I/O; headless commands never load Textual."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import wallboard

PKG = Path(wallboard.__file__).parent


def _imports_in_fresh_interpreter(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys; print(' '.join(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return set(out.split())


@pytest.mark.parametrize(
    "module", ["wallboard.protocol", "wallboard.model", "wallboard.feed.replay"]
)
def test_core_imports_neither_textual_nor_websockets(module: str) -> None:
    mods = _imports_in_fresh_interpreter(f"import {module}")
    assert not {m for m in mods if m.split(".")[0] in ("textual", "websockets")}


@pytest.mark.parametrize("layer", ["protocol", "model"])
def test_core_source_has_no_such_imports(layer: str) -> None:
    for path in (PKG / layer).rglob("*.py"):
        text = path.read_text()
        for banned in ("import textual", "from textual", "import websockets", "from websockets"):
            assert banned not in text, f"{path} has {banned!r}"


def test_snapshot_replay_does_not_import_textual(tmp_path: Path) -> None:
    rec = tmp_path / "r.jsonl"
    rec.write_text('{"event_type": "trunk_connected", "trunk_name": "t1", "time": 1700000000}\n')
    code = (
        "import sys, io\n"
        "from wallboard.cli import main\n"
        "sys.stdout = io.TextIOWrapper(io.BytesIO())\n"
        f"main(['snapshot', '--replay', {str(rec)!r}])\n"
        "sys.stdout = sys.__stdout__\n"
    )
    mods = _imports_in_fresh_interpreter(code)
    assert "wallboard.model" in mods
    assert not {m for m in mods if m.split(".")[0] == "textual"}
