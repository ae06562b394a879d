"""The virtual table: 5,000 rows scrolled, sorted and filtered, with work only for rows in view."""

from __future__ import annotations

import random
from typing import Any

from rich.style import Style
from textual import events
from textual.app import App, ComposeResult
from textual.color import Color
from textual.containers import Vertical
from textual.filter import Monochrome
from textual.geometry import Region
from textual.widgets import ContentSwitcher, Static

from hostile import HOSTILE_NAMES
from wallboard.ui.fmt import dur
from wallboard.ui.tablerows import Column, TableRows
from wallboard.ui.text import REPLACEMENT
from wallboard.ui.vtable import VirtualTable

N = 5000
SIZE = (80, 24)  # the table fills it: a header line and 23 body lines
BODY = SIZE[1] - 1

Agent = tuple[str, str, str, float | None]  # ext, name, state, since


def columns(name_width: int = 14) -> tuple[Column[Agent], ...]:
    return (
        Column("ext", "Ext", 6, sort=lambda r: r[0]),
        Column("name", "Name", name_width, sort=lambda r: r[1].lower()),
        Column("state", "State", 9, sort=lambda r: r[2]),
        Column("time", "Time", 6, sort=lambda r: -(r[3] or 0.0)),
    )


def agent(i: int, state: str = "ready", since: float | None = 900.0) -> Agent:
    name = f"Nadia {i}" if i % 50 == 0 else f"Agent {i}"
    return (f"{10000 + i}", name, state, since)


def key(i: int) -> str:
    return f"{10000 + i}"


class Clock:
    now = 1000.0


class TableApp(App[None]):
    CSS = "VirtualTable { height: 1fr; }"
    AUTO_FOCUS = None  # each test says whether the table has focus

    def __init__(self, rows: TableRows[str, Agent], clock: Clock | None = None) -> None:
        super().__init__()
        self.rows = rows
        self.clock = clock or Clock()
        self.selected: list[Any] = []
        self.highlighted: list[Any] = []

    def format(self, k: str, r: Agent) -> tuple[Any, ...]:
        ext, name, state, since = r
        style = {"crit": "vtable--crit", "warn": "vtable--warn", "busy": "bold cyan"}.get(state, "")
        return (
            (ext, "bold"),
            name,
            (state, style),
            dur(None if since is None else self.clock.now - since),
        )

    def compose(self) -> ComposeResult:
        yield VirtualTable(self.rows, self.format, id="t", title="Agents")

    def on_virtual_table_row_selected(self, message: VirtualTable.RowSelected) -> None:
        self.selected.append(message.key)

    def on_virtual_table_row_highlighted(self, message: VirtualTable.RowHighlighted) -> None:
        self.highlighted.append(message.key)


def full_rows(n: int = N, name_width: int = 14) -> TableRows[str, Agent]:
    rows: TableRows[str, Agent] = TableRows(columns(name_width))
    rows.update((key(i), agent(i)) for i in range(n))
    return rows


def body(table: VirtualTable[Any, Any]) -> list[str]:
    """The first cell (ext) of every body line on screen."""
    return [line.split()[0] if line.strip() else "" for line in table.screen_text()[1:]]


class RegionSpy:
    """Records the regions a table asks Textual to repaint."""

    def __init__(self, table: VirtualTable[Any, Any]) -> None:
        self.regions: list[Region] = []
        self.full = 0
        real = table.refresh

        def refresh(*regions: Region, **kw: Any) -> Any:
            if regions:
                self.regions.extend(regions)
            else:
                self.full += 1
            return real(*regions, **kw)

        table.refresh = refresh  # type: ignore[method-assign]


# ------------------------------------------------------------------ the rows
def reference(rows: TableRows[str, Agent], records: dict[str, Agent]) -> list[str]:
    col = rows.columns[rows.sort_column]
    assert col.sort is not None
    shown = [k for k in records if rows._filter is None or rows._filter(k, records[k])]
    order = sorted(shown, key=lambda k: (col.sort(records[k]), k))  # type: ignore[misc]
    return order[::-1] if rows.reverse else order


