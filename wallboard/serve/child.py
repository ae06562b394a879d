"""The one place that decides what a browser tab runs: `child_command()`.

Every tab is its own app process (textual-serve's model: a Textual app per
connection). Its final form is a viewer of the hub,

    python -m wallboard view HUB_URL --token-env WALLBOARD_TOKEN [--page P] [--wall] [--theme T] [--bell]

so any number of TVs costs the PBX one login; with `--demo` the hub is the
one serve runs in its own process on the simulator, and a tab is the same
`view` of it. The token goes to the child only in its environment, never in
argv (which every user of the machine can read in `ps`); the hub scopes the
board by it, so a tab knows nothing of scopes.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version

from wallboard.feed.secrets import DEFAULT_PASSWORD_ENV, Secret
from wallboard.serve.kiosk import Kiosk

TOKEN_ENV = "WALLBOARD_TOKEN"
SERVE_PID_ENV = "WALLBOARD_SERVE_PID"
# The Textual driver of every tab: textual-serve's web driver plus parent-death detection.
TAB_DRIVER = "wallboard.serve.driver:TabDriver"


@dataclass(frozen=True, slots=True)
class HubTarget:
    """Tabs are viewers of this hub; `token` is serve's own, for browsers that bring none."""

    url: str
    token: Secret | None = None


@dataclass(frozen=True, slots=True)
class ChildSpec:
    argv: list[str]
    env: dict[str, str]

    def __repr__(self) -> str:  # the environment may hold a token
        return f"ChildSpec(argv={self.argv!r}, env=<{len(self.env)} variables>)"


def _textual_serve_version() -> str:
    try:
        return version("textual-serve")
    except PackageNotFoundError:  # pragma: no cover - it is a dependency
        return "0"


def _base_env(parent: Mapping[str, str], secret_vars: set[str]) -> dict[str, str]:
    """The parent's environment minus every secret a tab has no business seeing."""
    return {k: v for k, v in parent.items() if k not in secret_vars}


def child_command(
    target: HubTarget,
    kiosk: Kiosk,
    *,
    browser_token: Secret | None,
    width: int,
    height: int,
    bell_default: bool = False,
    secret_vars: frozenset[str] = frozenset(),
    parent_env: Mapping[str, str] | None = None,
) -> ChildSpec:
    """argv and environment of one tab's app process.

    `browser_token` is the token the browser showed (None on a loopback
    server without a token file); the hub scopes the board by it.
    `secret_vars` are environment variables of serve that hold secrets of
    its own (the variable its `--token-env` names) and are never inherited.
    """
    env = _base_env(
        os.environ if parent_env is None else parent_env,
        {TOKEN_ENV, DEFAULT_PASSWORD_ENV, *secret_vars},
    )
    env.update(
        {
            # textual-serve's AppService sets these for its web driver; ours adds
            # parent-death detection (wallboard/serve/driver.py).
            "TEXTUAL_DRIVER": TAB_DRIVER,
            "TEXTUAL_FPS": "30",  # the board refreshes at 5 Hz: no need for 60
            "TEXTUAL_COLOR_SYSTEM": "truecolor",
            "TERM_PROGRAM": "textual",
            "TERM_PROGRAM_VERSION": _textual_serve_version(),
            "COLUMNS": str(width),
            "ROWS": str(height),
            SERVE_PID_ENV: str(os.getpid()),
        }
    )
    token = browser_token if browser_token is not None else target.token
    if token:
        env[TOKEN_ENV] = token.reveal()
    argv = [sys.executable, "-m", "wallboard", "view", target.url, "--token-env", TOKEN_ENV]
    return ChildSpec([*argv, *kiosk.app_flags(bell_default=bell_default)], env)


__all__ = [
    "SERVE_PID_ENV",
    "TAB_DRIVER",
    "TOKEN_ENV",
    "ChildSpec",
    "HubTarget",
    "child_command",
]
