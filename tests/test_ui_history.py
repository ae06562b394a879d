"""History page (6): the day chart, the day and queue pickers, the abandoned callers.

Numbers are the hand-computed ones of `history_helpers.two_tenants_state`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from rich.console import Console
from textual.renderables.sparkline import Sparkline as SparklineRenderable
from textual.widgets import Label

from history_helpers import NOON, T1, apply_all, caller, two_tenants_state, visit
from hostile import HOSTILE_NAMES
from ui_helpers import bare_app, utc
from wallboard.model.entities import FinishedCall
from wallboard.model.tally import Tally
from wallboard.ui.abandoned import AbandonedTable, CallRecordScreen
from wallboard.ui.charts import bar_data, bar_summary
from wallboard.ui.daychart import DayChart, fit_window
from wallboard.ui.history import HistoryPage
from wallboard.ui.historysource import QueueRef
from wallboard.ui.text import safe_text

pytestmark = pytest.mark.timeout(120)
UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture(autouse=True)
def _utc() -> Iterator[None]:
    with utc():
        yield


def render_bars(
    values: list[float | None], scale: float, height: int = 1, cells: int = 1
) -> list[str]:
    data = bar_data(values, scale, cells)
    width = len(values) * cells
    spark = SparklineRenderable(
        data, width=width, height=height, summary_function=bar_summary(height)
    )
    console = Console(width=width, color_system=None, legacy_windows=False)
    with console.capture() as cap:
        console.print(spark)
    return cap.get().splitlines()


def test_bars_start_at_zero_share_a_scale_and_leave_gaps() -> None:
    # Sparkline alone would draw 10 and 12 as lowest and highest bar.
    assert render_bars([0, 1, 10, 5, None, 12], 20) == ["▁▂▄▂ ▅"]
    assert render_bars([12, 10], 12) == ["█▆"]
    # One caller of 40 is still drawn above the zero baseline.
    assert render_bars([0, 1, 40], 40) == ["▁▂█"]
    assert render_bars([None, None], 1) == ["  "]
    assert render_bars([3, 6], 6, height=2) == [" █", "██"]
    # Wide bars keep a free column so neighbours read apart; narrow ones do not.
    assert render_bars([8, 4, 0], 8, cells=3) == ["██ ▄▄ ▁▁ "]
    assert render_bars([8, 4], 8, cells=2) == ["██▄▄"]


def test_the_window_keeps_the_cursor_in_view() -> None:
    w = fit_window(96, 60, cursor=95, first=1 << 30)
    assert (w.first, w.count, w.cells) == (36, 60, 1)
    assert fit_window(96, 60, cursor=10, first=36).first == 10
    assert fit_window(96, 60, cursor=50, first=36).first == 36  # still inside: no jump
    w = fit_window(17, 60, cursor=16, first=0)
    assert (w.first, w.count, w.cells) == (0, 17, 3)
    assert fit_window(2, 200, cursor=0, first=0).cells == 8


def labels(chart: DayChart) -> dict[str, str]:
    out = {}
    for key in ("offered", "answered", "abandoned", "sl", "asa"):
        text = str(chart.query_one(f"#label-{key}", Label).render())
        out[key] = text.split()[-1]
    return out


async def test_today_by_interval_with_the_queue_picker() -> None:
    app = bare_app(two_tenants_state())
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("6")
        await pilot.pause()
        chart = app.query_one(DayChart)
        assert app.focused is chart
        # Now is 12:16:52: the 12:15 interval, of both queues.
        assert labels(chart) == {
            "offered": "2",
            "answered": "2",
            "abandoned": "0",
            "sl": "100%",
            "asa": "0:10",
        }
        assert "All queues · 2023-11-14 (today) · 12:15–12:30 now" in str(chart.border_title)
        await pilot.press("left")
        # 12:00 of both: 6 answered (4 within 20 s), 4 abandoned → 40 %; ASA 120 s / 6.
        assert labels(chart) == {
            "offered": "10",
            "answered": "6",
            "abandoned": "4",
            "sl": "40%",
            "asa": "0:20",
        }
        marks = str(chart.query_one("#chart-marks").render())
        assert marks.index("▲") < marks.index("●")  # cursor on 12:00, now on 12:15
        await pilot.press("full_stop")  # queue 8001
        await pilot.pause()
        assert "Queue 8001 Acme Sales" in str(chart.border_title)
        assert labels(chart)["offered"] == "2"  # a new queue starts at the current interval
        await pilot.press("left")
        assert labels(chart) == {
            "offered": "7",
            "answered": "5",
            "abandoned": "2",
            "sl": "57%",
            "asa": "0:18",
        }
        total = str(chart.query_one("#chart-total").render())
        assert "offered 9" in total and "SL 67%" in total  # 6 within / (7 + 2)
        await pilot.press("full_stop", "full_stop")  # 9001, then all queues again
        assert "All queues" in str(chart.border_title)
        await pilot.press("comma")
        assert "Queue 9001 Globex Help" in str(chart.border_title)


class DictSource:
    """A store-like source of past days, in memory: what the store's reader must answer."""

    def __init__(self) -> None:
        day = NOON - 86400
        self.data = {
            "2023-11-13": {
                "qa": {day: Tally(offered=4, answered=3, answered_within=3, abandoned=1)},
            }
        }
        self.calls = [
            FinishedCall(
                "old1", "abandoned", "+49301", "8001", "Yesterday's caller", "inbound", day,
                None, day + 40, queue="8001", queue_outcome="abandoned", wait=40.0,
            )
        ]  # fmt: skip

    def days(self) -> list[str]:
        return sorted(self.data)

    def queues(self, day: str) -> list[QueueRef]:
        return [QueueRef(k, "8001", "Acme Sales", T1) for k in self.data.get(day, {})]

    def intervals(self, day: str, queue: str) -> dict[float, Tally]:
        return dict(self.data.get(day, {}).get(queue, {}))

    def abandoned(self, day: str) -> list[FinishedCall]:
        return self.calls if day in self.data else []

    def gaps(self, day: str) -> list[list[float]]:
        return []