def test_rows_keep_their_order_through_random_updates_sorts_and_filters() -> None:
    rng = random.Random(7)
    rows = full_rows()
    records = {key(i): agent(i) for i in range(N)}
    states = ("ready", "busy", "wrap", "away")
    for step in range(60):
        batch: list[tuple[str, Agent | None]] = []
        # Small batches bisect; every 10th batch is big enough to re-sort at once.
        for _ in range(2000 if step % 10 == 9 else rng.randrange(1, 40)):
            i = rng.randrange(N + 200)
            if rng.random() < 0.1:
                batch.append((key(i), None))
                records.pop(key(i), None)
            else:
                rec = (key(i), f"Agent {rng.randrange(999)}", rng.choice(states), rng.random())
                batch.append((key(i), rec))
                records[key(i)] = rec
        rows.update(batch)
        if step % 7 == 3:
            rows.sort_by(rng.randrange(4), reverse=rng.random() < 0.5)
        if step % 13 == 5:
            rows.set_filter(None if rng.random() < 0.3 else (lambda k, r: r[2] != "away"))
        expected = reference(rows, records)
        assert list(rows) == expected
        assert len(rows) == len(expected) and rows.total == len(records)
        for probe in rng.sample(expected, min(20, len(expected))):
            index = rows.index_of(probe)
            assert index is not None and rows.key_at(index) == probe
        start = rng.randrange(max(1, len(expected)))
        assert rows.keys(start, start + 30) == expected[start : start + 30]


def test_equal_records_are_no_change_and_listeners_hear_each_batch_once() -> None:
    rows = full_rows(100)
    heard: list[tuple[set[Any], bool]] = []

    class Listener:
        def rows_changed(self, keys: Any, order: bool) -> None:
            heard.append((set(keys), order))

    rows.subscribe(Listener())
    version = rows.version
    rows.update((key(i), agent(i)) for i in range(100))  # the same records again
    assert heard == [] and rows.version == version
    rows.update([(key(3), agent(3, state="busy")), (key(4), None)])
    assert heard == [({key(3), key(4)}, True)]
    rows.set(key(5), (key(5), "Renamed", "ready", 900.0))  # not the sort column: no move
    assert heard[-1] == ({key(5)}, False)


# --------------------------------------------------------------- scrolling
async def test_scrolling_far_shows_the_right_rows() -> None:
    app = TableApp(full_rows())
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(VirtualTable)
        table.focus()
        await pilot.pause()
        assert body(table) == [key(i) for i in range(BODY)]
        await pilot.press("end")
        assert table.cursor_key == key(N - 1)
        assert body(table) == [key(i) for i in range(N - BODY, N)]
        await pilot.press("home")
        assert table.cursor_key == key(0) and body(table)[0] == key(0)
        for _ in range(5):
            await pilot.press("pagedown")
        assert table.cursor_row == 5 * BODY and table.cursor_key == key(5 * BODY)
        assert key(5 * BODY) in body(table)
        await pilot.press("pageup", "j", "j", "k")
        assert table.cursor_key == key(4 * BODY + 1) and key(4 * BODY + 1) in body(table)
        await pilot.press("G")
        assert table.cursor_key == key(N - 1) and body(table)[-1] == key(N - 1)
        await pilot.press("g")
        assert table.cursor_key == key(0)


async def test_the_mouse_wheel_scrolls_without_moving_the_cursor() -> None:
    app = TableApp(full_rows())
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(VirtualTable)
        await pilot.pause()
        # The same path as a terminal's wheel events (Pilot has no scroll helper).
        for _ in range(4):
            await pilot._post_mouse_events([events.MouseScrollDown], table, offset=(10, 5))
        assert table.scroll_y > 0
        top = int(table.scroll_y)
        assert body(table)[0] == key(top) and table.cursor_key == key(0)


# ----------------------------------------------------------- sort, filter
async def test_a_header_click_sorts_by_that_column_and_again_reverses() -> None:
    app = TableApp(full_rows())
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(VirtualTable)
        await pilot.pause()
        assert "Ext   ↑" in table.screen_text()[0]
        records = table.rows.records()
        by_name = sorted(records, key=lambda k: (records[k][1].lower(), k))
        await pilot.click(table, offset=(9, 0))  # "Name": x 8..23
        assert table.rows.sort_key == "name" and not table.rows.reverse
        assert list(table.rows) == by_name
        # The click focused the table, so the view follows the cursor's row.
        top = int(table.scroll_y)
        assert body(table) == by_name[top : top + BODY] and key(0) in body(table)
        header = table.screen_text()[0]
        assert "Name" in header and "↑" in header and "Ext   ↑" not in header
        await pilot.click(table, offset=(9, 0))
        assert table.rows.reverse and list(table.rows) == by_name[::-1]
        top = int(table.scroll_y)
        assert body(table) == by_name[::-1][top : top + BODY] and key(0) in body(table)
        assert "↓" in table.screen_text()[0]
        assert "sort Name↓" in str(table.border_title)
        table.cycle_sort()
        assert table.rows.sort_key == "state" and not table.rows.reverse
        table.cycle_sort(reverse=True)
        assert table.rows.reverse


