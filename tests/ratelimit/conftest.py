"""Fixtures and clock helpers for the rate limit tests (real Redis, server clock)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from redis.asyncio import Redis

from ratelimit import Limiter
from ratelimit.types import AnyRedis

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


@pytest.fixture
def make_limiter(redis: AnyRedis) -> Callable[..., Limiter]:
    """Limiters on the test Redis, with a 1 s timeout unless told otherwise."""

    def make(**options: Any) -> Limiter:
        options.setdefault("timeout_s", 1.0)
        return Limiter(redis, **options)

    return make


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

    class Counting(base):  # type: ignore[misc, valid-type]
        async def send_packed_command(self, *args: Any, **kwargs: Any) -> None:
            counter.count += 1
            await super().send_packed_command(*args, **kwargs)

    client.connection_pool.connection_class = Counting
    return counter
