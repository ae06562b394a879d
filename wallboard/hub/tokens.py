"""The hub's token file: who may view, and what each viewer may see.

`wallboard hub token add NAME [--queues LIST] --tokens FILE` makes a random
token (`secrets`), prints it once and stores only its SHA-256; `list` and
`revoke` manage the rest. The hub, `wallboard serve` and every tool that
checks a token read the file through `TokenFile.verify(token)`, which
compares digests in constant time.

The format is TOML, one table per token, so an administrator can read it
and an error can name its line::

    # wallboard hub tokens: only SHA-256 digests, never a token itself.
    [[token]]
    name = "lobby-tv"
    sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
    created = 1760000000.0
    queues = ["8001", "8002"]      # optional: only these queues, their agents, their calls

The file is re-read when it changes (a `token revoke` while the hub runs
ends that token's connections); a file that is half-written or broken while
running keeps the last good table, so a TV is never locked out by a race
with the writer. At start-up a broken file is an error naming the line.
It holds no secret that opens anything, but names and scopes are nobody
else's business: it is created 0600, and a file others can read is warned
about, as password files are.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import re
import secrets
import stat
import sys
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wallboard.errors import UsageError
from wallboard.feed.secrets import Secret

_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
_QUEUE = re.compile(r"^[A-Za-z0-9*#+._-]{1,32}$")
_HEADER = re.compile(r"^\s*\[\[\s*(token|tokens)\s*\]\]\s*(#.*)?$")
TOKEN_PREFIX = "wbt_"  # greppable by secret scanners; the rest is 32 random bytes
MAX_TOKEN = 4096
HEADER = "# wallboard hub tokens: only SHA-256 digests, never a token itself.\n"


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """Who a valid token is: its name (for logs) and its scope (None = every queue)."""

    name: str
    queues: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class TokenEntry:
    info: TokenInfo
    digest: bytes
    created: float | None = None
    line: int = 0


def token_digest(token: str) -> str:
    """The SHA-256 hex of a token, as the token file stores it."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def parse_queue_list(text: str | None) -> tuple[str, ...] | None:
    """`--queues 8001,8002` → ("8001", "8002"); None without the option."""
    if text is None:
        return None
    out = tuple(dict.fromkeys(q.strip() for q in text.split(",") if q.strip()))
    if not out:
        raise UsageError("--queues: give at least one queue number (e.g. 8001,8002)")
    for q in out:
        if not _QUEUE.match(q):
            raise UsageError(f"--queues: {q[:40]!r} is not a queue number")
    return out


def check_name(name: str) -> str:
    if not _NAME.match(name):
        raise UsageError(
            f"token name {name[:70]!r}: use 1-64 letters, digits, '.', '_', '@' or '-' "
            "(starting with a letter or digit)"
        )
    return name


def _header_lines(text: str) -> list[int]:
    """The line number of each `[[token]]` header: entry n's errors name its line."""
    return [n for n, line in enumerate(text.splitlines(), 1) if _HEADER.match(line)]


