"""The in-process cache (social/near_cache.py) stays coherent with Redis: a write from any
connection drops the entry, a read overtaken by a write is not kept, a flush or a lost
connection drops everything, and tracking comes back with a new connection."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from social.platform.cache import EntityCache, get_together
from social.platform.metrics import Metrics
from social.platform.redis.client import AnyRedis, client_from_url
from social.platform.redis.link import Tracking
from social.platform.redis.multiplex import MultiplexedRedis
from social.platform.redis.near_cache import NearCache
from tests.conftest import single_server

pytestmark = single_server  # tracking lives on the multiplexed connection, not used on a Cluster

Tracked = tuple[MultiplexedRedis, NearCache]


@pytest.fixture
async def tracked(redis_url: str, redis: AnyRedis) -> AsyncIterator[Tracked]:
    client = client_from_url(redis_url, multiplex=True, socket_timeout=5)
    assert isinstance(client, MultiplexedRedis)
    near = NearCache(("t:a:", "t:b:"), max_entries=3, ttl_s=30, metrics=Metrics())
    client.track(Tracking(near.prefixes, near.invalidate, near.refused))
    yield client, near
    await client.aclose()


async def read(tracked: Tracked, key: str) -> bytes | None:
    """As the app's readers do: the cache, else Redis, kept unless written meanwhile."""
    client, near = tracked
    hit: bytes | None = near.get(key)
    if hit is not None:
        return hit
    near.begin([key])
    value = None
    try:
        (value,) = await client.send_raw([("GET", key)])
        return value
    finally:
        near.end([key], {key: value} if value is not None else {})


