"""A busy process holds more than redis-py's default of 100 connections at once (many sockets
subscribing, many requests in flight); past the pool's cap a command fails outright."""

from __future__ import annotations

import asyncio

from social.platform.redis.client import MAX_CONNECTIONS, client_from_url, flush_all

IN_FLIGHT = 150


async def test_more_commands_in_flight_than_redis_py_default_pool(redis_url: str) -> None:
    assert MAX_CONNECTIONS >= IN_FLIGHT
    client = client_from_url(redis_url)
    try:
        await flush_all(client)
        # Each BLPOP holds its connection until the timeout: all are open at the same time.
        replies = await asyncio.gather(
            *(client.blpop([f"{{c}}:empty:{i}"], timeout=0.2) for i in range(IN_FLIGHT))
        )
        assert replies == [None] * IN_FLIGHT
    finally:
        await client.aclose()
