"""One clear line per failed or lost connection to the PBX.

Apart from the client because the wording is a contract of its own: the
status line, headless stderr and the tests read these lines, and none may
ever contain the URL's userinfo or the password.
"""

from __future__ import annotations

import socket
import ssl
from urllib.parse import urlsplit

from websockets.exceptions import (
    ConnectionClosed,
    InvalidHandshake,
    InvalidMessage,
    InvalidStatus,
)
from websockets.frames import CloseCode

from wallboard.feed.livesettings import LiveSettings, MiB
from wallboard.feed.secrets import display_url


def _hostport(url: str) -> str:
    try:
        parts = urlsplit(url)
        host = parts.hostname or "?"
        port = parts.port or (443 if parts.scheme == "wss" else 80)
    except ValueError:
        return display_url(url)
    if ":" in host:
        host = f"[{host}]"
    return f"{host}:{port}"


def _close_text(exc: ConnectionClosed, settings: LiveSettings) -> str:
    """One line for a closed connection: who closed it, the code and the reason."""
    sent, rcvd = exc.sent, exc.rcvd
    if sent is not None and sent.code == CloseCode.MESSAGE_TOO_BIG:
        return f"the PBX sent a frame larger than {settings.max_size // MiB} MiB; reconnecting"
    if sent is not None and sent.code == CloseCode.INTERNAL_ERROR and "keepalive" in sent.reason:
        return (
            f"the PBX stopped answering keep-alive pings ({settings.ping_timeout:g} s); "
            "the connection is dead"
        )
    if rcvd is not None:
        reason = rcvd.reason.replace("\n", " ")[:120]
        try:
            name = CloseCode(rcvd.code).name.lower().replace("_", " ")
        except ValueError:
            name = "unknown code"
        text = f"the PBX closed the connection (code {rcvd.code}, {name}"
        return text + (f": {reason})" if reason else ")")
    return "the connection to the PBX was lost (no close frame)"


def describe_error(exc: BaseException, settings: LiveSettings) -> str:
    """One clear line per failure; never contains the URL's userinfo or the password."""
    where = _hostport(settings.url)
    if isinstance(exc, ConnectionClosed):
        return _close_text(exc, settings)
    if isinstance(exc, ssl.SSLCertVerificationError):
        why = exc.verify_message or exc.reason or "verification failed"
        return (
            f"the TLS certificate of {where} does not verify ({why}); "
            "use --ca-file PATH to trust its CA, or --insecure to skip verification"
        )
    if isinstance(exc, ssl.SSLError):
        return (
            f"TLS handshake with {where} failed ({exc.reason or exc}); is it a plain ws:// server?"
        )
    if isinstance(exc, ConnectionResetError) and urlsplit(settings.url).scheme == "wss":
        return f"connection reset by {where} during the TLS handshake (is it a plain ws:// server?)"
    if isinstance(exc, ConnectionRefusedError):
        return f"connection refused by {where} (is the PBX's WSI service running on that port?)"
    if isinstance(exc, socket.gaierror):
        host = urlsplit(settings.url).hostname or "?"
        return f"cannot resolve host {host}: {exc.strerror or exc}"
    if isinstance(exc, TimeoutError):
        return f"no answer from {where} within {settings.open_timeout:g} s"
    if isinstance(exc, InvalidStatus):
        code = exc.response.status_code
        hint = ""
        if code == 404:
            hint = " (wrong path? v22 uses /wsi, v12/v16 use /)"
        return f"{where} refused the WebSocket upgrade: HTTP {code}{hint}"
    if isinstance(exc, InvalidMessage):
        hint = " (is it a wss:// server?)" if urlsplit(settings.url).scheme == "ws" else ""
        return f"{where} did not answer as a WebSocket server{hint}"
    if isinstance(exc, InvalidHandshake):
        return f"WebSocket handshake with {where} failed: {exc}"
    if isinstance(exc, OSError):
        return f"cannot connect to {where}: {exc.strerror or type(exc).__name__}"
    return f"connection to {where} failed: {type(exc).__name__}"


__all__ = ["describe_error"]
