"""One shared connection per event loop for a process's short commands.

redis-py checks a connection out of its pool for every command or pipeline: it takes a lock,
health-checks the socket, records observability counters, wraps the call in a retry, and puts
the connection back. Measured here, that is about 46 µs of CPU a command, against about 7 µs
when every concurrent request writes its commands to one connection and the replies are matched
to them in order (Redis answers in the order it was asked), which is what `MultiplexedRedis`
does. A home timeline request makes four round trips; this is most of what it spends in Python.

`MultiplexedRedis` is a `redis.asyncio.Redis`: every typed command and the libraries that take
a client work unchanged. What needs a connection of its own goes to the normal pool: blocking
commands, `WATCH` and the commands that change a connection's state, and pub/sub (which always
has its own). A command is never sent twice: a connection lost fails what was in flight
(`ConnectionError`), and the next command connects again. A reply slower than `socket_timeout`
fails every command in flight (`TimeoutError`) and drops the connection.
"""

from __future__ import annotations

import asyncio
import inspect
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

import hiredis
from redis._parsers.base import BaseParser
from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.asyncio.connection import UnixDomainSocketConnection
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import (
    ExecAbortError,
    InvalidResponse,
    ResponseError,
    WatchError,
)
from redis.exceptions import TimeoutError as RedisTimeoutError

EMPTY_RESPONSE = "EMPTY_RESPONSE"
_PUSH: type = getattr(hiredis, "PushNotification", type(None))
NEVER_DECODE = "NEVER_DECODE"

POOLED = frozenset(
    {
        # block the connection, or wait on it
        "BLPOP", "BRPOP", "BRPOPLPUSH", "BLMOVE", "BLMPOP", "BZPOPMIN", "BZPOPMAX", "BZMPOP",
        "XREAD", "XREADGROUP", "WAIT", "WAITAOF", "MONITOR", "SYNC", "PSYNC", "DEBUG",
        # change the connection's state
        "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE",
        "MULTI", "EXEC", "DISCARD", "WATCH", "UNWATCH", "SELECT", "AUTH", "HELLO", "RESET",
        "QUIT", "CLIENT",
    }
)  # fmt: skip
"""Commands sent on a pooled connection of their own."""


def _pooled(name: object) -> bool:
    # redis-py names some commands in two words ("CLIENT LIST"): the first decides
    return not isinstance(name, str) or name.split(" ", 1)[0] in POOLED


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


class _Link(asyncio.Protocol):
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


class Multiplexer:
    """The links of one client, one per event loop (tests and threads run several)."""

    def __init__(self, connection_kwargs: dict[str, Any], unix: bool) -> None:
        kw = connection_kwargs
        self._unix_path: str | None = kw.get("path") if unix else None
        self._host = kw.get("host", "localhost")
        self._port = int(kw.get("port", 6379))
        self._username: str | None = kw.get("username")
        self._password: str | None = kw.get("password")
        self._db = int(kw.get("db", 0) or 0)
        self._timeout_s: float | None = kw.get("socket_timeout")
        self._connect_timeout_s: float | None = kw.get("socket_connect_timeout") or self._timeout_s
        self._links: dict[asyncio.AbstractEventLoop, _Link] = {}
        self._connecting: dict[asyncio.AbstractEventLoop, asyncio.Future[_Link]] = {}
        self.tracking: Tracking | None = None

    async def send(self, commands: Sequence[Sequence[Any]]) -> list[Any]:
        """The replies to `commands`, in order; error replies as exception instances."""
        link = self._links.get(asyncio.get_running_loop())
        if link is None or link.closed:
            link = await self._link()
        futures = link.send(commands)
        return [await future for future in futures]

    async def close(self) -> None:
        links, self._links = list(self._links.values()), {}
        here = asyncio.get_running_loop()
        for link in links:
            if link.loop is here:
                link.close()
            elif not link.loop.is_closed():  # another thread's loop: closed there
                link.loop.call_soon_threadsafe(link.close)

    async def _link(self) -> _Link:
        loop = asyncio.get_running_loop()
        link = self._links.get(loop)
        if link is not None and not link.closed:
            return link
        pending = self._connecting.get(loop)
        if pending is None:
            for old in [lo for lo in self._links if lo.is_closed()]:
                del self._links[old]
            pending = self._connecting[loop] = loop.create_future()
            try:
                link = await asyncio.wait_for(self._connect(loop), self._connect_timeout_s)
            except (OSError, TimeoutError, RedisConnectionError, ResponseError) as exc:
                error = (
                    exc
                    if isinstance(exc, RedisConnectionError)
                    else RedisConnectionError(f"Cannot connect to Redis: {exc!r}")
                )
                pending.set_exception(error)
                pending.exception()
                raise error from exc
            finally:
                del self._connecting[loop]
            self._links[loop] = link
            pending.set_result(link)
            return link
        return await asyncio.shield(pending)

    async def _connect(self, loop: asyncio.AbstractEventLoop) -> _Link:
        tracking = self.tracking
        link = _Link(loop, self._timeout_s, tracking.invalidated if tracking else None)
        if self._unix_path is not None:
            await loop.create_unix_connection(lambda: link, self._unix_path)
        else:
            await loop.create_connection(lambda: link, self._host, self._port)
        # RESP3, as redis-py speaks it (its reply callbacks expect RESP3's shapes)
        hello: tuple[Any, ...] = ("HELLO", 3)
        if self._password is not None:
            hello += ("AUTH", self._username or "default", self._password)
        setup: list[tuple[Any, ...]] = [hello]
        if self._db:
            setup.append(("SELECT", self._db))
        for reply in [await f for f in link.send(setup)]:
            if isinstance(reply, Exception):
                link.close()
                raise reply
        if tracking is not None:
            prefixes = [arg for prefix in tracking.prefixes for arg in ("PREFIX", prefix)]
            (reply,) = [
                await f for f in link.send([("CLIENT", "TRACKING", "ON", "BCAST", *prefixes)])
            ]
            if isinstance(reply, ResponseError):
                self.tracking = link.on_invalidate = None
                tracking.refused(reply)
            elif isinstance(reply, Exception):
                link.close()
                raise reply
        return link


