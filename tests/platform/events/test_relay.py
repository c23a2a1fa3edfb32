"""The outbox and its relay on the real database and Redis."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC

import orjson
import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from social.platform.events import EventBus, enqueue
from social.platform.redis.client import AnyRedis, client_from_url
from tests.platform.events.conftest import (
    FAST,
    KEYS,
    MakeRelay,
    eventually,
    outbox_rows,
    stop,
    stream_entries,
)

Sessions = async_sessionmaker[AsyncSession]


async def add_events(sessions: Sessions, count: int, topic: str = "status.created") -> None:
    async with sessions() as db:
        for n in range(count):
            enqueue(db, topic, {"n": n})
        await db.commit()


async def test_committed_event_is_published_and_marked_sent(
    sessions: Sessions, redis: AnyRedis, make_relay: MakeRelay
) -> None:
    payload = {"status_id": "123", "text": "héllo #café", "tags": ["café"], "nested": {"a": 1}}
    async with sessions() as db:
        row = enqueue(db, "status.created", payload)
        await db.commit()

    assert await make_relay().relay_once() == 1

    [entry] = await stream_entries(redis)
    assert entry == {
        "topic": "status.created",
        "payload": orjson.dumps(payload).decode(),
        "outbox_id": str(row.id),
    }
    [stored] = await outbox_rows(sessions)
    assert stored.sent_at is not None
    assert stored.sent_at.tzinfo == UTC
    assert await make_relay().relay_once() == 0
    assert await redis.xlen(KEYS.stream) == 1


async def test_rolled_back_event_is_never_published(
    sessions: Sessions, redis: AnyRedis, make_relay: MakeRelay
) -> None:
    async with sessions() as db:
        enqueue(db, "status.created", {"n": 1})
        await db.flush()
        await db.rollback()

    assert await make_relay().relay_once() == 0
    assert await outbox_rows(sessions) == []
    assert await redis.xlen(KEYS.stream) == 0


async def test_bad_topic_is_refused(sessions: Sessions) -> None:
    async with sessions() as db:
        with pytest.raises(ValueError, match="topic"):
            enqueue(db, "", {})
        with pytest.raises(ValueError, match="topic"):
            enqueue(db, "x" * 65, {})


async def test_stream_keeps_outbox_order_across_batches(
    sessions: Sessions, redis: AnyRedis, make_relay: MakeRelay
) -> None:
    for _ in range(3):
        await add_events(sessions, 10)

    assert await make_relay(batch=7).relay_once() == 30

    published = [int(e["outbox_id"]) for e in await stream_entries(redis)]
    assert published == [row.id for row in await outbox_rows(sessions)]
    assert [orjson.loads(e["payload"])["n"] for e in await stream_entries(redis)] == list(
        range(10)
    ) * 3


async def test_concurrent_relays_publish_each_row_once(
    sessions: Sessions, redis: AnyRedis, make_relay: MakeRelay
) -> None:
    await add_events(sessions, 300)
    relays = [make_relay(batch=10) for _ in range(3)]

    async def relay_until_done(relay_index: int) -> None:
        relay = relays[relay_index]
        while any(row.sent_at is None for row in await outbox_rows(sessions)):
            await relay.relay_once()

    await asyncio.gather(*(relay_until_done(i) for i in range(3)))

    published = [int(e["outbox_id"]) for e in await stream_entries(redis)]
    assert published == [row.id for row in await outbox_rows(sessions)]
    assert len(published) == len(set(published)) == 300


async def test_postgres_rows_are_skip_locked_even_without_the_lease(
    database_url: str, sessions: Sessions, redis: AnyRedis, make_relay: MakeRelay
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SKIP LOCKED is PostgreSQL's; SQLite relies on the lease alone")
    await add_events(sessions, 200)
    # A 1 ms lease expires at once: as if every holder stalled and lost it.
    relays = [make_relay(batch=5, lock_ttl_ms=1) for _ in range(4)]

    async def relay_until_done(relay_index: int) -> None:
        while any(row.sent_at is None for row in await outbox_rows(sessions)):
            await relays[relay_index].relay_once()

    await asyncio.gather(*(relay_until_done(i) for i in range(4)))

    published = [int(e["outbox_id"]) for e in await stream_entries(redis)]
    assert sorted(published) == [row.id for row in await outbox_rows(sessions)]
    assert len(published) == len(set(published)) == 200


async def test_redis_down_keeps_rows_until_it_returns(
    sessions: Sessions, redis: AnyRedis, make_relay: MakeRelay
) -> None:
    dead = client_from_url("redis://127.0.0.1:1", socket_connect_timeout=0.2, socket_timeout=0.2)
    try:
        await add_events(sessions, 5)
        down = make_relay(dead)
        with pytest.raises(RedisConnectionError):
            await down.relay_once()

        task = asyncio.create_task(down.run())
        down.wake()
        await asyncio.sleep(0.3)
        assert not task.done(), "the relay loop must survive Redis being down"
        await stop(down, task)
    finally:
        await dead.aclose()
    assert all(row.sent_at is None for row in await outbox_rows(sessions))

    assert await make_relay().relay_once() == 5
    assert len(await stream_entries(redis)) == 5
    assert all(row.sent_at is not None for row in await outbox_rows(sessions))


async def test_run_publishes_when_woken(
    sessions: Sessions, redis: AnyRedis, make_relay: MakeRelay
) -> None:
    relay = make_relay(sweep_s=30.0)
    task = asyncio.create_task(relay.run())
    try:
        await asyncio.sleep(0.05)
        await add_events(sessions, 2)
        relay.wake()

        async def published() -> bool:
            return bool(await redis.xlen(KEYS.stream) == 2)

        await eventually(published, timeout_s=1.0)
    finally:
        await stop(relay, task)


async def test_run_sweeps_up_rows_nobody_woke_it_for(
    sessions: Sessions, redis: AnyRedis, make_relay: MakeRelay
) -> None:
    relay = make_relay(sweep_s=0.05)
    task = asyncio.create_task(relay.run())
    try:
        await add_events(sessions, 3)

        async def published() -> bool:
            return bool(await redis.xlen(KEYS.stream) == 3)

        await eventually(published, timeout_s=1.0)
    finally:
        await stop(relay, task)


async def test_prune_deletes_only_sent_rows(sessions: Sessions, make_relay: MakeRelay) -> None:
    await add_events(sessions, 3)
    relay = make_relay(retention_s=0)
    await relay.relay_once()
    await add_events(sessions, 2)
    await asyncio.sleep(0.002)

    assert await relay.prune() == 3
    remaining = await outbox_rows(sessions)
    assert len(remaining) == 2
    assert all(row.sent_at is None for row in remaining)
    assert await make_relay(retention_s=3600).prune() == 0


async def test_a_process_without_a_relay_wakes_the_relay_of_another(
    sessions: Sessions, redis: AnyRedis
) -> None:
    """Servers beside `social worker` run no relay: their commits wake the worker's over Redis
    instead of waiting for its sweep."""
    slow_sweep = dataclasses.replace(FAST, relay_sweep_s=30.0)
    worker = EventBus(sessions, redis, keys=KEYS, settings=slow_sweep, consumer_name="w")
    server = EventBus(sessions, redis, keys=KEYS, settings=slow_sweep, consumer_name="s")
    await worker.start(consumers=False)
    await server.start(relay=False, consumers=False)
    try:
        await asyncio.sleep(0.3)  # the worker's relay has made its first pass and listens
        await add_events(sessions, 2)
        server.wake()
        loop = asyncio.get_running_loop()
        started = loop.time()
        await eventually(lambda: _published(redis, 2), timeout_s=5.0)
        assert loop.time() - started < 2.0, "published by the 30 s sweep, not by the wake"
    finally:
        await server.stop()
        await worker.stop()


async def _published(redis: AnyRedis, count: int) -> bool:
    return int(await redis.xlen(KEYS.stream)) == count
