"""A TV's whole configuration is its start-up URL: `/?page=queues&wall=1&theme=nord&fontsize=24`.

Nothing on a wall screen has a mouse or a keyboard, so everything a person
would choose with a key is a URL parameter instead. Bad values are dropped
(and said in `problems`), never fatal: a typo in a kiosk URL still shows the
board.

| parameter  | values                                                  | goes to                 |
|------------|---------------------------------------------------------|-------------------------|
| `page`     | 1-6 or overview, queues, agents, calls, system, history | the app: `--page NAME`  |
| `wall`     | 1/0 (also true/yes/on, false/no/off)                    | the app: `--wall`       |
| `theme`    | a theme name (`textual-dark`, `nord`, …)                | the app: `--theme NAME` |
| `bell`     | 1/0                                                     | the app: `--bell`       |
| `fontsize` | 8-96 (CSS pixels of one terminal cell's font)           | the page (xterm.js)     |
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

# The TUI's pages in its own order (wallboard.ui.app.PAGES; a test keeps the two equal).
PAGES = ("overview", "queues", "agents", "calls", "system", "history")
FONT_SIZES = range(8, 97)
DEFAULT_FONT_SIZE = 16
_THEME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


@dataclass(frozen=True, slots=True)
class Kiosk:
    """What one browser tab asked for in its URL."""

    page: str | None = None
    wall: bool = False
    theme: str | None = None
    bell: bool | None = None  # None: the server's default (`serve --bell`)
    fontsize: int = DEFAULT_FONT_SIZE
    problems: tuple[str, ...] = field(default=(), compare=False)

    def app_flags(self, *, bell_default: bool = False) -> list[str]:
        """The TUI options for this tab (the flags `wallboard view` must accept)."""
        flags: list[str] = []
        if self.page is not None:
            flags += ["--page", self.page]
        if self.wall:
            flags.append("--wall")
        if self.theme is not None:
            flags += ["--theme", self.theme]
        if self.bell if self.bell is not None else bell_default:
            flags.append("--bell")
        return flags


def _flag(value: str) -> bool | None:
    v = value.strip().lower()
    if v in _TRUE:
        return True
    if v in _FALSE:
        return False
    return None


def parse_kiosk(query: Mapping[str, str]) -> Kiosk:
    """The kiosk options of a query string (a mapping of its first values)."""
    problems: list[str] = []
    page: str | None = None
    raw_page = query.get("page")
    if raw_page is not None and raw_page != "":
        p = raw_page.strip().lower()
        if p.isdigit() and 1 <= int(p) <= len(PAGES):
            page = PAGES[int(p) - 1]
        elif p in PAGES:
            page = p
        else:
            problems.append(f"page={raw_page[:40]!r}: not 1-{len(PAGES)} or {', '.join(PAGES)}")
    wall = False
    if "wall" in query:
        w = _flag(query["wall"])
        if w is None:
            problems.append(f"wall={query['wall'][:40]!r}: not 1 or 0")
        wall = bool(w)
    theme: str | None = None
    raw_theme = query.get("theme")
    if raw_theme:
        t = raw_theme.strip().lower()
        if _THEME.match(t):
            theme = t
        else:
            problems.append(f"theme={raw_theme[:40]!r}: not a theme name")
    bell: bool | None = None
    if "bell" in query:
        bell = _flag(query["bell"])
        if bell is None:
            problems.append(f"bell={query['bell'][:40]!r}: not 1 or 0")
    fontsize = DEFAULT_FONT_SIZE
    raw_size = query.get("fontsize")
    if raw_size:
        try:
            size = int(raw_size)
        except ValueError:
            size = -1
        if size in FONT_SIZES:
            fontsize = size
        else:
            problems.append(f"fontsize={raw_size[:40]!r}: not {FONT_SIZES[0]}-{FONT_SIZES[-1]}")
    return Kiosk(page, wall, theme, bell, fontsize, tuple(problems))


__all__ = ["DEFAULT_FONT_SIZE", "PAGES", "Kiosk", "parse_kiosk"]
