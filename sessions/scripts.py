"""The Lua scripts next to this module, and pipelined batches that call them by SHA."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from redis.commands.core import AsyncScript
from redis.exceptions import NoScriptError, RedisClusterException, RedisError

from .errors import SessionStoreError
from .types import AnyRedis

_HERE = Path(__file__).parent
Arg = str | int


def _source(name: str) -> str:
    return (_HERE / f"{name}.lua").read_text()


CREATE = _source("session_create")
RESOLVE = _source("session_resolve")
TAKE = _source("session_take")
INDEX_ADD = _source("index_add")


class Scripts:
    """The scripts registered once on a client (their SHAs are computed locally)."""

    def __init__(self, client: AnyRedis) -> None:
        self.create = client.register_script(CREATE)
        self.resolve = client.register_script(RESOLVE)
        self.take = client.register_script(TAKE)
        self.index_add = client.register_script(INDEX_ADD)


@contextmanager
def store_errors() -> Iterator[None]:
    """Turn whatever Redis raises into `SessionStoreError`."""
    try:
        yield
    except (RedisError, RedisClusterException, OSError) as exc:
        raise SessionStoreError(f"session store unavailable: {exc}") from exc


async def call(script: AsyncScript, keys: list[str], args: list[Arg]) -> Any:
    """One script call, one round trip (redis-py reloads the script on NOSCRIPT)."""
    with store_errors():
        return await script(keys, args)


class Batch:
    """Commands sent in one round trip, without a transaction (their keys may be in different
    slots). Scripts go by SHA; one the server has forgotten is re-run on its own."""

    def __init__(self, client: AnyRedis) -> None:
        self._pipe = client.pipeline(transaction=False)
        self._retries: list[Callable[[], Awaitable[Any]] | None] = []

    def script(self, script: AsyncScript, keys: list[str], args: list[Arg]) -> None:
        # by name: redis-py refuses `ClusterPipeline.evalsha`, but routes EVALSHA by its keys
        self._pipe.execute_command("EVALSHA", script.sha, len(keys), *keys, *args)
        self._retries.append(partial(script, keys, args))

    def command(self, *args: Arg) -> None:
        self._pipe.execute_command(*args)
        self._retries.append(None)

    def __len__(self) -> int:
        return len(self._retries)

    async def execute(self) -> list[Any]:
        with store_errors():
            results: list[Any] = await self._pipe.execute(raise_on_error=False)
            for i, (result, retry) in enumerate(zip(results, self._retries, strict=True)):
                if isinstance(result, NoScriptError) and retry is not None:
                    results[i] = await retry()
                elif isinstance(result, Exception):
                    raise result
            return results
