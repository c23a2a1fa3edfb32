"""The bus end to end: enqueue in a transaction, relay, groups, drain, stats, start/stop."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from social.platform.events import Event, EventBus, enqueue
from social.platform.redis.client import AnyRedis, client_from_url
from tests.platform.events.conftest import FAST, KEYS, Recorder, eventually, outbox_rows

Sessions = async_sessionmaker[AsyncSession]


async def post(sessions: Sessions, bus: EventBus, *topics: str) -> list[int]:
    async with sessions() as db:
        rows = [enqueue(db, topic, {"i": i}) for i, topic in enumerate(topics)]
        await db.commit()
    bus.wake()
    return [row.id for row in rows]


async def test_drain_delivers_every_event_to_every_group(sessions: Sessions, bus: EventBus) -> None:
    timelines, notifications = Recorder(), Recorder()
    bus.register("timelines", timelines)
    bus.register("notifications", notifications)
    ids = await post(sessions, bus, "status.created", "follow.created", "status.deleted")

    await bus.drain()

    assert timelines.outbox_ids == ids
    assert notifications.outbox_ids == ids
    stats = await bus.stats()
    assert stats["length"] == 3
    assert stats["outbox_unsent"] == 0
    for name in ("timelines", "notifications"):
        group = stats["groups"][name]
        assert (group["pending"], group["lag"], group["dead_letters"]) == (0, 0, 0)
        assert group["consumers"] == 1
        assert group["exists"] is True


async def test_drain_includes_retries_and_dead_letters(sessions: Sessions, bus: EventBus) -> None:
    flaky, broken = Recorder(fail_times=1), Recorder(fail_topics=("status.created",))
    bus.register("flaky", flaky)
    bus.register("broken", broken)
    await post(sessions, bus, "status.created")

    await bus.drain()

    assert [e.deliveries for e in flaky.seen] == [1, 2]
    assert [e.deliveries for e in broken.seen] == [1, 2, FAST.max_deliveries]
    stats = (await bus.stats())["groups"]
    assert (stats["flaky"]["pending"], stats["flaky"]["dead_letters"]) == (0, 0)
    assert (stats["broken"]["pending"], stats["broken"]["dead_letters"]) == (0, 1)


async def test_drain_times_out_when_a_group_cannot_finish(
    sessions: Sessions, redis: AnyRedis
) -> None:
    slow = EventBus(sessions, redis, keys=KEYS, settings=FAST)
    stuck = asyncio.Event()

    async def hangs(_event: Event) -> None:
        await stuck.wait()

    slow.register("slow", hangs)
    await post(sessions, slow, "status.created")
    with pytest.raises(TimeoutError, match="not drained"):
        await slow.drain(timeout_s=0.2)


async def test_stats_count_lag_pending_and_unsent(
    sessions: Sessions, redis: AnyRedis, bus: EventBus
) -> None:
    idle = bus.register("idle", Recorder())
    bus.register("busy", Recorder())
    assert (await bus.stats())["groups"]["idle"]["exists"] is False
    await idle.ensure_group()
    await post(sessions, bus, *["status.created"] * 5)
    await bus.relay.relay_once()
    await bus.groups["busy"].process_once()
    await redis.xgroup_create(KEYS.stream, "reader", id="0")
    await redis.xreadgroup("reader", "someone", {KEYS.stream: ">"}, count=2)
    await post(sessions, bus, "status.created", "status.created")

    stats = await bus.stats()

    assert stats["stream"] == KEYS.stream
    assert stats["length"] == 5
    assert stats["outbox_unsent"] == 2
    groups = stats["groups"]
    assert (groups["idle"]["lag"], groups["idle"]["pending"]) == (5, 0)
    assert (groups["busy"]["lag"], groups["busy"]["pending"]) == (0, 0)
    assert (groups["reader"]["lag"], groups["reader"]["pending"]) == (3, 2)
    assert groups["reader"]["last_delivered_id"] is not None


async def test_started_bus_delivers_after_wake_and_stops_cleanly(
    sessions: Sessions, redis: AnyRedis, redis_url: str
) -> None:
    reader = client_from_url(redis_url, socket_timeout=5)
    bus = EventBus(sessions, redis, keys=KEYS, settings=FAST, reader=reader)
    handler = Recorder()
    bus.register("timelines", handler)
    await bus.start()
    try:
        with pytest.raises(RuntimeError):
            bus.register("late", Recorder())
        ids = await post(sessions, bus, "status.created", "status.created")

        async def delivered() -> bool:
            return handler.outbox_ids == ids

        await eventually(delivered)
    finally:
        await bus.stop()
        await reader.aclose()
    assert all(row.sent_at is not None for row in await outbox_rows(sessions))


async def test_stop_lets_the_entry_in_hand_finish(sessions: Sessions, redis: AnyRedis) -> None:
    started = asyncio.Event()
    finished: list[int] = []

    async def slow(event: Event) -> None:
        started.set()
        await asyncio.sleep(0.1)
        finished.append(event.outbox_id)

    bus = EventBus(sessions, redis, keys=KEYS, settings=FAST)
    bus.register("timelines", slow)
    await bus.start()
    ids = await post(sessions, bus, "status.created")
    async with asyncio.timeout(3):
        await started.wait()
    await bus.stop()

    assert finished == ids
    assert (await bus.stats())["groups"]["timelines"]["pending"] == 0


async def test_consumer_stopped_mid_event_loses_nothing_and_duplicates_nothing(
    sessions: Sessions, redis: AnyRedis
) -> None:
    started, never = asyncio.Event(), asyncio.Event()
    done: list[int] = []

    async def first_run(event: Event) -> None:
        if event.payload["i"] == 1:
            started.set()
            await never.wait()
        done.append(event.outbox_id)

    first = EventBus(sessions, redis, keys=KEYS, settings=FAST, consumer_name="first")
    first.register("timelines", first_run)
    await first.start()
    ids = await post(sessions, first, "status.created", "status.created", "status.created")
    async with asyncio.timeout(3):
        await started.wait()
    await first.stop(timeout_s=0.2)
    assert done == ids[:1]

    async def second_run(event: Event) -> None:
        done.append(event.outbox_id)

    second = EventBus(sessions, redis, keys=KEYS, settings=FAST, consumer_name="second")
    second.register("timelines", second_run)
    await second.drain()

    assert sorted(done) == ids
    assert (await second.stats())["groups"]["timelines"]["pending"] == 0


async def test_events_committed_while_redis_is_down_arrive_when_it_returns(
    sessions: Sessions, redis: AnyRedis
) -> None:
    dead = client_from_url("redis://127.0.0.1:1", socket_connect_timeout=0.2, socket_timeout=0.2)
    down = EventBus(sessions, dead, keys=KEYS, settings=FAST)
    down.register("timelines", Recorder())
    await down.start()
    try:
        ids = await post(sessions, down, "status.created", "follow.created")
        await asyncio.sleep(0.3)
    finally:
        await down.stop()
        await dead.aclose()
    assert all(row.sent_at is None for row in await outbox_rows(sessions))

    handler = Recorder()
    up = EventBus(sessions, redis, keys=KEYS, settings=FAST)
    up.register("timelines", handler)
    await up.drain()
    assert handler.outbox_ids == ids


async def test_register_twice_is_refused(bus: EventBus) -> None:
    bus.register("timelines", Recorder())
    with pytest.raises(ValueError, match="already registered"):
        bus.register("timelines", Recorder())


async def test_a_wake_for_relays_elsewhere_does_not_outlive_stop(
    sessions: Sessions, redis: AnyRedis, redis_url: str
) -> None:
    """Without a relay of its own (a server beside `social worker`) a commit wakes the relays
    elsewhere with a PUBLISH in the background. Stopping the bus ends it: left pending, it
    ran after the process had closed its Redis client, on sockets nobody closed (a cluster
    client opens them anew to map the cluster), the cluster runs' unclosed-socket warning."""
    client = client_from_url(redis_url, socket_timeout=5)
    bus = EventBus(sessions, client, keys=KEYS, settings=FAST)
    listener = redis.pubsub()
    await listener.subscribe(KEYS.relay_wake)
    try:
        await post(sessions, bus, "status.created")  # no relay started here: announced
        pending = [t for t in asyncio.all_tasks() if "_announce" in repr(t.get_coro())]
        assert pending
        await bus.stop()
        assert all(task.done() for task in pending)
        message = None
        for _ in range(50):
            message = await listener.get_message(ignore_subscribe_messages=True, timeout=0.1)
            if message is not None:
                break
        assert message is not None  # let finish, not cut off: the relays elsewhere heard it
    finally:
        await listener.aclose()
        await client.aclose()
