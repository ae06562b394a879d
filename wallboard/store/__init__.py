"""The day of record: SQLite (stdlib sqlite3, WAL, one writer thread), off the ingest path.

- `Store.open(path, state, config)`: restore today, attach, hook midnight;
  `await store.run()` (or `store.pump()`) about once a second; `store.close()`.
- `Reader(path)`: other days for reports and the History page.
- `default_db_path(url, identity)`, `db_path_from_options(db, no_db, default)`.
"""

from wallboard.store.paths import (
    data_dir,
    db_path_from_options,
    default_db_path,
    identity_of,
    profile_name,
)
from wallboard.store.reader import AgentDayRow, IntervalRow, QueueDayRow, QueueInfo, Reader
from wallboard.store.schema import SCHEMA_VERSION, StoreTooNew
from wallboard.store.store import Store, file_digest

__all__ = [
    "SCHEMA_VERSION",
    "AgentDayRow",
    "IntervalRow",
    "QueueDayRow",
    "QueueInfo",
    "Reader",
    "Store",
    "StoreTooNew",
    "data_dir",
    "db_path_from_options",
    "default_db_path",
    "file_digest",
    "identity_of",
    "profile_name",
]