async def test_filtering_5000_rows_shows_only_matches_and_clearing_shows_all() -> None:
    app = TableApp(full_rows())
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(VirtualTable)
        await pilot.pause()
        table.set_filter_text("  NADIA ")
        await pilot.pause()
        assert len(table.rows) == N // 50
        assert body(table) == [key(i) for i in range(0, 50 * BODY, 50)]
        assert "filter “nadia”" in str(table.border_title) and "(100)" in str(table.border_title)
        # A changed record is tested again: this one now matches, that one no longer.
        table.rows.update(
            [(key(7), (key(7), "nadia too", "ready", 900.0)), (key(0), (key(0), "x", "ready", 1.0))]
        )
        await pilot.pause()
        assert body(table)[:2] == [key(7), key(50)]
        table.set_filter_text("[/x]")  # markup-looking input is just text
        await pilot.pause()
        assert len(table.rows) == 0 and "\\[/x]" in str(table.border_title)
        table.set_filter_text("")
        await pilot.pause()
        assert len(table.rows) == N and body(table)[0] == key(0)


# ------------------------------------------------------------------ cursor
async def test_the_focused_cursor_stays_on_its_row_through_updates() -> None:
    app = TableApp(full_rows())
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(VirtualTable)
        table.focus()
        await pilot.pause()
        for _ in range(10):
            await pilot.press("down")
        mine = key(10)
        assert table.cursor_key == mine
        # Rows inserted above it.
        table.rows.update((f"0{i:04d}", (f"0{i:04d}", "New", "ready", 1.0)) for i in range(50))
        await pilot.pause()
        assert table.cursor_key == mine and table.cursor_row == 60
        assert mine in body(table)
        # Other rows removed, some above it, some below.
        table.rows.update([(f"0{i:04d}", None) for i in range(40)] + [(key(500), None)])
        await pilot.pause()
        assert table.cursor_key == mine and table.cursor_row == 20
        # A re-sort, and its own record moving it.
        table.sort_by("name")
        await pilot.pause()
        assert table.cursor_key == mine and table.rows.key_at(table.cursor_row) == mine
        assert mine in body(table)
        table.rows.set(mine, (mine, "Aaron", "busy", 900.0))
        await pilot.pause()
        assert table.cursor_key == mine and table.cursor_row == 0
        # Its row gone: the cursor stays where it was, on the row now there.
        table.rows.discard(mine)
        await pilot.pause()
        assert table.cursor_row == 0 and table.cursor_key == table.rows.key_at(0)


async def test_an_unfocused_cursor_keeps_its_position() -> None:
    app = TableApp(full_rows())
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(VirtualTable)
        await pilot.pause()
        assert not table.has_focus and table.cursor_key == key(0)
        table.rows.set("00001", ("00001", "Top", "ready", 1.0))
        await pilot.pause()
        assert table.cursor_row == 0 and table.cursor_key == "00001"


async def test_enter_and_a_second_click_post_the_row_key() -> None:
    app = TableApp(full_rows(200))
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(VirtualTable)
        table.focus()
        await pilot.pause()
        await pilot.press("down", "down", "enter")
        assert app.selected == [key(2)]
        await pilot.click(table, offset=(3, 6))  # body line 5: row 5
        assert table.cursor_key == key(5) and app.selected == [key(2)]
        await pilot.click(table, offset=(3, 6))
        assert app.selected == [key(2), key(5)]
        assert app.highlighted == [key(1), key(2), key(5)]


# -------------------------------------------------------- untrusted text
async def test_hostile_text_is_shown_literally() -> None:
    rows: TableRows[str, Agent] = TableRows(columns(name_width=40))
    rows.update((key(i), (key(i), name, "ready", 900.0)) for i, name in enumerate(HOSTILE_NAMES))
    app = TableApp(rows)
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(VirtualTable)
        await pilot.pause()
        lines = table.screen_text()
        text = "\n".join(lines)
        assert "[/x]" in text and "[@click=app.quit]click me[/]" in text
        assert "[bold red on white]SHOUTING[/]" in text
        assert f"{REPLACEMENT}]0;pwned title{REPLACEMENT}" in text
        assert f"bidi {REPLACEMENT}txt.exe{REPLACEMENT}" in text
        for y in range(len(lines)):
            for seg in table.render_line(y):
                assert seg.text.isprintable(), repr(seg.text)
                assert not (seg.style and seg.style.meta), seg  # no actions, no links
        await pilot.click(table, offset=(12, 2))
        await pilot.click(table, offset=(12, 2))
        assert app.is_running and app.selected == [key(1)]


