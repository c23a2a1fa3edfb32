"""Redis access: the Lua scripts next to this module (loaded once, called by SHA), pipelines,
and store errors wrapped in `TrendStoreError`."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from redis.exceptions import NoScriptError, RedisClusterException, RedisError

from .errors import TrendStoreError
from .types import AnyRedis

_HERE = Path(__file__).parent
Arg = str | int | float
Call = tuple["Script", Sequence[str], Sequence[Arg]]


def _source(name: str) -> str:
    return (_HERE / f"{name}.lua").read_text()


class Script:
    def __init__(self, source: str) -> None:
        self.source = source
        self.sha = hashlib.sha1(source.encode()).hexdigest()

    def args(self, keys: Sequence[str], args: Sequence[Arg]) -> tuple[Arg, ...]:
        return ("EVALSHA", self.sha, len(keys), *keys, *args)


_COMMON = _source("common")
RECORD = Script(_COMMON + _source("record"))
REMOVE = Script(_COMMON + _source("remove"))
SETTLE = Script(_COMMON + _source("settle"))
TOP = Script(_source("top"))
REVIEW = Script(_source("review"))
ALL = (RECORD, REMOVE, SETTLE, TOP, REVIEW)


@contextmanager
def store_errors() -> Iterator[None]:
    """Turn whatever Redis raises into `TrendStoreError`."""
    try:
        yield
    except (RedisError, RedisClusterException, OSError) as exc:
        raise TrendStoreError(f"trend store failed: {exc}") from exc


async def load(client: AnyRedis) -> None:
    """Register every script (on every primary of a cluster)."""
    with store_errors():
        for script in ALL:
            await client.script_load(script.source)


async def call(client: AnyRedis, script: Script, keys: Sequence[str], args: Sequence[Arg]) -> Any:
    """One script call, one round trip; a server that forgot the script gets it again."""
    with store_errors():
        try:
            return await client.execute_command(*script.args(keys, args))
        except NoScriptError:
            await load(client)
            return await client.execute_command(*script.args(keys, args))


async def _pipelined(client: AnyRedis, calls: Sequence[Call]) -> list[Any]:
    pipe = client.pipeline(transaction=False)
    for script, keys, args in calls:
        # by name: the cluster pipeline refuses `evalsha` but routes EVALSHA by its keys
        pipe.execute_command(*script.args(keys, args))
    results: list[Any] = await pipe.execute(raise_on_error=False)
    return results


async def batch(client: AnyRedis, calls: Sequence[Call]) -> list[Any]:
    """Many script calls in one pipeline, one round trip (every key is in one slot).

    On NOSCRIPT the whole batch runs again after loading: every script here is idempotent.
    """
    with store_errors():
        results = await _pipelined(client, calls)
        if any(isinstance(result, NoScriptError) for result in results):
            await load(client)
            results = await _pipelined(client, calls)
        for result in results:
            if isinstance(result, Exception):
                raise result
        return results


async def pipelined(client: AnyRedis, commands: Sequence[tuple[Arg, ...]]) -> list[Any]:
    """Plain commands in one round trip (every key is in one slot)."""
    with store_errors():
        pipe = client.pipeline(transaction=False)
        for command in commands:
            pipe.execute_command(*command)
        results: list[Any] = await pipe.execute()
        return results