class MultiplexedRedis(Redis):
    """A `redis.asyncio.Redis` whose commands and pipelines share one connection per loop."""

    _multiplexer: Multiplexer

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> MultiplexedRedis:  # type: ignore[override]
        client = super().from_url(url, **kwargs)
        assert isinstance(client, MultiplexedRedis)
        pool = client.connection_pool
        unix = issubclass(pool.connection_class, UnixDomainSocketConnection)
        client._multiplexer = Multiplexer(dict(pool.connection_kwargs), unix)
        return client

    async def execute_command(self, *args: Any, **options: Any) -> Any:
        name = args[0]
        if _pooled(name):
            return await super().execute_command(*args, **options)  # type: ignore[no-untyped-call]
        (reply,) = await self._multiplexer.send([args])
        return await self._parse(name, reply, options)

    def track(self, tracking: Tracking) -> None:
        """Turn on client-side caching for the connections made from now on (before the
        first command, so that every connection has it)."""
        self._multiplexer.tracking = tracking

    async def send_raw(self, commands: Sequence[Sequence[Any]]) -> list[Any]:
        """The replies to `commands` as the server sent them (RESP3, no redis-py callbacks;
        an error reply as an exception instance), in the write this loop iteration shares.
        For the hottest paths, which batch commands of several owners by hand."""
        return await self._multiplexer.send(commands)

    def pipeline(self, transaction: bool = True, shard_hint: Any = None) -> Pipeline:
        return MultiplexedPipeline(
            self.connection_pool, self.response_callbacks, transaction, shard_hint, self
        )

    async def aclose(self, close_connection_pool: bool | None = None) -> None:
        await self._multiplexer.close()
        await super().aclose(close_connection_pool)

    async def _parse(self, name: str, reply: Any, options: dict[str, Any]) -> Any:
        if isinstance(reply, ResponseError) and EMPTY_RESPONSE in options:
            return options[EMPTY_RESPONSE]
        if isinstance(reply, Exception):  # not only ResponseError: LOADING is a ConnectionError
            raise reply
        return await _callback(self.response_callbacks, name, reply, options)


class MultiplexedPipeline(Pipeline):
    """Queued commands sent on the shared connection in one write; a transaction is wrapped in
    MULTI/EXEC there. A pipeline that WATCHes keys runs on a pooled connection, as usual."""

    def __init__(
        self,
        connection_pool: Any,
        response_callbacks: Any,
        transaction: bool,
        shard_hint: Any,
        client: MultiplexedRedis,
    ) -> None:
        super().__init__(connection_pool, response_callbacks, transaction, shard_hint)
        self._client = client

    async def execute(self, raise_on_error: bool = True) -> list[Any]:
        stack = self.command_stack
        if self.watching or self.explicit_transaction or self.scripts or self.connection:
            return await super().execute(raise_on_error)
        if not stack:
            return []
        try:
            if any(_pooled(args[0]) for args, _ in stack):
                return await super().execute(raise_on_error)
            if self.is_transaction:
                return await self._transaction(stack, raise_on_error)
            return await self._plain(stack, raise_on_error)
        finally:
            await self.reset()  # type: ignore[no-untyped-call]

    async def _plain(self, stack: list[Any], raise_on_error: bool) -> list[Any]:
        replies = await self._client._multiplexer.send([args for args, _ in stack])
        response: list[Any] = []
        for (args, options), reply in zip(stack, replies, strict=True):
            try:
                response.append(await self._client._parse(args[0], reply, options))
            except ResponseError as exc:
                response.append(exc)
        if raise_on_error:
            self.raise_first_error(stack, response)
        return response

    async def _transaction(self, stack: list[Any], raise_on_error: bool) -> list[Any]:
        commands = [("MULTI",), *(args for args, _ in stack), ("EXEC",)]
        replies = await self._client._multiplexer.send(commands)
        if isinstance(replies[0], Exception):  # MULTI refused (LOADING): nothing was queued
            raise replies[0]
        queued, executed = replies[1:-1], replies[-1]
        errors = [(i, reply) for i, reply in enumerate(queued) if isinstance(reply, ResponseError)]
        for i, error in errors:
            self.annotate_exception(error, i + 1, stack[i][0])
        if isinstance(executed, ExecAbortError):
            raise errors[0][1] if errors else executed
        if isinstance(executed, Exception):
            raise executed
        if executed is None:
            raise WatchError("Watched variable changed.")
        response = list(executed)
        if len(response) != len(stack):
            raise ResponseError("Wrong number of response items from pipeline execution")
        if raise_on_error:
            self.raise_first_error(stack, response)
        data = []
        for reply, (args, options) in zip(response, stack, strict=True):
            if not isinstance(reply, Exception):
                options.pop(EMPTY_RESPONSE, None)
                reply = await _callback(self.response_callbacks, args[0], reply, options)
            data.append(reply)
        return data


async def _callback(callbacks: Any, name: str, reply: Any, options: dict[str, Any]) -> Any:
    callback = callbacks.get(name)
    if callback is None:
        return reply
    options = {k: v for k, v in options.items() if k not in ("keys", EMPTY_RESPONSE, NEVER_DECODE)}
    value = callback(reply, **options)
    return await value if inspect.isawaitable(value) else value
