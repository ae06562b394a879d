"""Which sent command a PBX reply answers.

A v12 reply says nothing about which command it answers, and a named one
carries only the command ("subscribe"), not which of several subscribes: so
the client remembers the names of what it sent, in order, and gives each
reply to the oldest command it can answer. Names only, never the commands
(one of them carries the password).
"""

from __future__ import annotations

from collections import deque

from wallboard.protocol.events import Reply

# A PBX that never replies must not grow the list forever.
MAX_PENDING = 1000


class PendingCommands:
    """Names of the commands awaiting a reply, oldest first (FIFO)."""

    __slots__ = ("_names",)

    def __init__(self) -> None:
        self._names: deque[str] = deque()

    def clear(self) -> None:
        self._names.clear()

    def sent(self, name: str) -> None:
        self._names.append(name)
        if len(self._names) > MAX_PENDING:
            self._names.popleft()

    def awaiting_auth(self) -> bool:
        """Whether the oldest unanswered command is the auth (a drop then means rejected)."""
        return bool(self._names) and self._names[0] == "auth"

    def match(self, reply: Reply) -> str:
        """The name of the command `reply` answers; that command is answered now."""
        pending = self._names
        if reply.command:
            for i, name in enumerate(pending):
                if name.split(" ", 1)[0] == reply.command:
                    del pending[i]
                    return name
            return reply.command
        if pending:
            return pending.popleft()
        return "unrequested reply"


__all__ = ["PendingCommands"]
