"""Runs strategy scripts on Redis: by SHA, pipelined, coalesced, under a short timeout."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from redis.exceptions import NoScriptError

from ratelimit.batch import Coalescer
from ratelimit.errors import StoreError
from ratelimit.strategies import STRATEGIES, Strategy
from ratelimit.types import AnyRedis

Reply = list[int]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ScriptCall:
    strategy: Strategy
    keys: list[str]
    args: list[int]

    def command(self) -> tuple[str | int, ...]:
        """The call by SHA (by name: redis-py refuses `ClusterPipeline.evalsha`, but routes
        EVALSHA by its keys)."""
        return ("EVALSHA", self.strategy.sha, len(self.keys), *self.keys, *self.args)


class RedisStore:
    """Calls scripts by SHA and loads them on NOSCRIPT (first use, `SCRIPT FLUSH`, failover).

    redis-py's `Script` asks `SCRIPT EXISTS` before every pipeline, a round trip we avoid.
    With `coalesce`, the calls of all `run`s made in one event-loop tick go out in one
    pipeline; each call stays one script, atomic on its own keys, and fails on its own.
    """

    def __init__(self, client: AnyRedis, *, timeout_s: float = 0.1, coalesce: bool = True):
        self.client = client
        self.timeout_s = timeout_s
        self.coalescer = Coalescer(self._exchange, timeout_s=timeout_s, wrap=_store_error)
        self.coalesce = coalesce

    async def load_scripts(self) -> None:
        await self._guard(self._load(STRATEGIES.values()))

    async def run(self, calls: Sequence[ScriptCall]) -> list[Reply]:
        """One reply per call, in one round trip (two after a NOSCRIPT)."""
        if self.coalesce:  # the batch runs under `timeout_s`: one timer per batch, not per call
            return parse_replies(await self.coalescer.run(calls))
        return parse_replies(await self._guard(self._exchange(calls)))

    async def _guard(self, work: Awaitable[T]) -> T:
        try:
            async with asyncio.timeout(self.timeout_s):
                return await work
        except StoreError:
            raise
        except TimeoutError as exc:
            raise StoreError(f"Redis did not answer within {self.timeout_s} s") from exc
        except Exception as exc:  # redis-py can fail with anything (AttributeError in a race)
            raise _store_error(exc) from exc

    async def _exchange(self, calls: Sequence[ScriptCall]) -> list[Any]:
        """A reply or an exception per call; calls that met NOSCRIPT are retried once."""
        replies = await self._send(calls)
        missing = [i for i, reply in enumerate(replies) if isinstance(reply, NoScriptError)]
        if missing:
            # scripts were flushed or this is a new server: load them, then retry those calls
            await self._load({calls[i].strategy.name: calls[i].strategy for i in missing}.values())
            retried = await self._send([calls[i] for i in missing])
            for i, reply in zip(missing, retried, strict=True):
                replies[i] = reply
        return replies

    async def _send(self, calls: Sequence[ScriptCall]) -> list[Any]:
        if len(calls) == 1:
            call = calls[0]
            try:
                return [await self._evalsha(self.client, call)]
            except NoScriptError as exc:
                return [exc]
        pipe = self.client.pipeline(transaction=False)
        for call in calls:
            pipe.execute_command(*call.command())
        return list(await pipe.execute(raise_on_error=False))

    @staticmethod
    async def _evalsha(client: Any, call: ScriptCall) -> Any:
        return await client.evalsha(call.strategy.sha, len(call.keys), *call.keys, *call.args)

    async def _load(self, strategies: Any) -> None:
        for strategy in strategies:
            sha = await self.client.script_load(strategy.source)
            if isinstance(sha, bytes):
                sha = sha.decode()
            if isinstance(sha, str) and sha != strategy.sha:
                raise StoreError(f"Redis hashed {strategy.name} as {sha}, expected {strategy.sha}")


def _store_error(exc: BaseException) -> StoreError:
    if isinstance(exc, StoreError):
        return exc
    if isinstance(exc, TimeoutError | asyncio.CancelledError):
        return StoreError(f"Redis did not answer in time: {exc!r}")
    error = StoreError(f"Redis failed: {exc!r}")
    error.__cause__ = exc
    return error


def parse_replies(raw: list[Any]) -> list[Reply]:
    """Integer replies; one failed call fails its whole check (its caller decides what next)."""
    for reply in raw:
        if isinstance(reply, BaseException):
            raise StoreError(f"script failed: {reply!r}") from reply
    try:
        return [list(map(int, reply)) for reply in raw]
    except (TypeError, ValueError) as exc:
        raise StoreError(f"unexpected script reply: {raw!r}") from exc
