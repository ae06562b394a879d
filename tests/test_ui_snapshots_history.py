"""SVG snapshots of the day-of-record screens (issues 11 and 14) at 80×24 and 160×50.

A simulated morning (`history_helpers.morning_state`, seeded, no wall clock:
the state's clock is its latest event; UTC) and the hand-written two-tenant
day. Regenerate after a deliberate visual change with
`pytest tests/test_ui_snapshots_history.py --snapshot-update`, then look.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual.pilot import Pilot

from history_helpers import T2, morning_state, two_tenants_state
from ui_helpers import bare_app, utc

SIZES = [(80, 24), (160, 50)]
ids = {"ids": lambda s: f"{s[0]}x{s[1]}"}


@pytest.fixture(autouse=True)
def _utc() -> Iterator[None]:
    with utc():
        yield


def morning_app():  # type: ignore[no-untyped-def]
    return bare_app(morning_state(hours=4.0), feed_label="simulated morning")


@pytest.mark.parametrize("size", SIZES, **ids)
def test_history_page(snap_compare, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(morning_app(), terminal_size=size, press=["6"])


@pytest.mark.parametrize("size", SIZES, **ids)
def test_history_of_one_queue_earlier_interval(snap_compare, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    press = ["6", "full_stop", "left", "left", "left"]
    assert snap_compare(morning_app(), terminal_size=size, press=press)


@pytest.mark.parametrize("size", SIZES, **ids)
def test_wall_trend_page(snap_compare, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(morning_app(), terminal_size=size, press=["w", "left"])


@pytest.mark.parametrize("size", SIZES, **ids)
def test_explain_a_queue(snap_compare, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(morning_app(), terminal_size=size, press=["i"])


@pytest.mark.parametrize("size", SIZES, **ids)
def test_abandoned_call_record(snap_compare, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(morning_app(), terminal_size=size, press=["6", "tab", "down", "enter"])


@pytest.mark.parametrize("size", SIZES, **ids)
def test_one_tenant_and_the_tenant_totals(snap_compare, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    async def pick(pilot: Pilot[int]) -> None:
        pilot.app.set_tenant_filter(T2)  # type: ignore[attr-defined]
        pilot.app.action_tenants()  # type: ignore[attr-defined]
        await pilot.pause()

    app = bare_app(two_tenants_state())
    assert snap_compare(app, terminal_size=size, run_before=pick)
