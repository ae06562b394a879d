"""`wallboard view`: the same TUI on a hub's feed (Pilot), and the kiosk options of every TUI.

The status line says it views a hub and whether the hub has the PBX; the
alert bar says what is wrong (the PBX gone with the hub's countdown, the
hub gone, a rejected token), and the board keeps the last state.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Any

import pytest

from fault_helpers import alert_text, status_text
from fault_helpers import until as app_until
from hub_helpers import TOKEN, hub_rig, write_tokens
from ui_helpers import REPLAY
from wallboard.cli.main import PAGE_NAMES, build_parser
from wallboard.cli.run_tui import view_feed
from wallboard.feed.paced import replay_feed
from wallboard.feed.secrets import Secret
from wallboard.feed.viewer import HubViewer, ViewerSettings
from wallboard.hub.tokens import TokenFile
from wallboard.model import WallboardState
from wallboard.serve.kiosk import parse_kiosk
from wallboard.ui.app import PAGES, WallboardApp
from wallboard.ui.screens.queue import QueueScreen
from wallboard.ui.screens.wall import WallScreen

pytestmark = pytest.mark.timeout(90)


def view_app(url: str, token: str | None = None, **kw: Any) -> tuple[WallboardApp, HubViewer]:
    settings = ViewerSettings(
        url, token=Secret(token) if token else None, backoff_base=0.1, backoff_max=0.5
    )
    viewer = HubViewer(settings, WallboardState())
    app = WallboardApp(
        viewer.state,
        feed=view_feed(viewer),
        feed_label=f"view {url}",
        watch_terminal=False,
        on_retry=viewer.retry_now,
        **kw,
    )
    return app, viewer


async def test_view_is_the_same_tui_on_a_hub() -> None:
    async with hub_rig("v16") as rig:
        app, viewer = view_app(rig.url)
        async with app.run_test(size=(180, 50)) as pilot:
            await app_until(app, lambda: viewer.ready.is_set(), what="viewer ready")
            rig.step(30)
            await rig.settle()
            await app_until(app, lambda: "● hub · PBX ● connected" in status_text(app))
            assert f"view {rig.url}" in status_text(app)
            for n, (name, _title) in enumerate(PAGES, 1):
                await pilot.press(str(n))
                await pilot.pause()
                assert app.page == name
            await pilot.press("2")
            await pilot.pause()
            table = app.table("#queues-table")
            await app_until(app, lambda: len(table.rows) == len(rig.state.queues))
            table.focus()
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, QueueScreen)
            await pilot.press("escape")
            await pilot.press("w")
            await pilot.pause()
            assert isinstance(app.screen, WallScreen)
            await pilot.press("w")
            # The PBX goes away: the hub's countdown, the last state kept.
            queues = len(viewer.state.queues)
            await rig.sim.stop()
            await app_until(
                app,
                lambda: "PBX DISCONNECTED (the hub is reconnecting in" in alert_text(app),
                what="PBX alert",
            )
            assert "✖" in status_text(app) and len(viewer.state.queues) == queues
            # The hub goes away: the viewer says so and keeps trying.
            await rig.hub.stop()
            await app_until(
                app, lambda: "HUB UNREACHABLE" in alert_text(app), timeout=10, what="hub alert"
            )
            assert "hub unreachable, retrying" in status_text(app)
            assert len(viewer.state.queues) == queues
            await pilot.press("q")


async def test_view_shows_a_rejected_token_and_r_tries_again(tmp_path: Path) -> None:
    tokens = TokenFile(write_tokens(tmp_path / "t.toml", [("wall", TOKEN, None)]))
    async with hub_rig("v16", tokens=tokens) as rig:
        app, _viewer = view_app(rig.url, "wbt_not-the-token")
        async with app.run_test(size=(160, 40)) as pilot:
            await app_until(app, lambda: "HUB REJECTED THIS VIEWER" in alert_text(app))
            assert "wbt_not-the-token" not in alert_text(app) + status_text(app)
            attempts = rig.hub.server.rejected
            await pilot.press("r")
            await app_until(app, lambda: rig.hub.server.rejected == attempts + 1)
            await asyncio.sleep(0.5)
            assert rig.hub.server.rejected == attempts + 1  # no retry by itself
            await pilot.press("q")


# ----------------------------------------------------------- kiosk options
def test_every_tui_command_takes_page_wall_and_theme() -> None:
    p = build_parser()
    for argv in (
        ["demo"],
        ["connect", "ws://pbx:8885"],
        ["replay", "f.jsonl"],
        ["view", "http://hub:8890"],
    ):
        args = p.parse_args([*argv, "--page", "3", "--wall", "--theme", "nord"])
        assert (args.page, args.wall, args.theme) == ("agents", True, "nord")
    with pytest.raises(SystemExit):
        p.parse_args(["view", "http://hub:8890", "--page", "9"])
    assert tuple(name for name, _ in PAGES) == PAGE_NAMES


def test_serve_tabs_run_view_with_flags_it_understands() -> None:
    """What `wallboard serve` starts for a tab parses as a `view` command line."""
    from wallboard.serve.child import HubTarget, child_command

    kiosk = parse_kiosk({"page": "queues", "wall": "1", "theme": "gruvbox", "bell": "1"})
    spec = child_command(
        HubTarget("http://hub:8890", Secret(TOKEN)),
        kiosk,
        browser_token=None,
        width=120,
        height=40,
        parent_env={},
    )
    assert TOKEN not in " ".join(spec.argv) and spec.env["WALLBOARD_TOKEN"] == TOKEN
    args = build_parser().parse_args(spec.argv[spec.argv.index("view") :])
    assert (args.url, args.token_env, args.page, args.wall, args.theme, args.bell) == (
        "http://hub:8890",
        "WALLBOARD_TOKEN",
        "queues",
        True,
        "gruvbox",
        True,
    )


async def test_a_kiosk_opens_on_its_page_mode_and_theme() -> None:
    app = WallboardApp(
        WallboardState(),
        feed=replay_feed(Path(REPLAY), 0),
        watch_terminal=False,
        start_page="agents",
        start_wall=True,
        start_theme="nord",
    )
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        await pilot.pause()
        assert app.page == "agents" and app.theme == "nord"
        assert isinstance(app.screen, WallScreen)
        await pilot.press("q")


async def test_an_unknown_theme_is_a_warning_not_an_exit() -> None:
    app = WallboardApp(
        WallboardState(), watch_terminal=False, start_theme="no-such-theme", start_page="calls"
    )
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        assert app.page == "calls" and app.theme == "textual-dark"
        notes = [str(n.message) for n in app._notifications]
        assert any("unknown theme 'no-such-theme'" in n for n in notes)
        with contextlib.suppress(Exception):
            await pilot.press("q")