async def eventually(check: Callable[[], bool], timeout_s: float = 2.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "not within the time"
        await asyncio.sleep(0.005)


async def test_a_write_from_another_connection_drops_the_entry(
    tracked: Tracked, redis: AnyRedis
) -> None:
    _, near = tracked
    await redis.set("t:a:1", "one")
    assert await read(tracked, "t:a:1") == b"one"
    assert near.get("t:a:1") == b"one"
    await redis.set("t:a:1", "two")
    await eventually(lambda: near.get("t:a:1") is None)
    assert await read(tracked, "t:a:1") == b"two"
    await redis.delete("t:a:1")
    await eventually(lambda: near.get("t:a:1") is None)
    assert await read(tracked, "t:a:1") is None


async def test_a_write_on_the_shared_connection_itself_drops_the_entry(tracked: Tracked) -> None:
    client, near = tracked
    await client.set("t:b:1", "one")
    assert await read(tracked, "t:b:1") == b"one"
    await client.set("t:b:1", "two")  # the same connection the read went over
    await eventually(lambda: near.get("t:b:1") is None)
    assert await read(tracked, "t:b:1") == b"two"


def test_a_read_overtaken_by_a_write_is_not_kept() -> None:
    near = NearCache(("k:",), max_entries=10, ttl_s=30, metrics=Metrics())
    near.begin(["k:1"])
    near.begin(["k:1"])  # two readers of the same key
    near.invalidate([b"k:1"])  # its write's message came with, or after, the replies
    near.end(["k:1"], {"k:1": b"stale"})
    near.end(["k:1"], {"k:1": b"stale"})
    assert near.get("k:1") is None
    near.begin(["k:1"])  # once nobody reads it, the key can be kept again
    near.end(["k:1"], {"k:1": b"fresh"})
    assert near.get("k:1") == b"fresh"
    near.begin(["k:2"])
    near.invalidate(None)  # everything: a flush, or a lost connection
    near.end(["k:2"], {"k:2": b"stale"})
    assert near.get("k:2") is None


def test_a_key_outside_the_tracked_prefixes_is_never_kept() -> None:
    near = NearCache(("k:",), max_entries=10, ttl_s=30, metrics=Metrics())
    near.begin(["k:1", "other:1"])
    near.end(["k:1", "other:1"], {"k:1": b"kept", "other:1": b"would go stale"})
    assert near.get("k:1") == b"kept"
    assert near.get("other:1") is None


async def test_a_flush_drops_everything(tracked: Tracked, redis: AnyRedis) -> None:
    _, near = tracked
    await redis.set("t:a:1", "one")
    await redis.set("t:b:1", "one")
    assert await read(tracked, "t:a:1") == await read(tracked, "t:b:1") == b"one"
    await redis.flushdb()
    await eventually(lambda: near.get("t:a:1") is None and near.get("t:b:1") is None)


async def test_a_lost_connection_drops_everything_and_the_next_one_tracks_again(
    tracked: Tracked, redis: AnyRedis
) -> None:
    client, near = tracked
    await redis.set("t:a:1", "one")
    assert await read(tracked, "t:a:1") == b"one"
    (link_id,) = await client.send_raw([("CLIENT", "ID")])
    await redis.execute_command("CLIENT", "KILL", "ID", link_id)
    await eventually(lambda: near.get("t:a:1") is None)
    for _ in range(20):  # the next command connects again
        try:
            assert await read(tracked, "t:a:1") == b"one"
            break
        except ConnectionError:
            await asyncio.sleep(0.05)
    assert near.get("t:a:1") == b"one"
    await redis.set("t:a:1", "two")  # heard on the new connection
    await eventually(lambda: near.get("t:a:1") is None)


async def test_entries_are_bounded_in_number_and_age(tracked: Tracked, redis: AnyRedis) -> None:
    _, near = tracked
    for i in range(4):
        await redis.set(f"t:a:{i}", str(i))
        assert await read(tracked, f"t:a:{i}") == str(i).encode()
    assert near.get("t:a:0") is None  # the oldest of four, over the cap of three
    assert near.get("t:a:3") == b"3"
    near.begin(["t:b:9"])
    near.end(["t:b:9"], {"t:b:9": b"short"}, ttl_s=0.05)
    assert near.get("t:b:9") == b"short"
    await asyncio.sleep(0.1)
    assert near.get("t:b:9") is None


async def test_a_server_refusing_tracking_leaves_the_cache_off_and_the_client_working(
    redis_url: str, redis: AnyRedis
) -> None:
    user = "near-cache-test"
    await redis.execute_command("ACL", "SETUSER", user, "on", ">pw", "~*", "+@all", "-client")
    client = client_from_url(
        redis_url, multiplex=True, socket_timeout=5, username=user, password="pw"
    )
    assert isinstance(client, MultiplexedRedis)
    near = NearCache(("t:a:",), max_entries=10, ttl_s=30, metrics=Metrics())
    client.track(Tracking(near.prefixes, near.invalidate, near.refused))
    try:
        await redis.set("t:a:1", "one")
        assert await read((client, near), "t:a:1") == b"one"
        assert near.enabled is False
        assert near.get("t:a:1") is None  # nothing kept without tracking
    finally:
        await client.aclose()
        await redis.execute_command("ACL", "DELUSER", user)


def entity_cache(tracked: Tracked) -> EntityCache:
    """Values under `t:a:<id>`, read through the tracked connection and its near cache."""
    client, near = tracked
    return EntityCache(
        client, name="t", key=lambda i: f"t:a:{i}", ttl_s=60, metrics=Metrics(), near=near
    )


async def test_set_answers_already_given_are_not_asked_again(
    tracked: Tracked, redis: AnyRedis, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, _ = tracked
    cache = entity_cache(tracked)
    await redis.set("t:a:1", "one")
    await redis.sadd("t:b:set", "complete", "x")
    sent: list[str] = []
    send_raw = client.send_raw

    async def recording(commands: list[tuple[Any, ...]]) -> list[Any]:
        sent.extend(command[0] for command in commands)
        return await send_raw(commands)

    monkeypatch.setattr(client, "send_raw", recording)

    async def ask(*members: str) -> list[bool] | None:
        found, flags = await get_together([(cache, [1])], sets=[("t:b:set", list(members))])
        assert found == [{1: b"one"}]
        return flags[0]

    assert await ask("complete", "x", "y") == [True, True, False]
    assert sent == ["MGET", "SMISMEMBER"]
    assert await ask("complete", "y", "x") == [True, False, True]
    assert sent == ["MGET", "SMISMEMBER"]  # both from process memory
    assert await ask("complete", "z") == [True, False]
    assert sent == ["MGET", "SMISMEMBER", "SMISMEMBER"]  # z was not asked before
    assert await ask("x", "z", "y") == [True, False, False]
    assert sent == ["MGET", "SMISMEMBER", "SMISMEMBER"]  # the answers were merged


async def test_set_answers_are_dropped_when_the_set_changes_or_not_kept_when_incomplete(
    tracked: Tracked, redis: AnyRedis
) -> None:
    _, near = tracked
    cache = entity_cache(tracked)
    await redis.sadd("t:b:set", "complete")
    members = ("t:b:set", ["complete", "x"])
    assert (await get_together([(cache, [1])], sets=[members]))[1][0] == [True, False]
    assert near.get("t:b:set") is not None
    await redis.sadd("t:b:set", "x")
    await eventually(lambda: near.get("t:b:set") is None)
    assert (await get_together([(cache, [1])], sets=[members]))[1][0] == [True, True]
    await redis.delete("t:b:set")
    await eventually(lambda: near.get("t:b:set") is None)
    # without its first member the set's "no" means nothing (not loaded): never kept
    assert (await get_together([(cache, [1])], sets=[members]))[1][0] == [False, False]
    assert near.get("t:b:set") is None
