"""A benchmark's child reads back exactly the options its parent wrote, or stops in one line."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass

import pytest

from wallboard.bench.child import child_argv, child_options, child_role, decode


@dataclass(frozen=True, slots=True)
class Opts:
    rows: int = 5
    rate: float = 2.0
    label: str | None = None
    modes: tuple[str, ...] = ("a",)
    slow: bool = False


def test_round_trip() -> None:
    opts = Opts(rows=7, rate=3, label="x", modes=("a", "b"), slow=True)
    argv = child_argv("wallboard.bench.ui", opts, "storm")
    assert argv[:4] == [sys.executable, "-m", "wallboard.bench.ui", "storm"]
    role, rest = child_role(argv[3:], ("storm", "idle"))
    back = child_options(Opts, rest)
    assert role == "storm" and back == opts and isinstance(back.rate, float)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("{", "not JSON"),
        ("[1]", "not a JSON object"),
        ('{"rows": 1}', "missing rate, label, modes, slow"),
        ('{"rows": 1, "rate": 1, "label": null, "modes": [], "slow": false, "x": 1}', "unknown x"),
        ('{"rows": true, "rate": 1, "label": null, "modes": [], "slow": false}', "rows is True"),
        ('{"rows": 1, "rate": 1, "label": 3, "modes": [], "slow": false}', "label is 3"),
        ('{"rows": 1, "rate": 1, "label": null, "modes": [1], "slow": false}', "modes is 1"),
    ],
)
def test_refuses(text: str, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        decode(Opts, text)


def test_a_bad_child_argument_is_one_line_and_exit_2() -> None:
    for argv in (["storm", "{}"], ["nope", "{}"], ["idle"]):
        res = subprocess.run(
            [sys.executable, "-m", "wallboard.bench.ui", *argv],
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )
        assert res.returncode == 2 and res.stdout == ""
        assert len(res.stderr.strip().splitlines()) == 1, res.stderr
        assert res.stderr.startswith("python -m wallboard.bench.ui: ")