async def test_the_day_picker_reads_past_days_from_the_history_source() -> None:
    app = bare_app(two_tenants_state(), history=DictSource())
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("6")
        await pilot.pause()
        chart = app.query_one(DayChart)
        table = app.query_one(AbandonedTable)
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert "2023-11-13 · 12:00–12:15" in str(chart.border_title)
        assert "(today)" not in str(chart.border_title)
        assert labels(chart)["offered"] == "4" and labels(chart)["sl"] == "75%"
        assert "Abandoned 2023-11-13" in str(table.border_title)
        assert table.shown_text() == [["12:00:40", "8001", "+49301", "Yesterday's caller", "0:40"]]
        await pilot.press("left_square_bracket")  # nothing older
        await pilot.pause()
        assert any("No earlier day" in n.message for n in app._notifications)
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert "(today)" in str(chart.border_title)
        assert len(table.shown_text()) == 4


async def test_without_a_store_the_picker_says_so() -> None:
    app = bare_app(two_tenants_state())
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("6", "left_square_bracket")
        await pilot.pause()
        assert any("no store attached" in n.message for n in app._notifications)


async def test_abandoned_callers_newest_first_scoped_to_the_queue_with_their_record() -> None:
    app = bare_app(two_tenants_state())
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("6")
        await pilot.pause()
        table = app.query_one(AbandonedTable)
        assert table.shown_text() == [
            ["12:08:23", "8001", "+4930a6", "Caller a6", "0:03"],
            ["12:07:10", "8001", "+4930a5", "Caller a5", "0:30"],
            ["12:04:20", "9001", "+4930b2", "Caller b2", "1:00"],
            ["12:02:05", "9001", "+4930b1", "Caller b1", "0:25"],
        ]
        await pilot.press("comma")  # the last queue: 9001
        await pilot.pause()
        assert [r[2] for r in table.shown_text()] == ["+4930b2", "+4930b1"]
        await pilot.press("tab")
        assert app.focused is table
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, CallRecordScreen)
        body = str(app.screen.render_record())
        assert "call back  +4930b1" in body and "waited  0:25" in body
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, CallRecordScreen)
        # A new abandon arrives: added at the top, without a rebuild.
        apply_all(app.state, visit(T1, "qb", "b9", NOON + 1100, 7, "abandoned"))
        app.refresh_now()
        await pilot.pause()
        assert table.shown_text()[0][2] == "+4930b9"