# -------------------------------------------------- work only for the view
async def test_only_rows_in_view_are_formatted() -> None:
    app = TableApp(full_rows())
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(VirtualTable)
        await pilot.pause()
        assert 0 < table.counters.formats <= BODY
        before = table.counters.formats
        table.rows.update((key(i), agent(i, state="busy")) for i in range(100, 4100))
        await pilot.pause()
        assert table.counters.formats == before  # 4,000 changed rows, none in view
        table.rows.set(key(3), agent(3, state="wrap"))
        await pilot.pause()
        assert table.counters.formats == before + 1
        await pilot.press("pagedown")  # focus is elsewhere: the view moves one page
        table.focus()
        await pilot.press("pagedown")
        assert table.counters.formats <= before + 1 + 2 * BODY


async def test_a_one_cell_change_repaints_that_cell_and_rebuilds_one_strip() -> None:
    app = TableApp(full_rows())
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(VirtualTable)
        await pilot.pause()
        spy = RegionSpy(table)
        strips, cells = table.counters.strips, table.counters.cells
        table.rows.set(key(4), (key(4), "Renamed", "ready", 900.0))  # name: not the sort
        await pilot.pause()
        assert spy.regions == [Region(8, 5, 16, 1)] and spy.full == 0  # Name, line 5
        assert table.counters.strips == strips + 1 and table.counters.cells == cells + 1
        assert "Renamed" in table.screen_text()[5]


async def test_a_clock_tick_repaints_only_the_cells_whose_text_changed() -> None:
    rows: TableRows[str, Agent] = TableRows(columns())
    # Odd rows show a duration that ticks; even rows show "—", which does not.
    rows.update((key(i), agent(i, since=900.0 if i % 2 else None)) for i in range(N))
    clock = Clock()
    app = TableApp(rows, clock)
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(VirtualTable)
        await pilot.pause()
        spy = RegionSpy(table)
        cells = table.counters.cells
        clock.now += 1
        table.reformat()
        await pilot.pause()
        time_x = 6 + 2 + 14 + 2 + 9 + 2
        ticking = [y for y in range(1, BODY + 1) if (y - 1) % 2]
        assert spy.regions == [Region(time_x, y, 8, 1) for y in ticking]
        assert table.counters.cells == cells + len(ticking)
        assert "1:41" in table.screen_text()[2]
        spy.regions.clear()
        table.reformat()  # the same second again: nothing to repaint
        await pilot.pause()
        assert spy.regions == [] and spy.full == 0


class PagesApp(TableApp):
    def compose(self) -> ComposeResult:
        with ContentSwitcher(initial="a"):
            yield Static("another page", id="a")
            with Vertical(id="b"):
                yield VirtualTable(self.rows, self.format, id="t")


async def test_a_hidden_table_costs_nothing_and_showing_it_one_screenful() -> None:
    rows: TableRows[str, Agent] = TableRows(columns())
    app = PagesApp(rows)
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(VirtualTable)
        await pilot.pause()
        rows.update((key(i), agent(i)) for i in range(N))
        for step in range(20):
            rows.update(
                (key(i), agent(i, state="busy" if step % 2 else "ready")) for i in range(0, N, 7)
            )
            await pilot.pause()
        assert table.counters.formats == 0 and table.counters.reconciles == 0
        app.query_one(ContentSwitcher).current = "b"
        await pilot.pause()
        assert body(table)[:3] == [key(0), key(1), key(2)]
        assert 0 < table.counters.formats <= BODY
        shown = table.counters.formats
        app.query_one(ContentSwitcher).current = "a"
        await pilot.pause()
        rows.update((key(i), agent(i, state="wrap")) for i in range(N))
        await pilot.pause()
        assert table.counters.formats == shown
        app.query_one(ContentSwitcher).current = "b"
        await pilot.pause()
        assert table.counters.formats <= shown + BODY
        assert "wrap" in table.screen_text()[1]


