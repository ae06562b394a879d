"""SVG snapshots of the wallboard on a fixed replay (pinned clocks, UTC, no timers).

Regenerate after an intended visual change with
`pytest tests/test_ui_snapshots.py --snapshot-update`, then look at the SVGs.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ui_helpers import replay_app, utc

SIZES = [(80, 24), (160, 50)]


@pytest.fixture(autouse=True)
def _utc() -> Iterator[None]:
    with utc():
        yield


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_dashboard(snap_compare, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(replay_app(), terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_queue_detail(snap_compare, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(replay_app(), terminal_size=size, press=["down", "enter"])


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_help(snap_compare, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(replay_app(), terminal_size=size, press=["question_mark"])


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_wall_mode(snap_compare, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(replay_app(), terminal_size=size, press=["w"])


def test_queue_with_its_own_thresholds(snap_compare) -> None:  # type: ignore[no-untyped-def]
    """Queue 8003 (Billing: 1 waiting, 73 %) under its own thresholds (warn at 1 waiting,
    critical below 75 %): amber and critical where the board's thresholds see amber only."""
    from wallboard.config import Thresholds

    app = replay_app()
    app.queue_thresholds = {
        "8003": Thresholds(
            waiting_warn=1, waiting_crit=5, service_level_warn=90, service_level_crit=75
        )
    }
    assert snap_compare(app, terminal_size=(120, 30))