async def test_hostile_caller_names_in_the_abandoned_list_stay_literal() -> None:
    st = two_tenants_state()
    msgs = []
    for i, name in enumerate(HOSTILE_NAMES):
        t = NOON + 1100 + 10 * i
        msgs.append(caller(T1, "qa", f"h{i}", "enqueue", t, number=f"0555{i}", name=name))
        msgs.append(caller(T1, "qa", f"h{i}", "hangup", t + 5, number=f"0555{i}", name=name))
    apply_all(st, msgs)
    app = bare_app(st)
    async with app.run_test(size=(120, 60)) as pilot:
        await pilot.press("6")
        await pilot.pause()
        table = app.query_one(AbandonedTable)
        rows = table.shown_text()
        names = [r[3] for r in rows]
        for name in HOSTILE_NAMES:
            assert safe_text(name, 40) in names
        screen = "\n".join(s.text for s in app.screen._compositor.render_strips())
        assert not UNSAFE.search(screen)
        assert "[@click=app.quit]cli" in screen  # shown, not run
        for strip in app.screen._compositor.render_strips():
            for seg in strip:
                meta = seg.style.meta if seg.style is not None else {}
                assert "@click" not in meta
        # The record of one of them, literally.
        await pilot.press("tab", "enter")
        await pilot.pause()
        body = app.screen.render_record().plain  # type: ignore[attr-defined]
        assert not UNSAFE.search(body)


async def test_thousands_of_abandoned_callers_format_only_the_rows_in_view() -> None:
    st = two_tenants_state()
    msgs = []
    for i in range(5000):
        t = NOON + 2000 + i
        msgs += [
            caller(T1, "qa", f"m{i}", "enqueue", t),
            caller(T1, "qa", f"m{i}", "hangup", t + 1),
        ]
    apply_all(st, msgs)
    app = bare_app(st)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("6")
        await pilot.pause()
        table = app.query_one(AbandonedTable)
        assert len(table.rows) == 5004
        body = table.size.height
        assert 0 < table.counters.formats <= 2 * body
        assert table.row_text(table.rows.key_at(0))[2] == "+4930m4999"
        before = table.counters.formats
        apply_all(st, visit(T1, "qa", "late", NOON + 9000, 4, "abandoned"))
        app.refresh_now()
        await pilot.pause()
        assert len(table.rows) == 5005
        assert table.counters.formats <= before + 2 * body


async def test_the_chart_fits_80_columns_by_scrolling() -> None:
    from history_helpers import morning_state

    app = bare_app(morning_state(hours=10.0))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("6")
        await pilot.pause()
        chart = app.query_one(DayChart)
        page = app.query_one(HistoryPage)
        assert page.chart is chart and chart.pic is not None
        n = len(chart.pic.rows)
        assert n == 41  # 02:13 .. 12:13, by 15 minutes
        width = chart.content_region.width - 16
        bars = chart.query_one("#bars-offered")
        assert bars.size.width <= width
        for _ in range(n):
            await pilot.press("left")
        assert chart.cursor_index == 0
        assert "02:00–02:15" in str(chart.border_title)
        await pilot.press("end")
        assert chart.cursor_index == n - 1 and "now" in str(chart.border_title)


async def test_the_wall_trend_page_follows_the_queues_as_they_come_and_go() -> None:
    from history_helpers import morning_state, queue_status
    from wallboard.ui.screens.wall import WallScreen
    from wallboard.ui.trend import WallTrend

    st = morning_state(hours=1.0)
    app = bare_app(st)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("w", "left")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, WallScreen) and screen.page_index == 3
        trend = screen.query_one(WallTrend)
        app.refresh_now(tick=True)
        await pilot.pause()

        def names() -> list[str]:
            return [str(label.render()).split("\n")[0] for _, label, _ in trend._rows]

        assert names()[0] == "All queues" and len(names()) == 4  # all + 3 queues
        tenant = next(iter(st.queues.values())).tenant_id
        for i in range(3):  # queues appear between two refreshes
            apply_all(st, [queue_status(tenant, f"new{i}", f"860{i}", f"New {i}", st.now())])
            app.refresh_now(tick=True)
            app.refresh_now(tick=True)
        await pilot.pause()
        app.refresh_now(tick=True)
        await pilot.pause()
        assert len(names()) == 7 and "8600 New 0" in names()
        for qid in ("new0", "new1", "new2"):
            st.forget_queue(qid)
        app.refresh_now(tick=True)
        await pilot.pause()
        assert len(names()) == 4
        axis = str(trend.query_one("#trend-axis").render())
        assert "−60 min" in axis and axis.rstrip().endswith("now")


async def test_the_chart_grows_when_the_terminal_does() -> None:
    from history_helpers import morning_state

    app = bare_app(morning_state(hours=1.0))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("6")
        await pilot.pause()
        bars = app.query_one("#bars-offered")
        assert bars.size.height == 1 and app.screen.has_class("-compact")
        await pilot.resize_terminal(160, 50)  # a laptop's terminal on the TV
        await pilot.pause()
        assert app.screen.has_class("-roomy") and bars.size.height == 3
