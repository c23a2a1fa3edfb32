"""Runs strategy scripts on Redis: by SHA, pipelined, under a short timeout."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from redis.exceptions import NoScriptError, RedisError

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


class RedisStore:
    """Calls scripts by SHA and loads them on NOSCRIPT (first use, `SCRIPT FLUSH`, failover).

    redis-py's `Script` asks `SCRIPT EXISTS` before every pipeline, a round trip we avoid.
    """

    def __init__(self, client: AnyRedis, *, timeout_s: float = 0.1) -> None:
        self.client = client
        self.timeout_s = timeout_s

    async def load_scripts(self) -> None:
        await self._guard(self._load(STRATEGIES.values()))

    async def run(self, calls: Sequence[ScriptCall]) -> list[Reply]:
        """One reply per call, in one round trip (two after a NOSCRIPT)."""
        return await self._guard(self._run(calls))

    async def _guard(self, work: Awaitable[T]) -> T:
        try:
            async with asyncio.timeout(self.timeout_s):
                return await work
        except TimeoutError as exc:
            raise StoreError(f"Redis did not answer within {self.timeout_s} s") from exc
        except (RedisError, OSError, ValueError, TypeError, IndexError) as exc:
            raise StoreError(f"Redis failed: {exc!r}") from exc

    async def _run(self, calls: Sequence[ScriptCall]) -> list[Reply]:
        replies = await self._send(calls)
        missing = [i for i, reply in enumerate(replies) if isinstance(reply, NoScriptError)]
        if missing:
            # scripts were flushed or this is a new server: load them, then retry those calls
            await self._load({calls[i].strategy.name: calls[i].strategy for i in missing}.values())
            retried = await self._send([calls[i] for i in missing])
            for i, reply in zip(missing, retried, strict=True):
                replies[i] = reply
        for reply in replies:
            if isinstance(reply, BaseException):
                raise StoreError(f"script failed: {reply!r}") from reply
        return [[int(x) for x in reply] for reply in replies]

    async def _send(self, calls: Sequence[ScriptCall]) -> list[Any]:
        if len(calls) == 1:
            call = calls[0]
            try:
                return [await self._evalsha(self.client, call)]
            except NoScriptError as exc:
                return [exc]
        pipe = self.client.pipeline(transaction=False)
        for call in calls:
            # by name: redis-py refuses `ClusterPipeline.evalsha` but routes EVALSHA by its keys
            pipe.execute_command(
                "EVALSHA", call.strategy.sha, len(call.keys), *call.keys, *call.args
            )
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
