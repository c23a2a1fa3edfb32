"""One shared connection to Redis: commands written in order, each reply resolving the oldest
command still waiting (Redis answers in the order it was asked), client-side caching's
invalidation messages handed to a callback."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

import hiredis
from redis._parsers.base import BaseParser
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import InvalidResponse
from redis.exceptions import TimeoutError as RedisTimeoutError

_PUSH: type = getattr(hiredis, "PushNotification", type(None))

Invalidated = Callable[[Sequence[bytes] | None], None]
"""Told the keys Redis says were written (None: any key may have been)."""


@dataclass(frozen=True)
class Tracking:
    """Client-side caching on the shared connections: Redis tells `invalidated` of every write
    to a key under `prefixes` (`CLIENT TRACKING ON BCAST`), and a lost connection tells of
    everything (None): whatever it would have heard from then on is unknown. A new connection
    tracks before its first command, so nothing read over it is missed."""

    prefixes: tuple[str, ...]
    invalidated: Invalidated
    refused: Callable[[Exception], None]
    """Called when the server refuses tracking (before Redis 6, or an ACL without `CLIENT`):
    the connection is used without it."""


class Link(asyncio.Protocol):
    """One connection: each reply resolves the oldest command still waiting."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        timeout_s: float | None,
        on_invalidate: Invalidated | None = None,
    ) -> None:
        self.loop = loop
        self.timeout_s = timeout_s
        self.on_invalidate = on_invalidate
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self._reader = hiredis.Reader(
            protocolError=InvalidResponse, replyError=BaseParser.parse_error
        )
        self._waiting: deque[tuple[asyncio.Future[Any], float]] = deque()
        self._watchdog: asyncio.TimerHandle | None = None
        self._out: list[bytes] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's are not subclasses

    def data_received(self, data: bytes) -> None:
        self._reader.feed(data)
        try:
            while (reply := self._reader.gets()) is not False:
                if isinstance(reply, _PUSH):  # out-of-band: no command waits for it
                    push = cast(list[Any], reply)
                    if self.on_invalidate is not None and push and push[0] == b"invalidate":
                        self.on_invalidate(push[1])
                    continue
                future, _ = self._waiting.popleft()
                if not future.done():
                    future.set_result(reply)
        except (InvalidResponse, IndexError) as exc:  # out of step: nothing can be trusted
            self._fail(RedisConnectionError(f"Redis protocol error: {exc}"))

    def connection_lost(self, exc: Exception | None) -> None:
        self._fail(RedisConnectionError("Connection to Redis lost"))

    def send(self, commands: Iterable[Sequence[Any]]) -> list[asyncio.Future[Any]]:
        if self.closed or self.transport is None:
            raise RedisConnectionError("Connection to Redis lost")
        deadline = self.loop.time() + (self.timeout_s or 0)
        packed, futures = [], []
        for args in commands:
            name = args[0]
            # redis-py names some commands in two words ("SCRIPT LOAD", "CONFIG GET")
            if isinstance(name, str) and " " in name:
                args = (*name.split(), *args[1:])
            packed.append(hiredis.pack_command(tuple(args)))
            future = self.loop.create_future()
            futures.append(future)
            self._waiting.append((future, deadline))
        if not self._out:  # the first write of this loop iteration: flush at its end
            self.loop.call_soon(self._flush)
        self._out += packed
        if self.timeout_s and self._watchdog is None:
            self._watchdog = self.loop.call_at(deadline, self._check)
        return futures

    def _flush(self) -> None:
        """One write (one system call) for every command of every request of this loop
        iteration: at 64 concurrent requests, several share it."""
        out, self._out = self._out, []
        if out and not self.closed and self.transport is not None:
            self.transport.write(b"".join(out))

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()
        self._fail(RedisConnectionError("Connection to Redis closed"))

    def _check(self) -> None:
        """The oldest command still waits for its reply (even if its caller gave up)."""
        self._watchdog = None
        if not self._waiting:
            return
        _, deadline = self._waiting[0]
        if self.loop.time() >= deadline:
            self._fail(RedisTimeoutError("Timeout reading from Redis"))
        else:
            self._watchdog = self.loop.call_at(deadline, self._check)

    def _fail(self, error: Exception) -> None:
        if not self.closed and self.on_invalidate is not None:
            self.on_invalidate(None)  # invalidations may be missed from now on
        self.closed = True
        if self._watchdog is not None:
            self._watchdog.cancel()
            self._watchdog = None
        if self.transport is not None:
            self.transport.abort()
        waiting, self._waiting = self._waiting, deque()
        for future, _ in waiting:
            if not future.done():
                future.set_exception(error)
                future.exception()  # a caller that gave up must not leave it unretrieved
