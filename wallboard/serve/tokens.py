"""Which browser tokens `wallboard serve` accepts: the hub's own token file and verifier.

The hub owns the token file (`wallboard hub token add NAME [--queues LIST]`
stores only each token's SHA-256; the format is documented in
`wallboard.hub.tokens`). Serve checks every browser's token with the same
`TokenFile.verify(token) -> TokenInfo | None`, so a token is valid for a TV
exactly when it is valid for the hub, and a `token revoke` reaches both.
"""

from __future__ import annotations

import os

from wallboard.hub.tokens import TokenFile as _HubTokenFile
from wallboard.hub.tokens import TokenInfo, parse_token_file, token_digest


class TokenFile(_HubTokenFile):
    """The hub's token file; serve's warnings say they are serve's."""

    def __init__(self, path: str | os.PathLike[str]) -> None:  # type: ignore[override]
        super().__init__(path, label="wallboard serve")


__all__ = ["TokenFile", "TokenInfo", "parse_token_file", "token_digest"]
