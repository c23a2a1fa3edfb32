"""Commands that ride on a request's next write to Redis instead of taking a round trip of their
own (a rate-limit check goes out with the first command its handler sends).

The front of a request sets `RIDING` for its task; the shared connection (`multiplex.py`) puts
the riders in front of the next commands sent from that task's context, in the same write, and
their replies come back with them. Whoever needs the replies awaits `replies()`: where nothing
took the riders along yet, they are sent alone then.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from contextvars import ContextVar
from typing import Any

Command = Sequence[Any]
Send = Callable[[list[Command]], Awaitable[list[Any]]]


class Riders:
    __slots__ = ("_commands", "_count", "_error", "_futures")

    def __init__(self, commands: list[Command]) -> None:
        self._commands: list[Command] | None = commands
        self._count = len(commands)
        self._futures: list[asyncio.Future[Any]] | None = None
        self._error: BaseException | None = None

    def board(self) -> list[Command]:
        """The commands, to send with the caller's own; only the first caller gets them."""
        commands, self._commands = self._commands, None
        return commands or []

    def departed(self, futures: list[asyncio.Future[Any]]) -> None:
        """They were written: their replies resolve `futures`."""
        self._futures = futures

    def failed(self, error: BaseException) -> None:
        """The write that took them failed before they left."""
        self._error = error

    async def replies(self, send: Send) -> list[Any]:
        """One reply per command, an error as an exception instance. Sent alone with `send`
        when nothing took them along."""
        commands = self.board()
        if commands:
            try:
                return await send(commands)
            except Exception as exc:
                return [exc] * len(commands)
        if self._futures is None:
            error = self._error or ConnectionError("riders never left")
            return [error] * self._count
        found: list[Any] = []
        for future in self._futures:
            try:
                found.append(await future)
            except Exception as exc:
                found.append(exc)
        return found


RIDING: ContextVar[Riders | None] = ContextVar("social_riding", default=None)
