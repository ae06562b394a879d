"""argparse value types shared by the command lines (a bad value is a usage error, exit 2)."""

from __future__ import annotations

import argparse

DIALECTS = ("v12", "v16", "v22")


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 0 or value != value or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0: {text!r}")
    return value


def count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text!r}")
    return value


def size(text: str) -> tuple[int, int]:
    """`--size 200x60` → (200, 60)."""
    w, x, h = text.strip().lower().partition("x")
    if not (x and w.isdigit() and h.isdigit() and int(w) > 0 and int(h) > 0):
        raise argparse.ArgumentTypeError(f"not WIDTHxHEIGHT: {text!r}")
    return int(w), int(h)