def parse_token_file(text: str, source: str = "token file") -> list[TokenEntry]:
    """The entries of a token file; a bad file raises ValueError with one line naming the line."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib says "... (at line N, column M)": the line is in the message.
        raise ValueError(f"{source}: not valid TOML: {exc}") from None
    unknown = sorted(set(doc) - {"token", "tokens"})
    if unknown:
        raise ValueError(f"{source}: unknown key {unknown[0]!r} (expected [[token]] tables)")
    raw = doc.get("token", doc.get("tokens", []))
    if not isinstance(raw, list):
        raise ValueError(f"{source}: 'token' must be [[token]] tables")
    lines = _header_lines(text)
    out: list[TokenEntry] = []
    names: set[str] = set()
    for n, item in enumerate(raw):
        where = f"{source} line {lines[n]}" if n < len(lines) else f"{source} entry {n + 1}"
        if not isinstance(item, dict):
            raise ValueError(f"{where}: not a [[token]] table")
        extra = sorted(set(item) - {"name", "sha256", "queues", "created"})
        if extra:
            raise ValueError(f"{where}: unknown key {extra[0]!r}")
        name, digest, queues = item.get("name"), item.get("sha256"), item.get("queues")
        if not isinstance(name, str) or not _NAME.match(name):
            raise ValueError(f"{where}: missing or invalid name")
        if name in names:
            raise ValueError(f"{where}: a second token named {name!r}")
        names.add(name)
        if not isinstance(digest, str) or not _HEX64.match(digest):
            raise ValueError(f"{where}: token {name!r} has no valid sha256 (64 hex digits)")
        scope: tuple[str, ...] | None = None
        if queues is not None:
            if (
                not isinstance(queues, list)
                or not queues
                or not all(isinstance(q, (str, int)) and not isinstance(q, bool) for q in queues)
            ):
                raise ValueError(f"{where}: token {name!r}: queues must be a non-empty list")
            scope = tuple(str(q) for q in queues)
        created = item.get("created")
        if created is not None and (
            isinstance(created, bool) or not isinstance(created, (int, float))
        ):
            created = None
        out.append(
            TokenEntry(
                TokenInfo(name, scope),
                bytes.fromhex(digest.lower()),
                created,
                lines[n] if n < len(lines) else 0,
            )
        )
    return out


def render_token_file(entries: list[TokenEntry]) -> str:
    parts = [HEADER]
    for e in entries:
        parts.append("\n[[token]]\n")
        parts.append(f'name = "{e.info.name}"\n')
        parts.append(f'sha256 = "{e.digest.hex()}"\n')
        if e.created is not None:
            parts.append(f"created = {float(e.created)!r}\n")
        if e.info.queues is not None:
            parts.append("queues = [" + ", ".join(f'"{q}"' for q in e.info.queues) + "]\n")
    return "".join(parts)


def others_can_read(path: Path) -> bool:
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return os.name == "posix" and bool(mode & (stat.S_IRGRP | stat.S_IROTH))


def _warn(label: str, message: str) -> None:
    print(f"{label}: warning: {message}", file=sys.stderr, flush=True)


def read_entries(path: Path, *, label: str = "wallboard") -> list[TokenEntry]:
    """The entries of an existing token file; UsageError (exit 2) naming the line otherwise."""
    try:
        if path.is_dir():
            raise UsageError(f"cannot read token file {path}: it is a directory")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(
            f"cannot read token file {path}: no such file "
            f"(create one with: wallboard hub token add NAME --tokens {path})"
        ) from None
    except PermissionError:
        raise UsageError(f"cannot read token file {path}: permission denied") from None
    except UnicodeDecodeError:
        raise UsageError(f"cannot read token file {path}: not UTF-8 text") from None
    except OSError as exc:
        raise UsageError(f"cannot read token file {path}: {exc.strerror or exc}") from None
    try:
        entries = parse_token_file(text, f"token file {path}")
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if others_can_read(path):
        _warn(label, f"token file {path} is readable by other users; run: chmod 600 {path}")
    return entries


class TokenFile:
    """The token file, re-read when it changes. `verify()` is the one check of a token."""

    def __init__(self, path: str | os.PathLike[str], *, label: str = "wallboard") -> None:
        self.path = Path(path).expanduser()
        self.label = label
        self._entries: list[TokenEntry] = []
        self._stamp: tuple[int, int, int] | None = None
        self._warned: str | None = None
        self.generation = 0  # bumps on every successful re-read
        self._entries = read_entries(self.path, label=label)
        self._stamp = self._file_stamp()

    def _file_stamp(self) -> tuple[int, int, int] | None:
        try:
            st = self.path.stat()
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def refresh(self) -> bool:
        """Re-read the file if it changed; True when a new table was loaded."""
        stamp = self._file_stamp()
        if stamp == self._stamp:
            return False
        try:
            text = self.path.read_text(encoding="utf-8")
            entries = parse_token_file(text, f"token file {self.path}")
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            msg = getattr(exc, "strerror", None) or str(exc)
            if msg != self._warned:  # once per distinct problem, not per request
                self._warned = msg
                _warn(self.label, f"{msg}; keeping the tokens read before")
            return False
        self._entries = entries
        self._stamp = stamp
        self._warned = None
        self.generation += 1
        return True

    @property
    def entries(self) -> list[TokenEntry]:
        return list(self._entries)

    def lookup(self, digest: bytes) -> TokenInfo | None:
        """The entry of a digest (constant time over the table: no early exit)."""
        found: TokenInfo | None = None
        for entry in self._entries:
            if hmac.compare_digest(entry.digest, digest):
                found = entry.info
        return found

    def verify(self, token: str | Secret | None) -> TokenInfo | None:
        """The token's name and scope, or None when it is not in the file."""
        digest = digest_of(token)
        if digest is None:
            return None
        self.refresh()
        return self.lookup(digest)


