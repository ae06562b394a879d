"""Names the call center gives itself: `--names FILE` (CSV) and the config's `[names]`.

Every dialect can show names this way (v12 and v16 have no REST API to ask),
and these names win over the PBX's. The file is `number,name` per line, UTF-8
(a BOM is fine), with an optional header line, `#` comments and blank lines.
A bad line is reported with its line number and skipped; only a file that
cannot be read at all is a usage error (exit 2, at start-up). Which names are
refused is the REST names' rule (`restdata.BAD_CHARS`). No Textual, no
websockets, no httpx here: `wallboard.config` may import it.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wallboard.errors import UsageError
from wallboard.feed.restdata import BAD_CHARS, MAX_NAME

MAX_FILE = 16 * 1024 * 1024
MAX_ENTRIES = 100_000
# A number as a PBX writes one: digits, maybe a leading +, and * or # for feature codes.
_NUMBER = re.compile(r"\+?[0-9*#]{1,64}")


@dataclass(slots=True)
class NamesFile:
    """number -> name, and one line per problem ("FILE:LINE: why")."""

    names: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def _check_name(raw: str) -> tuple[str | None, str | None]:
    """(name, None) or (None, why it is refused)."""
    name = raw.strip()
    if not name:
        return None, "empty name"
    if BAD_CHARS.search(name):
        return None, "the name contains control characters"
    if len(name) > MAX_NAME:
        return None, f"the name is longer than {MAX_NAME} characters"
    return name, None


def parse_names_csv(text: str, source: str = "names") -> NamesFile:
    """Parse the CSV text of a names file; never raises for bad content."""
    out = NamesFile()
    first_line: dict[str, int] = {}
    reader = csv.reader(io.StringIO(text, newline=""))
    data_rows = 0
    try:
        for row in reader:
            line = reader.line_num
            cells = [c.strip() for c in row]
            if not cells or not any(cells):
                continue
            if cells[0].startswith("#") and not _NUMBER.fullmatch(cells[0]):
                continue  # a comment
            if data_rows == 0 and not _NUMBER.fullmatch(cells[0]):
                data_rows += 1
                continue  # the optional header ("number,name", "Extension,Display name", ...)
            data_rows += 1
            where = f"{source}:{line}"
            if len(cells) != 2:
                out.problems.append(
                    f"{where}: expected 2 columns (number,name), got {len(cells)}"
                    + (" (quote a name that contains a comma)" if len(cells) > 2 else "")
                )
                continue
            number, raw_name = cells
            if not _NUMBER.fullmatch(number):
                out.problems.append(f"{where}: {number[:30]!r} is not a phone or extension number")
                continue
            name, why = _check_name(raw_name)
            if name is None:
                out.problems.append(f"{where}: {why}")
                continue
            if number in first_line:
                out.problems.append(
                    f"{where}: number {number} again (first on line {first_line[number]}); "
                    "the later name wins"
                )
            elif len(out.names) >= MAX_ENTRIES:
                out.problems.append(f"{where}: more than {MAX_ENTRIES} names; the rest is ignored")
                break
            first_line.setdefault(number, line)
            out.names[number] = name
    except csv.Error as exc:
        out.problems.append(
            f"{source}:{reader.line_num}: not valid CSV ({exc}); the rest is ignored"
        )
    return out


def load_names_file(path: str | os.PathLike[str]) -> NamesFile:
    """Read `--names FILE`; an unreadable file is a UsageError (one line, exit 2)."""
    p = Path(path).expanduser()
    label = str(path)
    try:
        if p.is_dir():
            raise UsageError(f"cannot read names file {label}: it is a directory")
        with p.open("rb") as f:
            raw = f.read(MAX_FILE + 1)
    except FileNotFoundError:
        raise UsageError(f"cannot read names file {label}: no such file") from None
    except PermissionError:
        raise UsageError(f"cannot read names file {label}: permission denied") from None
    except OSError as exc:
        raise UsageError(f"cannot read names file {label}: {exc.strerror or exc}") from None
    if len(raw) > MAX_FILE:
        raise UsageError(f"names file {label} is larger than {MAX_FILE // (1024 * 1024)} MiB")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise UsageError(f"names file {label}: not UTF-8 text (line {line})") from None
    return parse_names_csv(text, label)


def parse_names_table(value: Any, where: str = "names") -> dict[str, str]:
    """The config's `[names]` table (`"101" = "Anna Adams"`); ValueError names the bad key.

    For `wallboard.config`: it wraps the ValueError in its own "bad config
    file" UsageError, so a mistake stops the start with one line.
    """
    if not isinstance(value, Mapping):
        raise ValueError(f'{where}: expected a table of number = "name"')
    out: dict[str, str] = {}
    for key, raw in value.items():
        number = str(key).strip()
        if not _NUMBER.fullmatch(number):
            raise ValueError(f"{where}.{str(key)[:30]}: not a phone or extension number")
        if not isinstance(raw, str):
            raise ValueError(f"{where}.{number}: expected a string, got {type(raw).__name__}")
        name, why = _check_name(raw)
        if name is None:
            raise ValueError(f"{where}.{number}: {why}")
        out[number] = name
    if len(out) > MAX_ENTRIES:
        raise ValueError(f"{where}: more than {MAX_ENTRIES} names")
    return out


def load_overrides(
    config_names: Mapping[str, str] | None,
    path: str | os.PathLike[str] | None,
    warn: Callable[[str], None],
    *,
    max_warnings: int = 10,
) -> dict[str, str]:
    """The names that win over the PBX: the config's `[names]`, then `--names FILE`.

    Bad lines of the file are warned about (at most `max_warnings` lines, then
    a count); an unreadable file raises UsageError. For `connect`, `hub`,
    `snapshot` and `replay` at start-up, before the TUI takes the terminal.
    """
    names = dict(config_names or {})
    if path is None:
        return names
    loaded = load_names_file(path)
    for problem in loaded.problems[:max_warnings]:
        warn(problem)
    extra = len(loaded.problems) - max_warnings
    if extra > 0:
        warn(f"{path}: {extra} more bad line(s) not shown")
    return merge_names(names, loaded.names)


def merge_names(*sources: Mapping[str, str]) -> dict[str, str]:
    """Later sources win: `merge_names(config_table, names_file)` lets the file win."""
    merged: dict[str, str] = {}
    for source in sources:
        merged.update(source)
    return merged


__all__ = [
    "NamesFile",
    "load_names_file",
    "load_overrides",
    "merge_names",
    "parse_names_csv",
    "parse_names_table",
]
