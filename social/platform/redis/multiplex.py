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
from collections.abc import Sequence
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.asyncio.connection import UnixDomainSocketConnection
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import (
    ExecAbortError,
    ResponseError,
    WatchError,
)

from social.platform.redis.link import Link, Tracking
from social.platform.redis.riders import RIDING

EMPTY_RESPONSE = "EMPTY_RESPONSE"
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
        self._links: dict[asyncio.AbstractEventLoop, Link] = {}
        self._connecting: dict[asyncio.AbstractEventLoop, asyncio.Future[Link]] = {}
        self.tracking: Tracking | None = None

    async def send(self, commands: Sequence[Sequence[Any]]) -> list[Any]:
        """The replies to `commands`, in order; error replies as exception instances. The
        request's riders (`riders.py`), if any are waiting, go first in the same write."""
        link = self._links.get(asyncio.get_running_loop())
        if link is None or link.closed:
            link = await self._link()
        riders = RIDING.get()
        boarding = riders.board() if riders is not None else None
        if not boarding:
            futures = link.send(commands)
            if len(futures) == 1:  # most sends: no comprehension's frame
                return [await futures[0]]
            return [await future for future in futures]
        assert riders is not None
        try:
            futures = link.send([*boarding, *commands])
        except BaseException as exc:
            riders.failed(exc)
            raise
        riders.departed(futures[: len(boarding)])
        return [await future for future in futures[len(boarding) :]]

    async def close(self) -> None:
        links, self._links = list(self._links.values()), {}
        here = asyncio.get_running_loop()
        for link in links:
            if link.loop is here:
                link.close()
            elif not link.loop.is_closed():  # another thread's loop: closed there
                link.loop.call_soon_threadsafe(link.close)

    async def _link(self) -> Link:
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

    async def _connect(self, loop: asyncio.AbstractEventLoop) -> Link:
        tracking = self.tracking
        link = Link(loop, self._timeout_s, tracking.invalidated if tracking else None)
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