def digest_of(token: str | Secret | None) -> bytes | None:
    """SHA-256 of a presented token, or None for nothing / something that cannot be one."""
    if token is None:
        return None
    value = token.reveal() if isinstance(token, Secret) else token
    if not value or len(value) > MAX_TOKEN:
        return None
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).digest()


# ------------------------------------------------------------ the commands
@contextlib.contextmanager
def _locked(path: Path) -> Any:
    """One writer at a time (two admins adding tokens at once must not lose one).

    The lock is on the file's directory: the file itself is replaced on each
    write, so a lock on it would guard nothing, and no lock file is left behind.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    try:
        fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _write(path: Path, entries: list[TokenEntry]) -> None:
    """Atomically: a reader sees the old file or the new one, never half of one."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    data = render_token_file(entries).encode()
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def add_token(
    path: str | os.PathLike[str],
    name: str,
    queues: tuple[str, ...] | None,
    *,
    clock: Callable[[], float] = time.time,
) -> str:
    """A new token for NAME (the file is created if missing); returns the token itself."""
    p = Path(path).expanduser()
    check_name(name)
    if p.parent and not p.parent.exists():
        raise UsageError(f"cannot write token file {p}: no such directory {p.parent}")
    with _locked(p):
        entries = read_entries(p) if p.exists() else []
        if any(e.info.name == name for e in entries):
            raise UsageError(f"a token named {name!r} exists in {p}; revoke it first")
        token = new_token()
        entries.append(
            TokenEntry(
                TokenInfo(name, queues), bytes.fromhex(token_digest(token)), round(clock(), 3)
            )
        )
        try:
            _write(p, entries)
        except OSError as exc:
            raise UsageError(f"cannot write token file {p}: {exc.strerror or exc}") from None
    return token


def revoke_token(path: str | os.PathLike[str], name: str) -> None:
    p = Path(path).expanduser()
    with _locked(p):
        entries = read_entries(p)
        kept = [e for e in entries if e.info.name != name]
        if len(kept) == len(entries):
            raise UsageError(f"no token named {name!r} in {p}")
        try:
            _write(p, kept)
        except OSError as exc:
            raise UsageError(f"cannot write token file {p}: {exc.strerror or exc}") from None


def list_tokens(path: str | os.PathLike[str]) -> list[TokenEntry]:
    return read_entries(Path(path).expanduser())


__all__ = [
    "TOKEN_PREFIX",
    "TokenEntry",
    "TokenFile",
    "TokenInfo",
    "add_token",
    "check_name",
    "digest_of",
    "list_tokens",
    "new_token",
    "parse_queue_list",
    "parse_token_file",
    "read_entries",
    "render_token_file",
    "revoke_token",
    "token_digest",
]
