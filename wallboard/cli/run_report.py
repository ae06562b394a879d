"""`wallboard report`: the store's intervals, agents, calls and abandoned callers (no PBX).

It opens the store read-only, so it runs while a wallboard writes to it.
"""

from __future__ import annotations

import datetime as _dt
import sys
import time
from pathlib import Path

from wallboard.cli.options import ReportOptions
from wallboard.config import Config, load_config
from wallboard.errors import UsageError
from wallboard.model.calendar import Calendar, parse_timezone
from wallboard.store import Reader, data_dir, default_db_path, identity_of
from wallboard.store.paths import SUFFIX
from wallboard.store.report import rows_for, to_csv, to_json, to_table
from wallboard.ui.text import safe_text


def _date(text: str, flag: str) -> str:
    try:
        return _dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise UsageError(f"{flag}: expected a date YYYY-MM-DD, got {text!r}") from None


def find_store(db: str | None, config: Config) -> Path:
    """--db, else the config's PBX profile, else the only store in the data directory."""
    if db:
        return Path(db).expanduser()
    if config.url and (config.user or config.extension):
        return default_db_path(
            config.url, identity_of(config.user, config.extension, config.domain)
        )
    where = data_dir()
    found = sorted(where.glob(f"*{SUFFIX}")) if where.is_dir() else []
    if len(found) == 1:
        return found[0]
    if not found:
        raise UsageError(f"no store in {where}: give --db PATH")
    names = ", ".join(p.name for p in found[:5]) + (" …" if len(found) > 5 else "")
    raise UsageError(f"several stores in {where} ({names}): choose one with --db PATH")


def run_report(opts: ReportOptions) -> int:
    config = load_config(opts.config)
    path = find_store(opts.db, config)
    with Reader(path) as reader:
        tz_name = config.timezone or reader.meta().get("timezone") or ""
        try:
            tz = parse_timezone(tz_name) if tz_name else None
        except ValueError as exc:
            raise UsageError(f"the store's time zone: {exc}") from None
        cal = Calendar(tz=tz, interval_minutes=config.interval_minutes)
        if opts.date and (opts.date_from or opts.date_to):
            raise UsageError("give --date, or --from and --to, not both")
        today = cal.day(time.time())
        if opts.date_from or opts.date_to:
            if not opts.date_from:
                raise UsageError("--to needs --from")
            first = _date(opts.date_from, "--from")
            last = _date(opts.date_to, "--to") if opts.date_to else today
            if last < first:
                raise UsageError(f"--to {last} is before --from {first}")
        else:
            first = last = _date(opts.date, "--date") if opts.date else today
        queues = [q for q in (opts.queues or "").split(",") if q.strip()] or None
        if queues:
            queues = [q.strip() for q in queues]
        columns, rows = rows_for(opts.kind, reader, first, last, queues, config.targets(), cal)
    fmt = opts.format or ("table" if sys.stdout.isatty() else "csv")
    if fmt == "json":
        text = to_json(columns, rows)
    elif fmt == "csv":
        text = to_csv(columns, rows)
    else:
        text = to_table(columns, rows, clean=lambda s: safe_text(s, 40))
    sys.stdout.write(text)
    sys.stdout.flush()
    return 0


__all__ = ["find_store", "run_report"]
