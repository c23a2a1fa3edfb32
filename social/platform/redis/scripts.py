"""Lua scripts shipped next to the code, called by SHA, also inside (cluster) pipelines."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from redis.asyncio import RedisCluster
from redis.asyncio.client import Pipeline
from redis.asyncio.cluster import ClusterPipeline
from redis.exceptions import NoScriptError

from social.platform.redis.client import AnyRedis


class Script:
    def __init__(self, path: Path) -> None:
        """The script in file `path` (beside the code that calls it)."""
        self.source = path.read_text()
        self.sha = hashlib.sha1(self.source.encode()).hexdigest()

    async def load(self, redis: AnyRedis) -> None:
        if isinstance(redis, RedisCluster):
            await redis.script_load(self.source)  # every primary
        else:
            await redis.script_load(self.source)

    def command(self, keys: list[str], args: list[Any]) -> tuple[Any, ...]:
        """The call by SHA, as a command (by name: redis-py's Script objects refuse cluster
        pipelines)."""
        return ("EVALSHA", self.sha, len(keys), *keys, *args)

    def queue(self, pipe: Pipeline | ClusterPipeline, keys: list[str], args: list[Any]) -> None:
        pipe.execute_command(*self.command(keys, args))

    async def call(self, redis: AnyRedis, keys: list[str], args: list[Any]) -> Any:
        """One call, no pipeline; on NOSCRIPT (server restarted or flushed) load and redo."""
        try:
            return await redis.execute_command(*self.command(keys, args))
        except NoScriptError:
            await self.load(redis)
            return await redis.execute_command(*self.command(keys, args))

    async def run_batch(
        self, redis: AnyRedis, calls: list[tuple[list[str], list[Any]]]
    ) -> list[Any]:
        """One pipelined round trip; on NOSCRIPT (server restarted or flushed) load and redo."""
        for attempt in (1, 2):
            async with redis.pipeline(transaction=False) as pipe:
                for keys, args in calls:
                    self.queue(pipe, keys, args)
                try:
                    return list(await pipe.execute())
                except NoScriptError:
                    if attempt == 2:
                        raise
                    await self.load(redis)
        raise AssertionError("unreachable")
