"""Factories for the event pipeline on the test database and Redis (fast timings)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from social.platform.db.engine import create_engine, session_factory
from social.platform.db.models import OutboxEvent
from social.platform.events import (
    ConsumerGroup,
    Event,
    EventBus,
    EventKeys,
    EventSettings,
    OutboxRelay,
)
from social.platform.events.event import encode_fields
from social.platform.redis.client import AnyRedis
from tests.conftest import empty_tables

KEYS = EventKeys("test:")
FAST = EventSettings(
    relay_sweep_s=0.05, block_ms=50, claim_idle_ms=100, max_deliveries=3, relay_lock_ttl_ms=2_000
)


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    await empty_tables(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return session_factory(engine)


MakeRelay = Callable[..., OutboxRelay]


@pytest.fixture
def make_relay(sessions: async_sessionmaker[AsyncSession], redis: AnyRedis) -> MakeRelay:
    def make(client: AnyRedis | None = None, **options: Any) -> OutboxRelay:
        options.setdefault("sweep_s", 0.05)
        return OutboxRelay(
            sessions,
            client or redis,
            stream_key=KEYS.stream,
            lock_key=KEYS.relay_lock,
            **options,
        )

    return make


class Recorder:
    """A handler that records what it saw and fails for the topics (or times) it is told to."""

    def __init__(self, *, fail_topics: tuple[str, ...] = (), fail_times: int = 0) -> None:
        self.seen: list[Event] = []
        self.fail_topics = fail_topics
        self.fail_times = fail_times

    async def __call__(self, event: Event) -> None:
        self.seen.append(event)
        if event.topic in self.fail_topics:
            raise RuntimeError(f"cannot handle {event.topic}")
        if self.fail_times > 0:
            self.fail_times -= 1
            raise RuntimeError("transient failure")

    @property
    def outbox_ids(self) -> list[int]:
        return [e.outbox_id for e in self.seen]


MakeGroup = Callable[..., ConsumerGroup]


@pytest.fixture
def make_group(redis: AnyRedis) -> MakeGroup:
    def make(group: str, handler: Any, consumer: str = "c1", **options: Any) -> ConsumerGroup:
        settings: dict[str, Any] = {"block_ms": 50, "claim_idle_ms": 100, "max_deliveries": 3}
        return ConsumerGroup(
            redis,
            stream_key=KEYS.stream,
            group=group,
            consumer_name=consumer,
            handler=handler,
            dead_letter_key=KEYS.dead_letters(group),
            **{**settings, **options},
        )

    return make


@pytest.fixture
async def bus(
    sessions: async_sessionmaker[AsyncSession], redis: AnyRedis
) -> AsyncIterator[EventBus]:
    bus = EventBus(sessions, redis, keys=KEYS, settings=FAST, consumer_name="test-1")
    yield bus
    await bus.stop()


async def stop(runner: ConsumerGroup | OutboxRelay, task: asyncio.Task[None]) -> None:
    """As `EventBus.stop` does: the flag first, so the loop ends even if a cancel is lost."""
    runner.stop_soon()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await asyncio.wait_for(task, 5)


async def publish(redis: AnyRedis, *topics: str) -> list[int]:
    """Put events straight into the stream (consumer tests need no database)."""
    ids = []
    for n, topic in enumerate(topics, start=1):
        await redis.xadd(KEYS.stream, encode_fields(n, topic, f'{{"n": {n}}}'))
        ids.append(n)
    return ids


async def outbox_rows(sessions: async_sessionmaker[AsyncSession]) -> list[OutboxEvent]:
    async with sessions() as db:
        return list(await db.scalars(select(OutboxEvent).order_by(OutboxEvent.id)))


async def stream_entries(redis: AnyRedis, key: str = KEYS.stream) -> list[dict[str, str]]:
    entries: Any = await redis.xrange(key)
    return [{k.decode(): v.decode() for k, v in fields.items()} for _, fields in entries]


async def eventually(check: Callable[[], Awaitable[bool]], timeout_s: float = 10.0) -> None:
    """Poll `check` until it holds; fail after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"still not true after {timeout_s} s")
        await asyncio.sleep(0.01)
