"""Fixtures and clock helpers for the rate limit tests (real Redis, server clock)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from redis.asyncio import Redis, RedisCluster

from ratelimit import Limiter
from ratelimit.types import AnyRedis
from social.platform.redis.client import client_from_url, is_cluster_url

DEAD_REDIS_URL = "redis://127.0.0.1:1"


async def server_time(redis: AnyRedis) -> float:
    seconds, micros = await redis.time()
    return float(seconds) + micros / 1_000_000


async def wait_for_window_fraction(redis: AnyRedis, window_s: float, fraction: float) -> float:
    """Sleep until the server clock is `fraction` into a window (windows start at multiples
    of `window_s` since the epoch, as in the scripts); returns that window's start."""
    now = await server_time(redis)
    position = (now % window_s) / window_s
    delay = ((fraction - position) % 1.0) * window_s
    await asyncio.sleep(delay)
    return now + delay - fraction * window_s


async def connected_client(url: str) -> AnyRedis:
    """Another client on the test Redis, connected before use: a `RedisCluster` that meets
    concurrent commands before its first topology refresh can lose connections in the
    middle of the handshake (redis-py 8.1)."""
    client = client_from_url(url, socket_timeout=30)
    if isinstance(client, RedisCluster):
        await client.initialize()
    else:
        await client.ping()
    return client


async def all_keys(redis: AnyRedis) -> list[bytes]:
    """Every key, on every primary of a cluster."""
    if isinstance(redis, RedisCluster):
        found = await redis.keys("*", target_nodes=RedisCluster.PRIMARIES)
    else:
        found = await redis.keys("*")
    return [key.encode() if isinstance(key, str) else key for key in found]


async def evalsha_calls(redis: AnyRedis) -> int:
    """EVALSHA calls the server (every primary of a cluster) has run so far."""
    if isinstance(redis, RedisCluster):
        per_node = await redis.info("commandstats", target_nodes=RedisCluster.PRIMARIES)
        stats = list(per_node.values())
    else:
        stats = [await redis.info("commandstats")]
    return sum(int(s.get("cmdstat_evalsha", {}).get("calls", 0)) for s in stats)


@pytest.fixture
def make_limiter(redis: AnyRedis) -> Callable[..., Limiter]:
    """Limiters on the test Redis, with a 1 s timeout unless told otherwise."""

    def make(**options: Any) -> Limiter:
        options.setdefault("timeout_s", 1.0)
        return Limiter(redis, **options)

    return make


@pytest.fixture
async def counted(redis_url: str) -> AsyncIterator[tuple[Redis, Callable[[], int]]]:
    """A plain client whose socket writes are counted (per-node counts in a cluster differ)."""
    if is_cluster_url(redis_url):
        pytest.skip("round trips are counted on a single-node Redis")
    client = Redis.from_url(redis_url)
    trips = count_round_trips(client)
    await client.ping()  # connect and handshake before counting
    trips.count = 0
    yield client, lambda: trips.count
    await client.aclose()


@pytest.fixture
async def dead_redis() -> AsyncIterator[Redis]:
    """A client for a port nothing listens on."""
    client = Redis.from_url(DEAD_REDIS_URL, socket_connect_timeout=0.2, socket_timeout=0.2)
    yield client
    await client.aclose()


class RoundTrips:
    """Counts writes to the socket: one per command sent alone, one per pipeline."""

    def __init__(self) -> None:
        self.count = 0


def count_round_trips(client: Redis) -> RoundTrips:
    """Instrument a fresh client (before it has connected)."""
    counter = RoundTrips()
    base: Any = client.connection_pool.connection_class

    class Counting(base):  # type: ignore[misc]
        async def send_packed_command(self, *args: Any, **kwargs: Any) -> None:
            counter.count += 1
            await super().send_packed_command(*args, **kwargs)

    client.connection_pool.connection_class = Counting
    return counter
