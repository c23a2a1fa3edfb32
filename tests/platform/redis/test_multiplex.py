"""The multiplexed client: many requests on one connection get their own replies, in any
interleaving; a lost or stalled connection fails what was in flight and is replaced."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError, NoScriptError, ResponseError, TimeoutError

from social.platform.redis.client import client_from_url
from social.platform.redis.embedded import EmbeddedRedis
from social.platform.redis.multiplex import MultiplexedRedis


@pytest.fixture
def server(tmp_path: Path) -> Iterator[EmbeddedRedis]:
    """A Valkey of the test's own: these tests stop and pause it."""
    valkey = EmbeddedRedis(str(tmp_path / "valkey"), persist=False)
    valkey.start()
    yield valkey
    valkey.stop()


def mux(url: str, timeout_s: float = 5.0) -> MultiplexedRedis:
    client = client_from_url(url, multiplex=True, socket_timeout=timeout_s)
    assert isinstance(client, MultiplexedRedis)
    return client


async def test_concurrent_commands_get_their_own_replies(server: EmbeddedRedis) -> None:
    client = mux(server.url)
    await client.mset({f"k{i}": f"v{i}" for i in range(500)})
    await client.hset("h", mapping={"a": 1, "b": 2})

    async def one(i: int) -> None:
        if i % 3 == 0:
            assert await client.get(f"k{i}") == f"v{i}".encode()
        elif i % 3 == 1:
            assert await client.hgetall("h") == {b"a": b"1", b"b": b"2"}  # RESP3 map to dict
        else:
            async with client.pipeline(transaction=False) as pipe:
                pipe.get(f"k{i}").incr(f"n{i}").exists("nope")
                assert await pipe.execute() == [f"v{i}".encode(), 1, 0]

    await asyncio.gather(*(one(i) for i in range(500)))
    await client.aclose()


async def test_errors_are_redis_pys_errors(server: EmbeddedRedis) -> None:
    client = mux(server.url)
    await client.hset("h", "a", 1)
    with pytest.raises(NoScriptError):
        await client.evalsha("0" * 40, 0)
    with pytest.raises(ResponseError, match="WRONGTYPE"):
        await client.incr("h")
    async with client.pipeline(transaction=False) as pipe:
        pipe.incr("h").set("s", 1).get("s")
        wrong, ok, value = await pipe.execute(raise_on_error=False)
    assert isinstance(wrong, ResponseError)
    assert (ok, value) == (True, b"1")
    # a transaction: all queued, all run (Redis does not roll back), the error raised
    async with client.pipeline(transaction=True) as pipe:
        pipe.set("t", 1).incr("h").expire("t", 100)
        with pytest.raises(ResponseError, match="WRONGTYPE"):
            await pipe.execute()
    assert await client.ttl("t") > 0
    await client.aclose()


async def test_watch_and_blocking_reads_use_connections_of_their_own(
    server: EmbeddedRedis,
) -> None:
    client = mux(server.url)
    blocked = asyncio.create_task(client.xread({"stream": "$"}, block=2_000))
    await asyncio.sleep(0.1)
    # the shared connection is not held up by the blocked read
    assert await asyncio.wait_for(client.ping(), 1.0) is True
    async with client.pipeline(transaction=True) as pipe:
        await pipe.watch("counter")
        current = int(await pipe.get("counter") or 0)
        pipe.multi()
        pipe.set("counter", current + 1)
        assert await pipe.execute() == [True]
    await client.xadd("stream", {"f": "v"})
    assert (await blocked)[0][0] == b"stream"
    await client.aclose()


async def test_a_lost_connection_fails_what_was_in_flight_then_reconnects(
    server: EmbeddedRedis,
) -> None:
    client = mux(server.url)
    await client.set("k", "before")
    observer = Redis.from_url(server.url)
    await observer.execute_command("CLIENT", "PAUSE", "3000", "ALL")
    in_flight = asyncio.create_task(client.get("k"))
    await asyncio.sleep(0.2)
    server.kill()  # the server dies with the command unanswered
    with pytest.raises(ConnectionError):
        await in_flight  # failed, not resent
    server.start()
    await asyncio.sleep(0.1)
    assert await client.set("k", "after") is True  # a new connection
    assert await client.get("k") == b"after"
    await observer.aclose()
    await client.aclose()


async def test_a_stalled_server_times_out_instead_of_hanging(server: EmbeddedRedis) -> None:
    client = mux(server.url, timeout_s=0.5)
    observer = Redis.from_url(server.url)
    await client.set("k", "v")
    await observer.execute_command("CLIENT", "PAUSE", "1500", "ALL")
    started = asyncio.get_running_loop().time()
    with pytest.raises(TimeoutError):
        await client.get("k")
    assert asyncio.get_running_loop().time() - started < 1.2
    await asyncio.sleep(1.2)  # the pause ends
    assert await client.get("k") == b"v"
    await observer.aclose()
    await client.aclose()


def test_one_client_serves_several_event_loops(server: EmbeddedRedis) -> None:
    client = mux(server.url)

    async def count() -> int:
        value = await client.incr("n")
        await client.aclose()  # the connections of this loop, before it closes
        return value

    assert asyncio.run(count()) == 1
    assert asyncio.run(count()) == 2  # another loop: a connection of its own


def test_clusters_and_tls_are_never_multiplexed() -> None:
    assert not isinstance(client_from_url("redis+cluster://127.0.0.1:7000"), MultiplexedRedis)
    assert not isinstance(
        client_from_url("rediss://127.0.0.1:6380", multiplex=True), MultiplexedRedis
    )
    assert isinstance(client_from_url("redis://127.0.0.1:6379", multiplex=True), MultiplexedRedis)
