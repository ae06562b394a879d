"""A Textual driver for benchmarks: no terminal, but every frame is rendered.

Textual's HeadlessDriver reports `is_headless`, and then `App._display`
skips turning compositor updates into terminal escape sequences: a headless
benchmark would leave out work a real terminal session pays for on every
paint. This driver says it is *not* headless, so the app renders each update
exactly as it would for a terminal, and then discards the bytes (counting
them). Select it with ``TEXTUAL_DRIVER=wallboard.bench.driver:NullTerminalDriver``
(Textual reads that variable) for whole-process runs such as
``wallboard replay``; set ``COLUMNS`` / ``LINES`` for the screen size.
"""

from __future__ import annotations

from textual.drivers.headless_driver import HeadlessDriver


class NullTerminalDriver(HeadlessDriver):
    """HeadlessDriver that lets the app render escape sequences (then drops them)."""

    bytes_written = 0  # class-wide: the benchmark reads it after the app has gone

    @property
    def is_headless(self) -> bool:
        return False

    def write(self, data: str) -> None:
        NullTerminalDriver.bytes_written += len(data)

    def flush(self) -> None:
        return None


__all__ = ["NullTerminalDriver"]
