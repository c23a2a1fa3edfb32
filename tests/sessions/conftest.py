"""Fixtures for the sessions library: each store test runs on plain Redis and on a cluster."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from redis.asyncio import RedisCluster
from redis.asyncio.connection import AbstractConnection

from sessions import AnyRedis, SessionStore


@pytest.fixture(params=["redis", "cluster"])
def client(request: pytest.FixtureRequest) -> AnyRedis:
    """The session `redis` fixture's client, then a cluster client, on an empty keyspace."""
    chosen: AnyRedis = request.getfixturevalue(
        "redis" if request.param == "redis" else "cluster_client"
    )
    return chosen


StoreFactory = Callable[..., SessionStore]


@pytest.fixture
def make_store(client: AnyRedis) -> StoreFactory:
    def make(**options: Any) -> SessionStore:
        options.setdefault("prefix", "t:")
        return SessionStore(client, **options)

    return make


@pytest.fixture
def store(make_store: StoreFactory) -> SessionStore:
    return make_store()


@dataclass
class Traffic:
    """What the client sent and read, counted on the connections."""

    sends: int = 0
    replies: int = 0


@pytest.fixture
def traffic(monkeypatch: pytest.MonkeyPatch) -> Traffic:
    counted = Traffic()
    send, read = AbstractConnection.send_packed_command, AbstractConnection.read_response

    async def counting_send(self: AbstractConnection, *args: Any, **kwargs: Any) -> None:
        counted.sends += 1
        await send(self, *args, **kwargs)

    async def counting_read(self: AbstractConnection, *args: Any, **kwargs: Any) -> Any:
        counted.replies += 1
        return await read(self, *args, **kwargs)

    monkeypatch.setattr(AbstractConnection, "send_packed_command", counting_send)
    monkeypatch.setattr(AbstractConnection, "read_response", counting_read)
    return counted


async def key_count(client: AnyRedis) -> int:
    """Keys on every primary (a cluster client's DBSIZE asks one node)."""
    if isinstance(client, RedisCluster):
        sizes: Any = await client.dbsize(target_nodes=RedisCluster.PRIMARIES)
        return sum(sizes.values()) if isinstance(sizes, dict) else int(sizes)
    return int(await client.dbsize())
