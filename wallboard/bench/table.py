"""`wallboard bench table`: one big table under live updates, two ways.

A micro-benchmark to run by hand while tables move to `VirtualTable`. One
app, one table of `--rows` agents (ext, name, state, time in state, caller,
queues: what the Agents page shows) filling a `--size` screen, on the
benchmark driver (every paint rendered to escape sequences, then discarded:
`driver.py`). A timer at `--hz` changes `--updates` random agents per tick
(new state, so rows move in the State sort, and a new "since", so their
Time cell changes); once a second the durations in view advance. After
`--seconds` of that, `--idle` seconds with no updates (durations only).

Modes, each in a fresh process (``python -m wallboard.bench.table MODE
JSON``, the options as `child.py` writes them), the same seeded updates:

- ``vtable``: `TableRows.update(batch)` then `VirtualTable.reconcile()`; once
  a second `reformat()` for the rows in view.
- ``datatable``: Textual's DataTable, public API, the app's policy today:
  every changed row rebuilt and diffed, `update_cell(update_width=False)` for
  the cells that differ, re-sorted once a second (tables over 1,000 rows),
  and once a second the rows in view rebuilt for their durations (the
  app's policy before its tables moved to `VirtualTable`).

Figures: *refresh* is one timer pass (updates applied, plus the sort and
tick work when due); *paint* is one Textual screen update that painted
(layout, compositor, escape sequences); CPU is process time over wall time
during the updates, and during the idle part; bytes are what the terminal
would have received per second. The last line of stdout is one JSON object.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Any

from wallboard.bench.child import child_argv, child_options, child_role
from wallboard.bench.ui import ms_stats, peak_rss_mb
from wallboard.errors import UsageError
from wallboard.ui.fmt import AGENT_STYLE, agent_label, agent_rank, dur

MODES = ("vtable", "datatable")
DRIVER = "wallboard.bench.driver:NullTerminalDriver"
STATES = ("READY", "QUEUE_CALL", "OTHER_CALL", "WRAP_UP", "NOT_READY")
BIG_TABLE = 1000  # the app re-sorts bigger DataTables at most once a second

Rec = tuple[str, str, str, float, str, str]  # ext, name, state, since, caller, queues


@dataclass(frozen=True, slots=True)
class TableOptions:
    modes: tuple[str, ...] = MODES  # each in a fresh process, in this order
    rows: int = 5000
    updates: int = 400  # changed rows per tick
    hz: float = 5.0
    seconds: float = 6.0  # of updates
    idle: float = 4.0  # then of durations only
    width: int = 200
    height: int = 60
    seed: int = 1


def agents(n: int, seed: int, now: float) -> dict[str, Rec]:
    rng = random.Random(seed)
    out = {}
    for i in range(n):
        ext = str(1000 + i)
        out[ext] = (
            ext,
            f"Agent {rng.randrange(100_000)}",
            rng.choice(STATES),
            now - rng.uniform(0, 3000),
            f"0{rng.randrange(10**9, 10**10)}" if rng.random() < 0.4 else "",
            f"{8000 + i % 50}",
        )
    return out


def changes(rng: random.Random, recs: dict[str, Rec], n: int, now: float) -> list[tuple[str, Rec]]:
    keys = list(recs)
    out = []
    for ext in rng.sample(keys, min(n, len(keys))):
        r = recs[ext]
        state = rng.choice([s for s in STATES if s != r[2]])
        new = (r[0], r[1], state, now, r[4] if state != "READY" else "", r[5])
        recs[ext] = new
        out.append((ext, new))
    return out


# ---------------------------------------------------------------- the modes
class Table:
    """One way of showing the agents; the app drives it."""

    def widget(self) -> Any:  # pragma: no cover - interface
        raise NotImplementedError

    def fill(self) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def apply(self, batch: list[tuple[str, Rec]], now: float) -> None:  # pragma: no cover
        raise NotImplementedError

    def tick(self, now: float) -> None:  # pragma: no cover - interface
        raise NotImplementedError


def _cells(r: Rec, now: float) -> tuple[tuple[str, str], ...]:
    return (
        (r[0], "bold"),
        (r[1], ""),
        (agent_label(r[2]), AGENT_STYLE.get(r[2], "")),
        (dur(now - r[3]), ""),
        (r[4], ""),
        (r[5], "dim"),
    )


COLUMN_SPECS = (  # key, label, width
    ("ext", "Ext", 5),
    ("name", "Name", 12),
    ("state", "State", 10),
    ("time", "Time", 6),
    ("caller", "Caller", 22),
    ("queues", "Queues", 10),
)


class VTable(Table):
    def __init__(self, recs: dict[str, Rec], now: float) -> None:
        from wallboard.ui.tablerows import Column, TableRows
        from wallboard.ui.vtable import VirtualTable

        sorts = (
            lambda r: int(r[0]),
            lambda r: r[1].lower(),
            lambda r: (agent_rank(r[2]), int(r[0])),
            lambda r: -r[3],
            lambda r: r[4],
            lambda r: r[5],
        )
        cols = [
            Column(k, label, w, sort=s)
            for (k, label, w), s in zip(COLUMN_SPECS, sorts, strict=True)
        ]
        self.now = now
        self.recs = recs
        self.rows: TableRows[str, Rec] = TableRows(cols, sort="state")
        self.table = VirtualTable(self.rows, lambda k, r: _cells(r, self.now), id="t")

    def widget(self) -> Any:
        return self.table

    def fill(self) -> None:
        self.rows.update(self.recs.items())

    def apply(self, batch: list[tuple[str, Rec]], now: float) -> None:
        self.now = now
        self.rows.update(batch)
        self.table.reconcile()

    def tick(self, now: float) -> None:
        self.now = now
        self.table.reformat()


class DTable(Table):
    """DataTable driven as the app drove its tables before `VirtualTable`."""

    def __init__(self, recs: dict[str, Rec], now: float) -> None:
        from rich.text import Text
        from textual.widgets import DataTable

        from wallboard.ui.text import Cell

        self.Cell, self.Text = Cell, Text
        self.now = now
        self.shown: dict[str, tuple[tuple[str, str], ...]] = {}
        self.need_sort = False
        self.recs = recs
        self.table: Any = DataTable(id="t", cursor_type="row", zebra_stripes=True)
        self.col_keys = [spec[0] for spec in COLUMN_SPECS]

    def widget(self) -> Any:
        return self.table

    def cell(self, text: str, style: str, ext: str, j: int, rec: Rec) -> Any:
        sort = (agent_rank(rec[2]), int(ext)) if j == 2 else None
        return self.Cell(text, style, sort)

    def fill(self) -> None:
        rows = []
        for ext, r in self.recs.items():
            cells = _cells(r, self.now)
            self.shown[ext] = cells
            rows.append((ext, tuple(self.cell(t, s, ext, j, r) for j, (t, s) in enumerate(cells))))
        for key, label, width in COLUMN_SPECS:
            self.table.add_column(self.Text(label, style="bold"), width=width, key=key)
        for ext, cs in rows:
            self.table.add_row(*cs, key=ext)
        self.sort()

    def sort(self) -> None:
        self.need_sort = False
        self.table.sort("state", key=lambda cell: cell.sort)

    def _diff(self, ext: str, r: Rec) -> None:
        cells = _cells(r, self.now)
        old = self.shown[ext]
        if cells == old:
            return
        for j, (a, b) in enumerate(zip(old, cells, strict=True)):
            if a != b:
                self.table.update_cell(
                    ext, self.col_keys[j], self.cell(b[0], b[1], ext, j, r), update_width=False
                )
                if j == 2:
                    self.need_sort = True
        self.shown[ext] = cells

    def apply(self, batch: list[tuple[str, Rec]], now: float) -> None:
        self.now = now
        for ext, r in batch:
            self._diff(ext, r)
        if self.need_sort and self.table.row_count <= BIG_TABLE:
            self.sort()

    def tick(self, now: float) -> None:
        from textual.coordinate import Coordinate

        self.now = now
        table = self.table
        start = max(0, int(table.scroll_y))
        for i in range(start, min(table.row_count, start + table.size.height)):
            ext = table.coordinate_to_cell_key(Coordinate(i, 0)).row_key.value
            self._diff(ext, self.recs[ext])
        if self.need_sort:
            self.sort()


# ------------------------------------------------------------------ one run
def run_mode(opts: TableOptions, mode: str) -> dict[str, Any]:
    from textual.app import App, ComposeResult

    from wallboard.bench.driver import NullTerminalDriver
    from wallboard.ui.textual_private import hook_screen_updates

    perf = time.perf_counter
    size = (opts.width, opts.height)
    now = time.time()
    recs = agents(opts.rows, opts.seed, now)
    rng = random.Random(opts.seed + 1)
    paints: list[float] = []
    refreshes: list[float] = []
    count = {"paints": 0}

    def _painted(_screen: Any) -> None:
        count["paints"] += 1

    def _update(_screen: Any, run: Any) -> None:
        before, t0 = count["paints"], perf()
        run()
        if count["paints"] != before:
            paints.append(perf() - t0)

    hook_screen_updates(_painted, _update)

    table: Table
    table = VTable(recs, now) if mode == "vtable" else DTable(recs, now)

    class BenchApp(App[None]):
        CSS = "#t { height: 1fr; border: round $primary; }"
        AUTO_FOCUS = None  # a wall: nobody drives the table (the cursor stays on top)

        def __init__(self) -> None:
            super().__init__()
            self.updating = False
            self.last_second = int(time.time())

        def compose(self) -> ComposeResult:
            yield table.widget()

        def step(self) -> None:
            wall = time.time()
            batch = changes(rng, recs, opts.updates, wall) if self.updating else []
            t0 = perf()
            with self.batch_update():
                if batch:
                    table.apply(batch, wall)
                if int(wall) != self.last_second:
                    self.last_second = int(wall)
                    table.tick(wall)
            refreshes.append(perf() - t0)

    app = BenchApp()
    out: dict[str, Any] = {"mode": mode, "rows": opts.rows, "updates": opts.updates}

    async def drive() -> None:
        async with app.run_test(headless=False, size=size) as pilot:
            await pilot.pause()
            t0 = perf()
            table.fill()
            await pilot.pause()
            out["fill_ms"] = round((perf() - t0) * 1000, 1)
            app.set_interval(1 / opts.hz, app.step)
            await asyncio.sleep(1.0)
            for phase, seconds, updating in (
                ("storm", opts.seconds, True),
                ("idle", opts.idle, False),
            ):
                app.updating = updating
                r0, p0 = len(refreshes), len(paints)
                b0 = NullTerminalDriver.bytes_written
                c0, w0 = time.process_time(), perf()
                await asyncio.sleep(seconds)
                c1, w1 = time.process_time(), perf()
                out[phase] = {
                    "seconds": round(w1 - w0, 2),
                    "cpu_cores": round((c1 - c0) / (w1 - w0), 3),
                    "refresh_ms": ms_stats(refreshes[r0:]),
                    "paint_ms": ms_stats(paints[p0:]),
                    "bytes_per_s": round((NullTerminalDriver.bytes_written - b0) / (w1 - w0)),
                }
            app.exit()

    asyncio.run(drive())
    out["peak_rss_mb"] = round(peak_rss_mb(), 1)
    return out


def run_bench_table(opts: TableOptions) -> int:
    unknown = [m for m in opts.modes if m not in MODES]
    if unknown:
        raise UsageError(f"no such mode: {', '.join(unknown)} (modes: {', '.join(MODES)})")
    env = dict(os.environ, TEXTUAL_DRIVER=DRIVER)
    env.pop("TEXTUAL", None)
    results = []
    for mode in opts.modes:
        argv2 = child_argv("wallboard.bench.table", opts, mode)
        print(
            f"{mode}: {opts.rows} rows, {opts.updates} updates at {opts.hz:g} Hz", file=sys.stderr
        )
        res = subprocess.run(
            argv2, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True
        )
        lines = res.stdout.strip().splitlines()
        if res.returncode != 0 or not lines:
            print(res.stderr[-3000:], file=sys.stderr)
            return 1
        results.append(json.loads(lines[-1]))
    for r in results:
        s, i = r["storm"], r["idle"]
        print(
            f"{r['mode']:>9}  refresh p50/p99 {s['refresh_ms']['p50']:6.1f}/{s['refresh_ms']['p99']:6.1f} ms"
            f"  paint p50/p99 {s['paint_ms']['p50']:6.1f}/{s['paint_ms']['p99']:6.1f} ms"
            f"  cpu {s['cpu_cores']:.2f}  {s['bytes_per_s'] / 1000:7.1f} kB/s"
            f"  | idle cpu {100 * i['cpu_cores']:4.1f}%  {i['bytes_per_s'] / 1000:6.1f} kB/s"
            f"  | fill {r['fill_ms']:.0f} ms  rss {r['peak_rss_mb']:.0f} MB",
            file=sys.stderr,
        )
    print(json.dumps({"benchmark": "table", "results": results}))
    return 0


def main(argv: list[str] | None = None) -> int:
    """`python -m wallboard.bench.table MODE JSON`: one mode, in this process (internal)."""
    mode, rest = child_role(sys.argv[1:] if argv is None else argv, MODES)
    print(json.dumps(run_mode(child_options(TableOptions, rest), mode)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
