"""The tenant filter (`T`), the tiles of one tenant, the tenant totals, and the hook for tables.

`history_helpers.two_tenants_state`: tenant 111 "Acme" (queue 8001: 7
answered, 6 within 20 s, 2 abandoned) and 222 "Globex" (queue 9001: 1
answered after 30 s, 2 abandoned).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

import pytest
from textual.app import App, ComposeResult

from history_helpers import T1, T2, two_tenants_state
from ui_helpers import bare_app, state_from, utc
from wallboard.ui.abandoned import AbandonedTable
from wallboard.ui.daychart import DayChart
from wallboard.ui.explainscreen import ExplainScreen
from wallboard.ui.tablerows import Column, TableRows
from wallboard.ui.tenants import (
    TenantBar,
    TenantScoped,
    TenantScreen,
    TenantTotalsTable,
    next_tenant,
    tenants_present,
)
from wallboard.ui.tiles import ExplainableTiles
from wallboard.ui.vtable import VirtualTable

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(autouse=True)
def _utc() -> Iterator[None]:
    with utc():
        yield


def tiles(app: Any) -> dict[str, str | None]:
    return app.query_one(ExplainableTiles).values()  # type: ignore[no-any-return]


def test_tenants_present_in_name_order_and_the_cycle() -> None:
    st = two_tenants_state()
    st.names.set_tenant_names({T1: "Zeta", T2: "Alpha"})
    assert tenants_present(st) == [T2, T1]
    assert next_tenant(st, None) == T2
    assert next_tenant(st, T2) == T1
    assert next_tenant(st, T1) is None
    assert next_tenant(st, "gone") == T2


async def test_T_cycles_tenants_and_the_tiles_show_that_tenants_totals() -> None:
    st = two_tenants_state()
    st.names.set_tenant_names({T1: "[b]Acme[/b]"})  # a tenant name is PBX text
    app = bare_app(st)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        bar = app.query_one(TenantBar)
        assert (tiles(app)["answered"], tiles(app)["sl"]) == ("8", "50%") and not bar.display
        await pilot.press("T")
        await pilot.pause()
        assert app.tenant_filter == T1  # "[b]Acme[/b]" sorts before "Globex"
        assert (tiles(app)["answered"], tiles(app)["sl"]) == ("7", "67%")
        assert bar.display and "Tenant [b]Acme[/b]" in str(bar.render())  # literally
        await pilot.press("T")
        await pilot.pause()
        assert app.tenant_filter == T2
        assert (tiles(app)["answered"], tiles(app)["abandoned"], tiles(app)["sl"]) == (
            "1",
            "2",
            "0%",
        )
        assert tiles(app)["asa"] == "0:30"
        assert "Tenant Globex" in str(bar.render())
        await pilot.press("T")
        await pilot.pause()
        assert app.tenant_filter is None and not bar.display
        assert tiles(app)["answered"] == "8"


async def test_T_without_tenant_ids_says_so() -> None:
    app = bare_app(state_from([]))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("T")
        await pilot.pause()
        assert app.tenant_filter is None
        assert any("No tenant ids" in n.message for n in app._notifications)


async def test_the_tenant_scopes_history_abandoned_and_explanations() -> None:
    app = bare_app(two_tenants_state())
    async with app.run_test(size=(100, 32)) as pilot:
        app.set_tenant_filter(T1)
        await pilot.press("6")
        await pilot.pause()
        chart = app.query_one(DayChart)
        assert "All queues of the tenant" in str(chart.border_title)
        table = app.query_one(AbandonedTable)
        assert [r[1] for r in table.shown_text()] == ["8001", "8001"]
        await pilot.press("full_stop")
        assert "Queue 8001" in str(chart.border_title)
        await pilot.press("full_stop")  # 9001 is another tenant's: back to all
        assert "All queues of the tenant" in str(chart.border_title)
        await pilot.press("1", "shift+tab", "i")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ExplainScreen)
        assert screen.body.subject.title == "Totals · tenant Acme"
        assert screen.body.current is not None and screen.body.current.value == "67 %"
        await pilot.press("escape")
        app.set_tenant_filter(None)
        await pilot.press("6")
        await pilot.pause()
        assert len(app.query_one(AbandonedTable).shown_text()) == 4


async def test_tenant_totals_side_by_side_and_enter_picks_one() -> None:
    app = bare_app(two_tenants_state())
    async with app.run_test(size=(110, 32)) as pilot:
        app.action_tenants()
        await pilot.pause()
        assert isinstance(app.screen, TenantScreen)
        table = app.screen.query_one(TenantTotalsTable)
        rows = [table.row_text(k) for k in table.rows]
        assert [r[0] for r in rows] == ["All tenants", "Acme", "Globex"]
        # offered, answered, abandoned, SL
        assert [(r[2], r[3], r[4], r[5]) for r in rows] == [
            ("12", "8", "4", "50%"),
            ("9", "7", "2", "67%"),
            ("3", "1", "2", "0%"),
        ]
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        assert not isinstance(app.screen, TenantScreen)
        assert app.tenant_filter == T2


async def test_the_palette_picks_a_tenant_by_name() -> None:
    app = bare_app(two_tenants_state())
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Tenant: Globex")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        assert app.tenant_filter == T2


# ------------------------------------------------ the hook for tables
class Person(NamedTuple):
    tenant: str
    name: str


class PeopleTable(TenantScoped, VirtualTable[str, Person]):
    def tenant_of(self, key: Any, record: Person) -> str:
        return record.tenant


class PeopleApp(App[None]):
    def compose(self) -> ComposeResult:
        rows: TableRows[str, Person] = TableRows(
            (Column("name", "Name", 10, sort=lambda r: r.name),), sort="name"
        )
        rows.update(
            [
                ("1", Person("a", "Ann")),
                ("2", Person("a", "Max")),
                ("3", Person("b", "Maxine")),
                ("4", Person("", "Nobody")),
            ]
        )
        yield PeopleTable(rows, lambda k, r: (r.name,))


async def test_the_tenant_hook_and_the_text_filter_are_one_predicate() -> None:
    app = PeopleApp()
    async with app.run_test(size=(40, 12)):
        table = app.query_one(PeopleTable)

        def names() -> list[str]:
            return [table.rows.get(k).name for k in table.rows]  # type: ignore[union-attr]

        assert names() == ["Ann", "Max", "Maxine", "Nobody"]
        table.tenant_changed("a")
        assert names() == ["Ann", "Max"]  # no tenant id: only shown for every tenant
        table.set_filter_text("max")
        assert names() == ["Max"]
        table.tenant_changed(None)
        assert names() == ["Max", "Maxine"]  # the text filter stayed
        table.set_filter_text("")
        assert names() == ["Ann", "Max", "Maxine", "Nobody"]
