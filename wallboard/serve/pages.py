"""The HTML `wallboard serve` answers with: the kiosk page and the plain pages around it.

The kiosk page loads only what serve itself serves: textual-serve's xterm.js
bundle and stylesheet, the Roboto Mono font files textual-serve ships (its
own page fetches the font from the internet, which a wall box on a closed
LAN cannot reach), and our page script and stylesheet. A Content-Security-
Policy of 'self' makes sure nothing else is ever fetched.
"""

from __future__ import annotations

from html import escape

FONT_FILE = "RobotoMono-VariableFont_wght.ttf"

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
# xterm.js and textual.js inject <style> elements: 'unsafe-inline' for styles only.


def kiosk_page(*, font_size: int, ts_static: str, wb_static: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>wallboard</title>
<link rel="preload" href="{ts_static}fonts/{FONT_FILE}" as="font" type="font/ttf" crossorigin>
<link rel="stylesheet" href="{ts_static}css/xterm.css">
<link rel="stylesheet" href="{wb_static}page.css">
<script src="{wb_static}page.js"></script>
<script src="{ts_static}js/textual.js"></script>
</head>
<body>
<div id="terminal" class="textual-terminal" data-session-websocket-url="" data-font-size="{font_size}"></div>
<div id="wb-status" class="wb-status" role="status">connecting…</div>
</body>
</html>
"""


def _plain(title: str, body: str, *, refresh: int | None = None) -> str:
    meta = f'<meta http-equiv="refresh" content="{refresh}">' if refresh else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">{meta}<title>{escape(title)}</title>
<style>body{{background:#0c181f;color:#e8eef2;font:24px/1.4 sans-serif;margin:10vh 10vw}}
h1{{font-size:40px}}</style></head>
<body><h1>{escape(title)}</h1>{body}</body></html>
"""


def unauthorized_page() -> str:
    return _plain(
        "401 Unauthorized",
        "<p>This screen needs a wallboard token. Open the kiosk URL with "
        "<code>?token=…</code> once; the browser keeps it after that.</p>",
    )


def full_page(max_tabs: int) -> str:
    return _plain(
        "Too many screens",
        f"<p>This wallboard server already shows {max_tabs} screens, its limit "
        "(<code>wallboard serve --max-tabs</code>). This page tries again every 30 seconds.</p>",
        refresh=30,
    )


__all__ = ["CSP", "FONT_FILE", "full_page", "kiosk_page", "unauthorized_page"]
