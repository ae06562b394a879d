"""Make PBX-supplied strings safe to put on a terminal.

Every name, number, user agent and queue name comes from the PBX, and an
external caller chooses their own display name. Three things can go wrong if
such a string reaches the screen as-is:

- Textual parses plain ``str`` cells as markup: ``[/x]`` raises, and
  ``[@click=app.quit]`` becomes a clickable action. So data only ever reaches
  a widget wrapped in :class:`rich.text.Text` (never parsed as markup).
- ESC and other C0/C1 control characters would be written to the terminal
  (title changes, cursor moves, OSC 52 clipboard writes). They are replaced.
- Bidi overrides (U+202E …) reorder what follows them, so a name could make
  a number look like another. They are replaced too.

Lengths are bounded for display only; the model keeps the full value.
"""

from __future__ import annotations

import re
from typing import Any

from rich.control import strip_control_codes
from rich.style import Style
from rich.text import Text

# C0 controls, DEL, C1 controls; bidi embeddings/overrides/isolates and marks;
# line/paragraph separators (they break a one-line cell); BOM / zero-width no-break;
# invisible spaces and joiners that make "1<ZWSP>01" look like extension 101.
# ZWJ / ZWNJ (U+200C, U+200D) stay: emoji sequences and several scripts need them.
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u180e\u200b\u200e\u200f\u2028\u2029"
    "\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)
REPLACEMENT = "\ufffd"  # U+FFFD: visibly "something was here"
DEFAULT_LIMIT = 64


def safe_text(value: Any, limit: int | None = DEFAULT_LIMIT) -> str:
    """Return `value` as a single printable line, controls and bidi overrides replaced.

    Tabs and newlines become spaces (they are layout, not content); everything
    else unsafe becomes U+FFFD so a tampered value is visibly tampered with.
    `limit` bounds the length for display (with a trailing ellipsis).
    """
    if value is None:
        return ""
    s = value if type(value) is str else str(value)
    if _UNSAFE.search(s) is not None:
        s = s.replace("\t", " ").replace("\n", " ").replace("\r", " ")
        s = _UNSAFE.sub(REPLACEMENT, s)
    if limit is not None and len(s) > limit:
        s = s[: max(1, limit - 1)] + "…"
    return s


class Cell(Text):
    """A table cell: literal text (never markup) plus the value it sorts by.

    DataTable.sort hands the key function the cell only, so the sort value
    travels with it.
    """

    __slots__ = ("sort",)

    def __init__(self, text: str, style: str | Style = "", sort: Any = None) -> None:
        # What Text(text, style=style, no_wrap=True, overflow="ellipsis", end="")
        # does, without its strip_control_codes pass when there is nothing to
        # strip: filling a 5,000-row table builds 30,000 cells, and that pass was
        # a quarter of it. Control codes are never printable, so the slow path
        # still runs whenever one could be there.
        if not text.isprintable():
            text = strip_control_codes(text)
        self._text = [text]
        self.style = style
        self.justify = None
        self.overflow = "ellipsis"
        self.no_wrap = True
        self.end = ""
        self.tab_size = None
        self._spans = []
        self._length = len(text)
        self.sort = sort


def literal(value: Any, style: str | Style = "", limit: int | None = DEFAULT_LIMIT) -> Text:
    """Untrusted data as a Text that is shown exactly (after `safe_text`), never parsed."""
    return Text(safe_text(value, limit), style=style, end="")


__all__ = ["DEFAULT_LIMIT", "REPLACEMENT", "Cell", "literal", "safe_text"]
