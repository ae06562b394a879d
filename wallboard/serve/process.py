"""One browser tab's app process: textual-serve's AppService, started and stopped for sure.

textual-serve's AppService speaks the packet protocol with the web driver
(D data / M meta / P packed, the downloads) and that is reused as it is.
What changes:

* the child is exec'd from `child_command()`'s argv and environment, not a
  shell command line (no shell between us and the app, nothing to quote, and
  the token stays out of argv);
* it runs in a process group of its own, so a stop reaches everything it
  started;
* `stop()` is bounded: the polite "quit" packet, then SIGTERM to the group,
  then SIGKILL (textual-serve waits for the app forever);
* when the app exits or dies by itself, the browser's socket is closed, so
  the page reconnects and gets a fresh app (textual-serve leaves the page on
  a dead terminal).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from collections.abc import Awaitable, Callable
from typing import Any

from textual_serve.app_service import AppService
from textual_serve.download_manager import DownloadManager

from wallboard.serve.child import ChildSpec

log = logging.getLogger("wallboard.serve")

QUIT_GRACE = 3.0  # seconds for the app to leave after the "quit" packet
TERM_GRACE = 2.0  # then after SIGTERM, before SIGKILL
STDERR_KEEP = 4096  # bytes of the child's stderr kept for the log line when it fails


class TabProcess(AppService):
    """An AppService whose process is exec'd in its own group and always reaped."""

    def __init__(
        self,
        spec: ChildSpec,
        *,
        write_bytes: Callable[[bytes], Awaitable[Any]],
        write_str: Callable[[str], Awaitable[Any]],
        close: Callable[[], Awaitable[Any]],
        download_manager: DownloadManager,
        label: str = "tab",
    ) -> None:
        super().__init__(
            " ".join(spec.argv[:4]),  # only for textual-serve's own messages; never run
            write_bytes=write_bytes,
            write_str=write_str,
            close=close,
            download_manager=download_manager,
        )
        self.spec = spec
        self.label = label
        self.pid: int | None = None
        self._stopped = False

    async def _open_app_process(self, width: int = 80, height: int = 24) -> Any:
        env = dict(self.spec.env)
        env["COLUMNS"], env["ROWS"] = str(width), str(height)
        self._process = process = await asyncio.create_subprocess_exec(
            *self.spec.argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=env,
            start_new_session=True,
        )
        self.pid = process.pid
        assert process.stdin is not None
        self._stdin = process.stdin
        return process

    async def run(self) -> None:
        """Relay until the app's output ends, then make the page reconnect."""
        process = self._process
        assert process is not None
        # textual-serve copies the child's stderr to our stdout when the app
        # ends; keep it to ourselves and log only a failing app's last line.
        real_stderr = process.stderr
        tail = _Tail(STDERR_KEEP)

        async def keep_stderr() -> None:
            assert real_stderr is not None
            while chunk := await real_stderr.read(4096):
                tail.write(chunk)

        stderr_task = asyncio.create_task(keep_stderr())
        process.stderr = _EmptyReader()  # type: ignore[assignment]
        try:
            await super().run()
        finally:
            code = await _wait(process, QUIT_GRACE)
            stderr_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await stderr_task
            if code not in (None, 0, -signal.SIGTERM, -signal.SIGKILL):
                last = tail.last_line()
                log.warning("%s: app exited with status %s%s", self.label, code, last)
            with contextlib.suppress(Exception):
                await self.remote_close()

    async def stop(self) -> None:
        """Quit packet, SIGTERM, SIGKILL: the process is gone when this returns."""
        if self._stopped:
            return  # once: a reaped pid (and so its group id) may belong to someone else later
        process = self._process
        task = self._task
        self._task = None
        if task is not None:
            await self._download_manager.cancel_app_downloads(app_service_id=self.app_service_id)
            if process is not None and process.returncode is None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(self.send_meta({"type": "quit"}), 1.0)
            with contextlib.suppress(BaseException):
                await asyncio.wait_for(asyncio.shield(task), QUIT_GRACE)
        if process is None:
            return
        if process.returncode is None and await _wait(process, 0.1) is None:
            _kill_group(process.pid, signal.SIGTERM)
            if await _wait(process, TERM_GRACE) is None:
                _kill_group(process.pid, signal.SIGKILL)
                await _wait(process, 5.0)
        # Whatever the app started in its group goes with it.
        _kill_group(process.pid, signal.SIGKILL)
        self._stopped = True
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(BaseException):
                await task


def _kill_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


async def _wait(process: Any, timeout: float) -> int | None:
    try:
        return await asyncio.wait_for(process.wait(), timeout)
    except TimeoutError:
        return None


class _EmptyReader:
    """Stands in for the child's stderr inside AppService.run (we read it ourselves)."""

    async def read(self, n: int = -1) -> bytes:
        return b""


class _Tail:
    def __init__(self, keep: int) -> None:
        self.keep = keep
        self.data = b""

    def write(self, chunk: bytes) -> None:
        self.data = (self.data + chunk)[-self.keep :]

    def last_line(self) -> str:
        lines = [ln for ln in self.data.decode("utf-8", "replace").splitlines() if ln.strip()]
        return f": {lines[-1][:300]}" if lines else ""


__all__ = ["QUIT_GRACE", "TERM_GRACE", "TabProcess"]