# ------------------------------------------------------ scrollbars, looks
async def test_scrollbars_appear_only_when_needed() -> None:
    rows = full_rows(10)
    app = TableApp(rows)
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(VirtualTable)
        await pilot.pause()
        assert not table.show_horizontal_scrollbar and not table.show_vertical_scrollbar
        rows.update((key(i), agent(i)) for i in range(10, 100))
        await pilot.pause()
        assert table.show_vertical_scrollbar and not table.show_horizontal_scrollbar
        assert table.max_scroll_y == 100 + 1 - SIZE[1]
        rows.update((key(i), None) for i in range(5, 100))
        await pilot.pause()
        assert not table.show_vertical_scrollbar and table.scroll_y == 0


async def test_columns_wider_than_the_table_scroll_sideways() -> None:
    app = TableApp(full_rows(10, name_width=70))
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(VirtualTable)
        table.focus()
        await pilot.pause()
        assert table.show_horizontal_scrollbar
        assert table.virtual_size.width == 6 + 70 + 9 + 6 + 8
        await pilot.press("right")
        assert table.scroll_x == 8
        assert table.screen_text()[0].startswith(" Name")  # shifted past "Ext"


def _styles(strip: Any) -> list[Style]:
    return [seg.style for seg in strip if seg.text.strip()]


async def test_thresholds_and_cursor_keep_their_meaning_under_no_color(monkeypatch: Any) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    rows = full_rows(30)
    rows.set(key(3), agent(3, state="crit"))
    rows.set(key(4), agent(4, state="warn"))
    app = TableApp(rows)
    async with app.run_test(size=SIZE) as pilot:
        assert app.no_color
        table = app.query_one(VirtualTable)
        table.focus()
        await pilot.pause()
        table.screen_text()
        crit = [s for s in _styles(table.render_line(4)) if s.reverse]
        assert crit and all(s.bold for s in crit)
        assert any(s.bold for s in _styles(table.render_line(5)))
        bg = Color(0, 0, 0)
        cursor = table.render_line(1).apply_filter(Monochrome(), bg)
        other = table.render_line(3).apply_filter(Monochrome(), bg)
        assert {s.style for s in cursor} != {s.style for s in other}
        assert all(s.reverse for s in _styles(cursor))


async def test_every_theme_repaints_the_table_in_its_own_colours() -> None:
    rows = full_rows(30)
    rows.set(key(3), agent(3, state="crit"))
    app = TableApp(rows)
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(VirtualTable)
        await pilot.pause()
        seen = set()
        for theme in ("textual-dark", "textual-light", "nord", "gruvbox", "ansi-dark"):
            app.theme = theme
            await pilot.pause()
            table.screen_text()
            header = _styles(table.render_line(0))[0]
            assert header == table.get_component_rich_style("vtable--header")
            crit = table.get_component_rich_style("vtable--crit", partial=True)
            assert any(s.color == crit.color for s in _styles(table.render_line(4)))
            seen.add((header.bgcolor, crit.color))
        assert len(seen) >= 4


def painted(app: App[Any], table: VirtualTable[Any, Any]) -> list[list[tuple[str, Any]]]:
    """What the screen holds in the table's content area: text and style per run.

    Taken from the compositor, where lines nobody asked to repaint come from
    Textual's line cache: a change the table forgot to repaint shows up here
    as the old text or the old look.
    """
    region = table.scrollable_content_region
    strips = app.screen._compositor.render_strips()  # private: the screen as painted
    return [_runs(s.crop(region.x, region.right)) for s in strips[region.y : region.bottom]]


def expected(table: VirtualTable[Any, Any]) -> list[list[tuple[str, Any]]]:
    """What the table would paint now, through the same line filters Textual applies."""
    table.screen_text()  # resolves this paint's looks
    width = table.scrollable_content_region.width
    background = table.background_colors[1]
    out = []
    for y in range(table.scrollable_content_region.height):
        strip = table._line(y, record=False)
        for line_filter in table.get_line_filters():
            strip = strip.apply_filter(line_filter, background)
        out.append(_runs(strip.crop(0, width)))
    return out


def _runs(strip: Any) -> list[tuple[str, Any]]:
    return [(seg.text, seg.style) for seg in strip.simplify()]


