"""Which browser tokens `wallboard serve` accepts, checked against the hub's token file.

The hub owns the token file (`wallboard hub token add NAME [--queues LIST]`
stores only each token's SHA-256). Until the hub's own module exists, this
reads the format assumed for it, either

* TOML: ``[[token]]`` tables with ``name``, ``sha256`` and an optional ``queues`` list, or
* JSON Lines: one ``{"name": …, "sha256": …, "queues": [...]}`` object per line,

and everything else in serve goes through `TokenFile.verify(token) -> TokenInfo | None`,
the one function to swap for the hub's verifier.

The file is read again when it changes (a `token add` or `revoke` while serve
runs takes effect at the next request); a file that is half-written or broken
keeps the last good table, so a TV is never locked out by a race with the
writer.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wallboard.errors import UsageError
from wallboard.feed.secrets import Secret

_HEX64 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """Who a valid token is: its name (for logs) and its scope (None = every queue)."""

    name: str
    queues: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class _Entry:
    info: TokenInfo
    digest: bytes


def token_digest(token: str) -> str:
    """The SHA-256 hex of a token, as the token file stores it."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def parse_token_file(text: str, source: str = "token file") -> list[_Entry]:
    """Entries of a token file (TOML or JSON Lines); a bad file raises ValueError with one line."""
    stripped = text.lstrip()
    raw: list[Any]
    if stripped.startswith("{"):
        raw = []
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                raw.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ValueError(f"{source} line {n}: not JSON ({exc.msg})") from None
    else:
        try:
            doc = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{source}: not TOML or JSON Lines ({exc})") from None
        tokens = doc.get("token", doc.get("tokens", []))
        if not isinstance(tokens, list):
            raise ValueError(f"{source}: 'token' must be an array of tables")
        raw = tokens
    out: list[_Entry] = []
    for n, item in enumerate(raw, 1):
        if not isinstance(item, dict):
            raise ValueError(f"{source}: entry {n} is not a table/object")
        name, digest, queues = item.get("name"), item.get("sha256"), item.get("queues")
        if not isinstance(name, str) or not name:
            raise ValueError(f"{source}: entry {n} has no name")
        if not isinstance(digest, str) or not _HEX64.match(digest.lower()):
            raise ValueError(f"{source}: entry {name!r} has no valid sha256")
        scope: tuple[str, ...] | None = None
        if queues is not None:
            if not isinstance(queues, list) or not all(isinstance(q, (str, int)) for q in queues):
                raise ValueError(f"{source}: entry {name!r}: queues must be a list")
            scope = tuple(str(q) for q in queues)
        out.append(_Entry(TokenInfo(name, scope), bytes.fromhex(digest.lower())))
    return out


class TokenFile:
    """The hub's token file, re-read when it changes."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path).expanduser()
        self._entries: list[_Entry] = []
        self._stamp: tuple[int, int] | None = None
        self._warned: str | None = None
        try:
            self._load()
        except OSError as exc:
            raise UsageError(f"cannot read token file {path}: {exc.strerror or exc}") from None
        except ValueError as exc:
            raise UsageError(str(exc)) from None

    def _load(self) -> None:
        st = self.path.stat()
        stamp = (st.st_mtime_ns, st.st_size)
        if stamp == self._stamp:
            return
        text = self.path.read_text(encoding="utf-8")
        self._entries = parse_token_file(text, f"token file {self.path}")
        self._stamp = stamp
        self._warned = None

    def _refresh(self) -> None:
        try:
            self._load()
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            msg = str(exc)
            if msg != self._warned:  # once per distinct problem, not per request
                self._warned = msg
                print(
                    f"wallboard serve: warning: {msg}; keeping the tokens read before",
                    file=sys.stderr,
                    flush=True,
                )

    def verify(self, token: str | Secret | None) -> TokenInfo | None:
        """The token's name and scope, or None when it is not in the file."""
        if token is None:
            return None
        value = token.reveal() if isinstance(token, Secret) else token
        if not value or len(value) > 4096:
            return None
        self._refresh()
        digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).digest()
        found: TokenInfo | None = None
        for entry in self._entries:  # no early exit: the time does not tell which one matched
            if hmac.compare_digest(entry.digest, digest):
                found = entry.info
        return found


__all__ = ["TokenFile", "TokenInfo", "parse_token_file", "token_digest"]
