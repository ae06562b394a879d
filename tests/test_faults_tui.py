"""Faults around the TUI itself (issue 7): a truncated recording, a terminal resized
again and again, and a terminal that goes away (stdin closed, SSH hung up).
"""

from __future__ import annotations

import asyncio
import json
import os
import pty
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from fault_helpers import alert_text, screen_text, status_text
from hostile import FIXTURE
from scenario import T0, call
from ui_helpers import REPLAY, bare_app, utc
from wallboard.feed.paced import replay_feed
from wallboard.model import WallboardState
from wallboard.ui.panels import CallsTable, CountersPanel, EventLog

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(autouse=True)
def _utc() -> Iterator[None]:
    with utc():
        yield


async def _finished(app, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    async with asyncio.timeout(timeout):
        while app.state.source.status != "finished":
            await asyncio.sleep(0.01)
    app.refresh_now(tick=True)


async def test_recording_truncated_mid_line_replays_in_the_tui(tmp_path: Path) -> None:
    header = {"wallboard_recording": 1, "dialect": "v16", "source": "wss://pbx", "started": T0}
    lines = [json.dumps(header)]
    for i in range(3):
        frame = json.dumps(call("call_start", f"r{i}", T0 + i, "5550100", "101"))
        lines.append(json.dumps({"t": T0 + i, "frame": frame}))
    last = json.dumps({"t": T0 + 9, "frame": json.dumps(call("call_start", "cut", T0, "1", "2"))})
    path = tmp_path / "cut.jsonl"
    # The recorder was killed while writing: the last line stops half way, no newline.
    path.write_text("\n".join(lines) + "\n" + last[: len(last) // 2])
    app = bare_app(WallboardState(), feed=replay_feed(path, 0.0), feed_label="replay cut.jsonl")
    async with app.run_test(size=(120, 40)) as pilot:
        await _finished(app)
        await pilot.pause()
        assert "replay finished" in status_text(app)
        assert app.feed_info.error == "" and not alert_text(app)
        st = app.state
        assert set(st.calls) == {"r0", "r1", "r2"}
        assert st.invalid == 1 and st.frames == 4
        await pilot.press("4")
        await pilot.pause()
        assert set(app.query_one("#calls-table", CallsTable).shown_rows()) == {"r0", "r1", "r2"}
        await pilot.press("5")
        await pilot.pause()
        app.refresh_now(tick=True)
        await pilot.pause()
        counters = str(app.query_one("#counters", CountersPanel).render())
        assert "invalid 1" in counters
        log = "\n".join(app.query_one("#log", EventLog).lines_text())
        assert "truncated line" in log
        await pilot.press("q")
    assert app.return_code == 0


SIZES = [(80, 24), (200, 60), (40, 12), (20, 5), (1, 1), (120, 40), (81, 25), (160, 50)]


async def test_terminal_resized_again_and_again_during_a_replay() -> None:
    app = bare_app(WallboardState(), feed=replay_feed(REPLAY, 50.0), refresh_hz=10)
    async with app.run_test(size=(120, 40)) as pilot:
        for round_ in range(2):
            for page in "14" if round_ else "5":
                await pilot.press(page)
                for w, h in SIZES:
                    await pilot.resize_terminal(w, h)
                    await pilot.pause()
                    assert app.size == (w, h)
                    strips = app.screen._compositor.render_strips()
                    assert len(strips) == h, (round_, w, h)
                    assert all(s.cell_length == w for s in strips), (round_, w, h)
        await pilot.press("w")  # wall mode through a couple of sizes too
        for w, h in ((200, 60), (30, 8), (120, 40)):
            await pilot.resize_terminal(w, h)
            await pilot.pause()
        await pilot.press("w")
        await pilot.resize_terminal(120, 40)
        await _finished(app)
        await pilot.press("4")
        await pilot.pause()
        app.refresh_now(tick=True)
        await pilot.pause()
        assert app.is_running and app.feed_info.error == ""
        # The layout is still whole: status line on top, the calls page drawn.
        text = screen_text(app)
        assert text.splitlines()[0].lstrip().startswith("●")
        assert "Active calls" in text
        await pilot.press("q")
    assert app.return_code == 0


# --------------------------------------------------------------- terminal gone
def _spawn(stdin: int | None, tty: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ, TERM="xterm-256color", COLUMNS="100", LINES="30")
    env.pop("TEXTUAL", None)
    return subprocess.Popen(
        [sys.executable, "-m", "wallboard", "replay", str(FIXTURE), "--speed", "0"],
        stdin=stdin,
        stdout=tty,
        stderr=tty,
        env=env,
        start_new_session=True,  # its own session: a hang-up reaches it, not pytest
    )


def _reap(
    proc: subprocess.Popen[bytes], timeout: float, kill: bool = True
) -> tuple[int | None, float]:
    """Wait up to `timeout` s for the child; returns (exit status, CPU seconds it used).

    Still running at the deadline: killed (`kill`), or left alone and (None, 0.0).
    """
    deadline = time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            return proc.returncode, usage.ru_utime + usage.ru_stime
        if time.monotonic() >= deadline:
            break
        time.sleep(0.05)
    if kill:
        proc.kill()
        proc.wait()
    return None, 0.0


def _cpu(pid: int) -> float:
    """CPU seconds a running process used so far (Linux /proc; 0 where unavailable)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _drain(fd: int) -> None:
    """Read what the app wrote, so it never blocks on a full pty buffer."""
    import select

    while True:
        r, _, _ = select.select([fd], [], [], 0)
        if not r:
            return
        try:
            if not os.read(fd, 65536):
                return
        except OSError:
            return


@pytest.mark.skipif(sys.platform == "win32", reason="ptys are POSIX")
def test_closed_stdin_exits_cleanly_without_spinning() -> None:
    """Stdin at end of file (a pipe whose writer is gone): out within a few seconds."""
    master, slave = pty.openpty()
    r, w = os.pipe()
    os.close(w)  # stdin: a pipe already at end of file
    try:
        proc = _spawn(r, slave)
        os.close(r)
        os.close(slave)
        started = time.monotonic()
        code, cpu = None, 0.0
        while time.monotonic() - started < 20:
            _drain(master)
            code, cpu = _reap(proc, 0.2, kill=False)
            if code is not None:
                break
        wall = time.monotonic() - started
        assert code is not None, "still running 20 s after stdin closed"
        assert code == 0
        assert wall < 8, wall
        # Start-up (import + first frame) costs CPU; a spinning loop would use all of it.
        assert cpu < max(3.0, 0.6 * wall), (cpu, wall)
    finally:
        os.close(master)


@pytest.mark.skipif(sys.platform == "win32", reason="ptys are POSIX")
def test_terminal_hang_up_exits_cleanly_without_spinning() -> None:
    """The SSH session goes away: the pty's other end closes under the running app."""
    master, slave = pty.openpty()
    proc = _spawn(slave, slave)
    os.close(slave)
    try:
        # Let it start and draw (the replay finishes and it stays open on the result).
        t_end = time.monotonic() + 4
        while time.monotonic() < t_end:
            _drain(master)
            time.sleep(0.05)
        assert proc.poll() is None, "the app should still be running with a terminal"
        cpu_before = _cpu(proc.pid)
    finally:
        os.close(master)  # hang up
    started = time.monotonic()
    code, cpu_total = _reap(proc, 15)
    wall = time.monotonic() - started
    assert code is not None, "still running 15 s after the terminal went away"
    assert wall < 10, wall
    # From the hang-up to the exit it idles and cleans up; a spin would use ~all of `wall`.
    assert cpu_total - cpu_before < max(1.5, 0.5 * wall), (cpu_total, cpu_before, wall)