async def test_what_the_screen_shows_matches_the_rows_after_random_changes() -> None:
    rng = random.Random(3)
    clock = Clock()
    rows = full_rows(2000)
    app = TableApp(rows, clock)
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(VirtualTable)
        table.focus()
        await pilot.pause()
        states = ("ready", "busy", "wrap", "crit", "warn")
        for step in range(60):
            op = rng.randrange(9)
            if op == 8:
                await pilot.hover(table, offset=(5, rng.randrange(0, BODY)))
            elif op == 0:
                table.sort_by(rng.choice(["ext", "name", "state", "time"]))
            elif op == 1:
                await pilot.press(rng.choice(["pagedown", "pageup", "down", "up", "end", "home"]))
            elif op == 2:
                clock.now += rng.choice([1, 1, 60])
                table.reformat()
            elif op == 3:
                table.set_filter_text(rng.choice(["", "", "nadia", "1"]))
            else:
                batch: list[tuple[str, Agent | None]] = []
                view = table.keys_in_view()
                for _ in range(rng.randrange(1, 30)):
                    i = rng.randrange(2100)
                    if view and rng.random() < 0.5:
                        i = int(rng.choice(view)) - 10000  # mostly rows on screen
                    if rng.random() < 0.15:
                        batch.append((key(i), None))
                    else:
                        since = rng.choice([None, 900.0, 950.0])
                        batch.append((key(i), agent(i, rng.choice(states), since)))
                rows.update(batch)
            await pilot.pause()
            assert painted(app, table) == expected(table), step


class LogApp(App[None]):
    """A log: no header, newest at the bottom, the view staying at the end."""

    CSS = "VirtualTable { height: 1fr; }"
    AUTO_FOCUS = None

    def __init__(self) -> None:
        super().__init__()
        cols = (Column("t", "Time", 8, sort=lambda r: r[0]), Column("what", "Event", 60))
        self.rows: TableRows[int, tuple[int, str]] = TableRows(cols)

    def compose(self) -> ComposeResult:
        yield VirtualTable(
            self.rows, lambda k, r: (str(r[0]), r[1]), show_header=False, tail=True, id="log"
        )


async def test_a_log_table_has_no_header_and_stays_at_its_end() -> None:
    app = LogApp()
    async with app.run_test(size=SIZE) as pilot:
        log = app.query_one(VirtualTable)
        app.rows.update((i, (i, f"event {i}")) for i in range(300))
        await pilot.pause()
        # It filled from the end; every line is a row (no header).
        assert [line.split()[0] for line in log.screen_text()] == [
            str(i) for i in range(300 - SIZE[1], 300)
        ]
        app.rows.update((i, (i, f"event {i}")) for i in range(300, 310))
        await pilot.pause()
        assert log.screen_text()[-1].split()[0] == "309"
        # Scrolled back to read: new lines do not pull the view away.
        log.scroll_to(y=100, animate=False)
        await pilot.pause()
        app.rows.update([(310, (310, "event 310")), (0, None)])
        await pilot.pause()
        assert int(log.scroll_y) == 100 and log.screen_text()[0].split()[0] == "101"


def test_a_sort_value_that_breaks_ordering_never_loses_or_mixes_up_rows() -> None:
    rows = full_rows(200)
    rows.sort_by("time")
    nan = float("nan")  # compares false with everything: bisect cannot be trusted
    rows.update((key(i), agent(i, since=nan if i % 3 == 0 else float(i))) for i in range(200))
    rows.update((key(i), agent(i, state="busy", since=nan)) for i in range(0, 200, 5))
    rows.update((key(i), None) for i in range(0, 200, 7))
    shown = list(rows)
    assert sorted(shown) == sorted(k for k in map(key, range(200)) if int(k) % 7 != 10000 % 7)
    assert all(rows.key_at(rows.index_of(k)) == k for k in shown)  # type: ignore[arg-type]


class AutoApp(TableApp):
    CSS = "VirtualTable { height: auto; max-height: 12; }"


async def test_an_auto_height_table_grows_with_its_rows_up_to_its_max() -> None:
    rows = full_rows(3)
    app = AutoApp(rows)
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(VirtualTable)
        await pilot.pause()
        assert table.size.height == 4 and not table.show_vertical_scrollbar
        rows.update((key(i), agent(i)) for i in range(3, 6))
        await pilot.pause()
        assert table.size.height == 7 and body(table) == [key(i) for i in range(6)]
        rows.update((key(i), agent(i)) for i in range(6, 40))
        await pilot.pause()
        assert table.size.height == 12 and table.show_vertical_scrollbar
