"""A running hub: the one PBX connection, its model, the store, the server for viewers.

`Hub(settings, state, config)` wires the live client (everything
`wallboard connect` does: auth, subscribe, reconnect with backoff, TLS,
stale marking) to a journaling model (`HubState`) and the server. The
clock ticks once a second (durations, intervals, midnight) and every tick
reaches the viewers too. The store, when there is one, is opened on the
same model by the command runner (`cli/run_hub.py`, the store seam) before
`start()`, so today's totals are in the model before the first viewer.

Embeddable (tests, `wallboard bench hub`, a future `serve --demo`):

    hub = Hub(settings, hub_state(config), HubConfig(port=0))
    url = await hub.start()
    ...
    await hub.stop()
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path

from wallboard.errors import WallboardError
from wallboard.feed.client import LiveClient, LiveSettings
from wallboard.feed.hubwire import settings_payload
from wallboard.feed.live import names_task
from wallboard.hub.journal import HubState
from wallboard.hub.server import HubConfig, HubServer

log = logging.getLogger("wallboard.hub")
AUTH_RETRY = 300.0  # seconds: a hub whose login was rejected tries again this rarely


def local_zone_name() -> str | None:
    """The machine's IANA time zone name, so viewers elsewhere count the same days."""
    tz = os.environ.get("TZ", "").lstrip(":")
    if tz and "/" in tz and not tz.startswith("/"):
        return tz
    with contextlib.suppress(OSError):
        target = os.readlink("/etc/localtime")
        if "zoneinfo/" in target:
            return target.split("zoneinfo/", 1)[1]
    with contextlib.suppress(OSError):
        name = Path("/etc/timezone").read_text().strip()
        if name:
            return name
    return None


class Hub:
    def __init__(
        self,
        settings: LiveSettings,
        state: HubState,
        config: HubConfig,
        *,
        timezone: str | None = None,
        on_status: Callable[[str], None] | None = None,
    ) -> None:
        self.settings = settings
        self.state = state
        self.config = config
        zone = timezone if timezone is not None else local_zone_name()
        self.server = HubServer(
            state,
            config,
            settings=settings_payload(state.targets, state.calendar, zone),
            extra_metrics=self._extra_metrics,
        )
        # Names from the PBX's REST API (v22), as `connect` has them; viewers get
        # them from the model (the journal sends names when they change).
        self.names = names_task(settings, state)
        self.client = LiveClient(
            settings,
            state,
            on_change=self._changed,
            on_frame=state.stash,
            on_status=on_status,
            on_event=self.names.watch if self.names is not None else None,
        )
        self._tasks: list[asyncio.Task[None]] = []
        self._retry: asyncio.TimerHandle | None = None
        self.failed = asyncio.Event()  # the PBX refused us before any session: give up

    def _changed(self) -> None:
        """After every frame and status change (the live client's hook): cheap."""
        self.server.fanout.poke()
        c = self.client
        if c.failure is not None and self._retry is None and not self.failed.is_set():
            if c.sessions == 0:
                self.failed.set()  # never got in: the command exits with that status
            else:
                # It worked before (a password changed on the PBX?): keep serving the
                # last state, marked, and knock again now and then, never hammering.
                loop = asyncio.get_running_loop()
                self._retry = loop.call_later(AUTH_RETRY, self._retry_login)

    def _retry_login(self) -> None:
        self._retry = None
        self.client.retry_now()

    def _extra_metrics(self) -> dict[str, float]:
        f = self.server.fanout
        return {
            "wallboard_hub_viewers": float(f.count),
            "wallboard_hub_viewers_joining": float(len(f.joining)),
            "wallboard_hub_viewers_dropped_slow": float(f.stats.dropped_slow),
            "wallboard_hub_checkpoint_seconds_max": f.stats.checkpoint_ms_max / 1000.0,
        }

    async def start(self) -> str:
        """Listen, then connect to the PBX; returns the hub's URL."""
        self.state.tick()  # the day begins (a store loads it) before anyone is served
        url = await self.server.start()
        if self.names is not None:
            self.names.start()
        self._tasks = [
            asyncio.create_task(self._run_client(), name="hub-pbx"),
            asyncio.create_task(self._tick(), name="hub-clock"),
        ]
        return url

    async def _run_client(self) -> None:
        try:
            await self.client.run(wait_on_fatal=True)
        finally:
            self.client.stop()

    async def _tick(self) -> None:
        """Once a second, on the second: durations, intervals, midnight, for hub and viewers."""
        while True:
            now = time.time()
            await asyncio.sleep(1.0 - now % 1.0 + 0.001)
            self.state.tick()
            self.server.fanout.poke()

    @property
    def failure(self) -> WallboardError | None:
        return self.client.failure

    async def stop(self) -> None:
        if self._retry is not None:
            self._retry.cancel()
            self._retry = None
        self.client.stop()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks = []
        if self.names is not None:
            with contextlib.suppress(Exception):
                await self.names.stop()
        await self.server.stop()


__all__ = ["Hub", "local_zone_name"]
