"""A real headless Chromium driven over the DevTools protocol (CDP) for the browser tests.

Why CDP and not selenium: the `websockets` package the project already depends
on is all a CDP client needs (one socket, JSON commands with ids, events), so
the tests need no extra Python package and no chromedriver whose version must
match the browser. `Runtime.evaluate` reads the xterm.js buffer of the page,
`Page.captureScreenshot` takes the picture, `Network.getCookies` shows the
HttpOnly cookie that page scripts cannot see.

Chromium runs as root here, so it needs --no-sandbox; a fresh profile per
browser keeps cookies from leaking between tests.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--mute-audio",
    "--autoplay-policy=no-user-gesture-required",
    "--remote-debugging-port=0",
    "--remote-allow-origins=*",
)


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def need_chromium() -> str:
    path = chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (.ci/run installs it)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return path


class CdpError(RuntimeError):
    pass


class Browser:
    """One Chromium process and one page (tab) in it."""

    def __init__(self, width: int = 1600, height: int = 900) -> None:
        self.width = width
        self.height = height
        self.proc: subprocess.Popen[bytes] | None = None
        self.profile = Path(tempfile.mkdtemp(prefix="wallboard-chromium-"))
        self.ws: ClientConnection | None = None
        self.session: str | None = None
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._reader: asyncio.Task[None] | None = None
        self.events: list[dict[str, Any]] = []
        self.sent: list[str] = []  # every CDP method called (a test checks no Input.* was)

    async def __aenter__(self) -> Browser:
        exe = need_chromium()
        self.proc = subprocess.Popen(
            [
                exe,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={self.profile}",
                f"--window-size={self.width},{self.height}",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        url = await asyncio.to_thread(self._devtools_url)
        self.ws = await connect(url, max_size=64 * 1024 * 1024, ping_interval=None)
        self._reader = asyncio.create_task(self._read())
        target = await self.call("Target.createTarget", {"url": "about:blank"}, session=False)
        attached = await self.call(
            "Target.attachToTarget",
            {"targetId": target["targetId"], "flatten": True},
            session=False,
        )
        self.session = attached["sessionId"]
        await self.call("Page.enable")
        await self.call("Runtime.enable")
        await self.call("Network.enable")
        await self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": self.width, "height": self.height, "deviceScaleFactor": 1, "mobile": False},
        )
        return self

    def _devtools_url(self) -> str:
        assert self.proc is not None and self.proc.stderr is not None
        deadline = time.monotonic() + 30
        seen: list[str] = []
        for raw in self.proc.stderr:
            line = raw.decode("utf-8", "replace")
            seen.append(line)
            m = re.search(r"DevTools listening on (ws://\S+)", line)
            if m:
                # Keep draining stderr so Chromium never blocks on a full pipe.
                threading_drain(self.proc.stderr)
                return m.group(1)
            if time.monotonic() > deadline:
                break
        raise CdpError("chromium did not start: " + "".join(seen[-10:]))

    async def __aexit__(self, *exc: object) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(BaseException):
                await self._reader
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await self.ws.close()
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                await asyncio.to_thread(self.proc.wait, 10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                await asyncio.to_thread(self.proc.wait, 10)
        shutil.rmtree(self.profile, ignore_errors=True)

    async def _read(self) -> None:
        assert self.ws is not None
        async for raw in self.ws:
            msg = json.loads(raw)
            fut = self._pending.pop(msg.get("id", -1), None)
            if fut is not None:
                if not fut.done():
                    fut.set_result(msg)
            elif "method" in msg:
                self.events.append(msg)

    async def call(
        self, method: str, params: dict[str, Any] | None = None, *, session: bool = True
    ) -> dict[str, Any]:
        assert self.ws is not None
        cid = next(self._ids)
        self.sent.append(method)
        msg: dict[str, Any] = {"id": cid, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = self.session
        fut: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[cid] = fut
        await self.ws.send(json.dumps(msg))
        reply = await asyncio.wait_for(fut, 30)
        if "error" in reply:
            raise CdpError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    async def goto(self, url: str) -> None:
        await self.call("Page.navigate", {"url": url})

    async def js(self, expression: str) -> Any:
        """The value of a JS expression in the page (promises awaited)."""
        res = await self.call(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
        )
        if "exceptionDetails" in res:
            raise CdpError(f"JS error: {res['exceptionDetails']}")
        return res.get("result", {}).get("value")

    async def wait_js(self, expression: str, timeout: float = 30.0, every: float = 0.2) -> Any:
        """Poll until the expression is truthy; return its value."""
        deadline = time.monotonic() + timeout
        last: Any = None
        while time.monotonic() < deadline:
            with contextlib.suppress(CdpError):
                last = await self.js(expression)
                if last:
                    return last
            await asyncio.sleep(every)
        raise AssertionError(f"timed out after {timeout}s waiting for {expression!r} ({last!r})")

    def requested_urls(self) -> list[str]:
        """Every URL the page asked for since the last `events.clear()`."""
        return [
            e["params"]["request"]["url"]
            for e in self.events
            if e.get("method") == "Network.requestWillBeSent"
        ]

    async def url(self) -> str:
        return str(await self.js("location.href"))

    async def screen_text(self) -> str:
        """The xterm.js buffer of the page's terminal (the canvas has no DOM text)."""
        return str(await self.js("window.wallboard ? window.wallboard.screenText() : ''"))

    async def screenshot(self, path: Path) -> Path:
        res = await self.call("Page.captureScreenshot", {"format": "png"})
        path.write_bytes(base64.b64decode(res["data"]))
        return path

    async def cookies(self) -> list[dict[str, Any]]:
        res = await self.call("Network.getCookies")
        return list(res.get("cookies", []))

    async def status_of(self, url: str) -> int:
        """The HTTP status of the main document after navigating to `url`."""
        self.events.clear()
        await self.goto(url)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            for ev in self.events:
                if ev.get("method") == "Network.responseReceived":
                    p = ev["params"]
                    if p.get("type") == "Document":
                        return int(p["response"]["status"])
            await asyncio.sleep(0.05)
        raise AssertionError(f"no document response for {url}")


def threading_drain(stream: Any) -> None:
    import threading

    def drain() -> None:
        with contextlib.suppress(Exception):
            for _ in stream:
                pass

    threading.Thread(target=drain, daemon=True).start()
