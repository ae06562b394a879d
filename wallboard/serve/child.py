"""The one place that decides what a browser tab runs: `child_command()`.

Every tab is its own app process (textual-serve's model: a Textual app per
connection). Its final form is a viewer of the hub,

    python -m wallboard view HUB_URL --token-env WALLBOARD_TOKEN [--page P] [--wall] [--theme T] [--bell]

so any number of TVs costs the PBX one login. The token goes to the child
only in its environment, never in argv (which every user of the machine can
read in `ps`). Until `--demo` starts a hub fed by the simulator in-process,
a demo tab runs the stand-in `python -m wallboard.serve.standin` (the demo
with the same kiosk flags, scoped like the hub would scope the token).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version

from wallboard.feed.secrets import DEFAULT_PASSWORD_ENV, Secret
from wallboard.serve.kiosk import Kiosk
from wallboard.serve.tokens import TokenInfo

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
class DemoTarget:
    """Stand-in for the in-process demo hub: each tab runs the demo itself."""

    seed: int = 1


Target = HubTarget | DemoTarget


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
    target: Target,
    kiosk: Kiosk,
    *,
    browser_token: Secret | None,
    scope: TokenInfo | None,
    width: int,
    height: int,
    bell_default: bool = False,
    secret_vars: frozenset[str] = frozenset(),
    parent_env: Mapping[str, str] | None = None,
) -> ChildSpec:
    """argv and environment of one tab's app process.

    `browser_token` is the token the browser showed (None on a loopback
    server without a token file); the hub scopes the board by it. `scope` is
    that token's entry, used only by the demo stand-in to scope like the hub.
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
    flags = kiosk.app_flags(bell_default=bell_default)
    if isinstance(target, HubTarget):
        token = browser_token if browser_token is not None else target.token
        if token:
            env[TOKEN_ENV] = token.reveal()
        argv = [sys.executable, "-m", "wallboard", "view", target.url]
        argv += ["--token-env", TOKEN_ENV, *flags]
        return ChildSpec(argv, env)
    argv = [sys.executable, "-m", "wallboard.serve.standin", "--seed", str(target.seed), *flags]
    if scope is not None and scope.queues is not None:
        argv += ["--queues", ",".join(scope.queues)]
    return ChildSpec(argv, env)


__all__ = [
    "SERVE_PID_ENV",
    "TAB_DRIVER",
    "TOKEN_ENV",
    "ChildSpec",
    "DemoTarget",
    "HubTarget",
    "Target",
    "child_command",
]
