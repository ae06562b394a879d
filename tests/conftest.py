"""Shared test helpers: the documented protocol examples live in tests/fixtures/examples."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

EXAMPLES = Path(__file__).parent / "fixtures" / "examples"


def example(name: str) -> dict[str, Any]:
    """Load `v12/evt_call_start` style example names."""
    return json.loads((EXAMPLES / f"{name}.json").read_text())


def example_text(name: str) -> str:
    return (EXAMPLES / f"{name}.json").read_text()


@pytest.fixture
def examples_dir() -> Path:
    return EXAMPLES


@pytest.fixture(autouse=True)
def _own_data_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Stores a test makes by default (`connect`, `hub`) never land in the developer's data dir."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.getbasetemp() / "xdg-data"))
