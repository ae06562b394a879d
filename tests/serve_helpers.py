"""`wallboard serve` as a real process on 127.0.0.1 port 0, and its tabs' app processes.

A `--demo` serve runs its hub in its own process (`demo_hub_url()` says where) and
every tab is `wallboard view` of it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp

from hub_helpers import write_tokens


class ServeProcess:
    """`python -m wallboard serve ARGS --listen 127.0.0.1:PORT`, stopped (and reaped) on exit."""

    def __init__(self, *args: str, port: int = 0, env: dict[str, str] | None = None) -> None:
        self.args = args
        self.port = port
        self.env = env
        self.proc: asyncio.subprocess.Process | None = None
        self.url = ""
        self.stderr: list[str] = []
        self._drain: asyncio.Task[None] | None = None

    async def __aenter__(self) -> ServeProcess:
        env = dict(os.environ if self.env is None else self.env)
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "wallboard",
            "serve",
            *self.args,
            "--listen",
            f"127.0.0.1:{self.port}",
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=env,
        )
        assert self.proc.stdout is not None
        line = (await asyncio.wait_for(self.proc.stdout.readline(), 60)).decode()
        if not line.startswith("wallboard serve: listening on http://"):
            err = b""
            if self.proc.stderr is not None:
                with contextlib.suppress(TimeoutError):
                    err = await asyncio.wait_for(self.proc.stderr.read(), 5)
            raise AssertionError(f"serve did not start: {line!r} {err.decode()!r}")
        self.url = line.rsplit(" ", 1)[1].strip()
        self.port = int(self.url.rsplit(":", 1)[1])
        self._drain = asyncio.create_task(self._read_stderr())
        return self

    async def _read_stderr(self) -> None:
        assert self.proc is not None and self.proc.stderr is not None
        while line := await self.proc.stderr.readline():
            self.stderr.append(line.decode("utf-8", "replace"))

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    async def stop(self, sig: int = signal.SIGTERM, timeout: float = 20.0) -> int:
        assert self.proc is not None
        if self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.send_signal(sig)
        try:
            code = await asyncio.wait_for(self.proc.wait(), timeout)
        finally:
            if self.proc.returncode is None:
                self.proc.kill()
                await self.proc.wait()
        if self._drain is not None:
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(self._drain, 5)
        return code

    async def __aexit__(self, *exc: object) -> None:
        if self.proc is not None and self.proc.returncode is None:
            await self.stop()

    def app_pids(self) -> list[int]:
        return children(self.pid)

    async def wait_app_pids(self, n: int, timeout: float = 30.0) -> list[int]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pids = [p for p in self.app_pids() if alive(p)]
            if len(pids) == n:
                return pids
            await asyncio.sleep(0.1)
        raise AssertionError(f"expected {n} app processes, have {self.app_pids()}")

    def log(self) -> str:
        return "".join(self.stderr)

    def demo_hub_url(self) -> str:
        """The in-process hub of `serve --demo`, from its start-up line on stderr."""
        for line in self.stderr:
            if ", its hub at " in line:
                return line.split(", its hub at ", 1)[1].split()[0]
        raise AssertionError(f"no demo hub line in {self.log()!r}")


def children(pid: int) -> list[int]:
    """Direct children of a process (Linux /proc)."""
    out: list[int] = []
    task_dir = Path(f"/proc/{pid}/task")
    with contextlib.suppress(FileNotFoundError, ProcessLookupError):
        for task in task_dir.iterdir():
            with contextlib.suppress(FileNotFoundError, ProcessLookupError):
                out += [int(x) for x in (task / "children").read_text().split()]
    return sorted(set(out))


def alive(pid: int) -> bool:
    """Running (a zombie nobody reaped yet counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rpartition(")")[2].split()[0] not in ("Z", "X")


def cmdline(pid: int) -> list[str]:
    with contextlib.suppress(FileNotFoundError, ProcessLookupError):
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")[:-1]
    return []


def environ(pid: int) -> dict[str, str]:
    """A process's environment (our own children: readable in /proc)."""
    raw = Path(f"/proc/{pid}/environ").read_bytes().decode("utf-8", "replace")
    return dict(kv.split("=", 1) for kv in raw.split("\0") if "=" in kv)


async def wait_gone(pids: list[int], timeout: float) -> float:
    """Seconds until every pid has exited; AssertionError after `timeout`."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if not any(alive(p) for p in pids):
            return time.monotonic() - t0
        await asyncio.sleep(0.05)
    raise AssertionError(f"still running after {timeout}s: {[p for p in pids if alive(p)]}")


class Tab:
    """A browser tab without a browser: the page's websocket, for process-level tests.

    `serve` is anything with the server's `url` (a ServeProcess, or a WallServer in the test).
    """

    def __init__(
        self,
        serve: Any,
        *,
        query: str = "",
        cols: int = 100,
        rows: int = 30,
        **headers: str,
    ) -> None:
        self.serve = serve
        self.query = query
        self.size = (cols, rows)
        self.headers = headers
        self.session: aiohttp.ClientSession | None = None
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.bytes = 0

    async def __aenter__(self) -> Tab:
        self.session = aiohttp.ClientSession()
        url = (
            self.serve.url.replace("http://", "ws://")
            + f"/ws/{self.query}?width={self.size[0]}&height={self.size[1]}"
        )
        self.ws = await self.session.ws_connect(url, headers=self.headers or None, autoping=True)
        return self

    async def read_until_bytes(self, n: int = 2000, timeout: float = 30.0) -> None:
        """Wait for the app's first screenfuls."""
        assert self.ws is not None
        deadline = time.monotonic() + timeout
        while self.bytes < n:
            msg = await asyncio.wait_for(self.ws.receive(), max(0.1, deadline - time.monotonic()))
            if msg.type == aiohttp.WSMsgType.BINARY:
                self.bytes += len(msg.data)
            elif msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
                raise AssertionError(f"closed after {self.bytes} bytes: {msg}")

    async def wait_closed(self, timeout: float) -> Any:
        """Read until the server closes the socket; return the close code."""
        assert self.ws is not None
        deadline = time.monotonic() + timeout
        while True:
            msg = await asyncio.wait_for(self.ws.receive(), max(0.1, deadline - time.monotonic()))
            if msg.type in (
                aiohttp.WSMsgType.CLOSE,
                aiohttp.WSMsgType.CLOSED,
                aiohttp.WSMsgType.CLOSING,
            ):
                return self.ws.close_code

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self.session is not None:
            await self.session.close()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


__all__ = [
    "ServeProcess",
    "Tab",
    "alive",
    "children",
    "cmdline",
    "environ",
    "wait_gone",
    "write_tokens",  # the hub's own format: serve and the demo's hub read the same file
]
