"""Consumer groups: delivery, acks, retries, take-over, dead letters (real Redis)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

from redis.exceptions import TimeoutError as RedisTimeoutError

from social.platform.events import Event
from social.platform.redis.client import AnyRedis
from tests.platform.events.conftest import (
    KEYS,
    MakeGroup,
    Recorder,
    eventually,
    publish,
    stop,
    stream_entries,
)


async def pending(redis: AnyRedis, group: str) -> int:
    return int((await redis.xpending(KEYS.stream, group))["pending"])


async def test_each_entry_is_handled_once_and_acked(redis: AnyRedis, make_group: MakeGroup) -> None:
    handler = Recorder()
    group = make_group("timelines", handler)
    await group.ensure_group()
    await group.ensure_group()  # BUSYGROUP is fine
    await publish(redis, "status.created", "follow.created", "status.deleted")

    assert await group.process_once() == 3
    assert await group.process_once() == 0

    assert [(e.topic, e.payload, e.outbox_id, e.deliveries) for e in handler.seen] == [
        ("status.created", {"n": 1}, 1, 1),
        ("follow.created", {"n": 2}, 2, 1),
        ("status.deleted", {"n": 3}, 3, 1),
    ]
    entries: Any = await redis.xrange(KEYS.stream)
    ids = [stream_id.decode() for stream_id, _ in entries]
    assert [e.stream_id for e in handler.seen] == ids
    assert await pending(redis, "timelines") == 0


async def test_new_group_reads_retained_history(redis: AnyRedis, make_group: MakeGroup) -> None:
    await publish(redis, "status.created")
    handler = Recorder()
    assert await make_group("late", handler).process_once() == 1
    assert await make_group("only-new", Recorder(), start_id="$").process_once() == 0


async def test_failed_entry_is_retried_with_backoff_then_dead_lettered(
    redis: AnyRedis, make_group: MakeGroup
) -> None:
    handler = Recorder(fail_topics=("poison",))
    group = make_group("timelines", handler, max_deliveries=3, claim_idle_ms=100)
    await publish(redis, "poison", "status.created")
    started = time.monotonic()

    assert await group.process_once() == 2
    assert await pending(redis, "timelines") == 1
    assert await group.process_once() == 0, "not retried before claim_idle_ms"

    async def dead_lettered() -> bool:
        await group.process_once()
        return bool(await redis.xlen(KEYS.dead_letters("timelines")) == 1)

    await eventually(dead_lettered)
    # Retries wait 100 ms, then 200 ms.
    assert time.monotonic() - started >= 0.3
    poison = [e for e in handler.seen if e.topic == "poison"]
    assert [e.deliveries for e in poison] == [1, 2, 3]
    assert [e.topic for e in handler.seen].count("status.created") == 1
    assert await pending(redis, "timelines") == 0

    [letter] = await stream_entries(redis, KEYS.dead_letters("timelines"))
    assert letter["group"] == "timelines"
    assert letter["topic"] == "poison"
    assert letter["payload"] == '{"n": 1}'
    assert letter["outbox_id"] == "1"
    assert letter["deliveries"] == "3"
    assert letter["stream_id"] == poison[0].stream_id
    assert "cannot handle poison" in letter["error"]


async def test_transient_failure_succeeds_on_retry(redis: AnyRedis, make_group: MakeGroup) -> None:
    handler = Recorder(fail_times=1)
    group = make_group("timelines", handler, claim_idle_ms=50)
    await publish(redis, "status.created")
    await group.process_once()

    async def handled() -> bool:
        await group.process_once()
        return await pending(redis, "timelines") == 0

    await eventually(handled)
    assert [e.deliveries for e in handler.seen] == [1, 2]
    assert await redis.xlen(KEYS.dead_letters("timelines")) == 0


async def test_entries_of_a_dead_consumer_are_taken_over(
    redis: AnyRedis, make_group: MakeGroup
) -> None:
    handler = Recorder()
    survivor = make_group("timelines", handler, consumer="survivor", claim_idle_ms=100)
    await survivor.ensure_group()
    await publish(redis, "status.created", "status.created")
    # A consumer reads a batch, then dies before acking it.
    await redis.xreadgroup("timelines", "dead", {KEYS.stream: ">"}, count=10)

    assert await survivor.process_once() == 0
    await asyncio.sleep(0.12)
    assert await survivor.process_once() == 2

    assert [e.outbox_id for e in handler.seen] == [1, 2]
    assert [e.deliveries for e in handler.seen] == [2, 2]
    assert await pending(redis, "timelines") == 0


async def test_a_slow_batch_is_not_taken_over_while_its_consumer_works(
    redis: AnyRedis, make_group: MakeGroup
) -> None:
    class Slow(Recorder):
        async def __call__(self, event: Event) -> None:
            await super().__call__(event)
            await asyncio.sleep(0.06)

    slow, other = Slow(), Recorder()
    worker = make_group("timelines", slow, consumer="worker", claim_idle_ms=100)
    rival = make_group("timelines", other, consumer="rival", claim_idle_ms=100)
    await worker.ensure_group()
    await publish(redis, *["status.created"] * 8)  # about 0.5 s of work, 5x claim_idle_ms

    busy = asyncio.create_task(worker.process_once())
    await asyncio.sleep(0.03)  # the worker has read the batch
    while not busy.done():  # the rival looks for abandoned entries all along
        await rival.process_once()
        await asyncio.sleep(0.02)

    assert await busy == 8
    assert slow.outbox_ids == list(range(1, 9))
    assert other.seen == [], "the rival handled entries the worker was still working through"
    assert [e.deliveries for e in slow.seen] == [1] * 8
    assert await pending(redis, "timelines") == 0


async def test_an_entry_slower_than_the_claim_idle_time_is_handled_once(
    redis: AnyRedis, make_group: MakeGroup
) -> None:
    """Issue 19: under load one entry (a status to a big audience) outlasted `claim_idle_ms`;
    checking the time only between entries, its consumer let it look abandoned, and a rival
    took it over and handled it again: a duplicate on every socket of its audience."""

    class Slow(Recorder):
        async def __call__(self, event: Event) -> None:
            await super().__call__(event)
            await asyncio.sleep(0.4)  # 4x claim_idle_ms, in one entry

    slow, other = Slow(), Recorder()
    worker = make_group("timelines", slow, consumer="worker", claim_idle_ms=100)
    rival = make_group("timelines", other, consumer="rival", claim_idle_ms=100)
    await worker.ensure_group()
    await publish(redis, "status.created", "status.created")

    busy = asyncio.create_task(worker.process_once())
    await asyncio.sleep(0.03)  # the worker has read the batch
    async with asyncio.timeout(10):
        while not busy.done():
            await rival.process_once()
            await asyncio.sleep(0.02)

    assert await busy == 2
    assert slow.outbox_ids == [1, 2]
    assert other.seen == [], "the rival handled an entry the worker was still handling"
    assert await pending(redis, "timelines") == 0


async def test_a_handled_batch_is_acked_through_a_slow_reply(
    redis: AnyRedis, make_group: MakeGroup
) -> None:
    """A timed-out XACK left a handled batch pending, to be handled again; XACK is
    idempotent, so it is retried."""
    handler = Recorder()
    group = make_group("timelines", handler)
    real_xack = redis.xack
    failures = [RedisTimeoutError("Timeout reading from socket")]

    async def flaky_xack(*args: Any) -> Any:
        result = await real_xack(*args)
        if failures:
            raise failures.pop()  # the ack landed; its reply did not
        return result

    await group.ensure_group()
    await publish(redis, "status.created", "status.created")
    redis.xack = flaky_xack  # type: ignore[method-assign,assignment]
    try:
        assert await group.process_once() == 2
    finally:
        redis.xack = real_xack  # type: ignore[method-assign]
    assert handler.outbox_ids == [1, 2]
    assert await pending(redis, "timelines") == 0


async def test_entry_that_keeps_killing_consumers_is_dead_lettered_unhandled(
    redis: AnyRedis, make_group: MakeGroup
) -> None:
    handler = Recorder()
    group = make_group("timelines", handler, max_deliveries=3, claim_idle_ms=50)
    await group.ensure_group()
    [outbox_id] = await publish(redis, "status.created")
    reply: Any = await redis.xreadgroup("timelines", "dead-1", {KEYS.stream: ">"})
    stream_id = reply[0][1][0][0]
    for dead in ("dead-2", "dead-3"):
        await redis.xclaim(KEYS.stream, "timelines", dead, 0, [stream_id])

    async def dead_lettered() -> bool:
        await group.process_once()
        return bool(await redis.xlen(KEYS.dead_letters("timelines")) == 1)

    await eventually(dead_lettered)
    assert handler.seen == []
    [letter] = await stream_entries(redis, KEYS.dead_letters("timelines"))
    assert letter["outbox_id"] == str(outbox_id)
    assert "abandoned" in letter["error"]
    assert await pending(redis, "timelines") == 0


async def test_redis_failing_mid_batch_leaves_only_the_unfinished_entries_pending(
    redis: AnyRedis, make_group: MakeGroup
) -> None:
    """The entries handled before a Redis error are acked: only the rest runs again."""
    handler = Recorder()
    group = make_group("timelines", handler)
    await group.ensure_group()
    await publish(redis, "status.created")
    await redis.xadd(KEYS.stream, {"topic": "status.created", "payload": "not json"})

    async def down(*args: Any) -> None:
        raise RedisTimeoutError("Timeout reading from socket")

    group._dead_letter = down  # type: ignore[method-assign,assignment]
    with contextlib.suppress(RedisTimeoutError):
        await group.process_once()

    assert handler.outbox_ids == [1]
    assert await pending(redis, "timelines") == 1  # the malformed one, not the handled one


async def test_malformed_entry_is_dead_lettered_at_once(
    redis: AnyRedis, make_group: MakeGroup
) -> None:
    handler = Recorder()
    group = make_group("timelines", handler)
    await group.ensure_group()
    await redis.xadd(KEYS.stream, {"topic": "status.created", "payload": "not json"})
    await publish(redis, "status.created")

    assert await group.process_once() == 2

    assert handler.outbox_ids == [1]
    [letter] = await stream_entries(redis, KEYS.dead_letters("timelines"))
    assert "malformed" in letter["error"]
    assert await pending(redis, "timelines") == 0


async def test_pending_entry_trimmed_from_the_stream_is_dropped(
    redis: AnyRedis, make_group: MakeGroup
) -> None:
    handler = Recorder()
    group = make_group("timelines", handler, claim_idle_ms=20)
    await group.ensure_group()
    await publish(redis, "status.created")
    await redis.xreadgroup("timelines", "dead", {KEYS.stream: ">"})
    await redis.xtrim(KEYS.stream, maxlen=0, approximate=False)
    await asyncio.sleep(0.05)

    assert await group.process_once() == 0
    assert handler.seen == []
    assert await pending(redis, "timelines") == 0


async def test_slow_or_failing_group_does_not_hold_up_another(
    redis: AnyRedis, make_group: MakeGroup
) -> None:
    stuck = asyncio.Event()

    async def hangs(_event: Event) -> None:
        await stuck.wait()

    healthy = Recorder()
    groups = [
        make_group("slow", hangs),
        make_group("failing", Recorder(fail_topics=("status.created",))),
        make_group("healthy", healthy),
    ]
    for group in groups:
        await group.ensure_group()
    tasks = [asyncio.create_task(group.run()) for group in groups]
    try:
        await publish(redis, "status.created", "status.created", "status.created")

        async def healthy_done() -> bool:
            return len(healthy.seen) == 3 and await pending(redis, "healthy") == 0

        await eventually(healthy_done)
        assert await pending(redis, "slow") == 3
        assert await pending(redis, "failing") == 3
    finally:
        for group, task in zip(groups, tasks, strict=True):
            await stop(group, task)


async def test_run_recreates_a_group_lost_with_the_stream(
    redis: AnyRedis, make_group: MakeGroup
) -> None:
    handler = Recorder()
    group = make_group("timelines", handler)
    task = asyncio.create_task(group.run())
    try:
        await publish(redis, "status.created")
        await eventually(lambda: _seen(handler, 1))
        await redis.delete(KEYS.stream)
        await asyncio.sleep(0.1)
        await publish(redis, "status.created")
        await eventually(lambda: _seen(handler, 2))
    finally:
        await stop(group, task)


async def _seen(handler: Recorder, count: int) -> bool:
    return len(handler.seen) == count


async def test_idle_consumers_without_pending_entries_are_forgotten(
    redis: AnyRedis, make_group: MakeGroup
) -> None:
    group = make_group("timelines", Recorder(), consumer="current")
    await group.ensure_group()
    await publish(redis, "status.created", "status.created")
    await redis.xreadgroup("timelines", "gone", {KEYS.stream: ">"}, count=1)
    first: Any = await redis.xrange(KEYS.stream, count=1)
    await redis.xack(KEYS.stream, "timelines", first[0][0])
    await redis.xreadgroup("timelines", "crashed", {KEYS.stream: ">"}, count=1)
    # Redis before 7.2 creates a consumer only when a read delivers something: make it exist.
    await redis.xgroup_createconsumer(KEYS.stream, "timelines", "current")
    await group.process_once()
    await asyncio.sleep(0.02)

    assert await group.forget_idle_consumers(idle_ms=10) == 1

    names = {c["name"] for c in await redis.xinfo_consumers(KEYS.stream, "timelines")}
    assert names == {b"current", b"crashed"}


async def test_the_dead_letter_hook_hears_of_each_entry_given_up(
    redis: AnyRedis, make_group: MakeGroup
) -> None:
    told: list[tuple[str, dict[str, Any], str]] = []

    async def hook(topic: str, payload: dict[str, Any], error: str) -> None:
        told.append((topic, payload, error))
        if topic == "twice":
            raise RuntimeError("the hook itself fails: logged, the group carries on")

    handler = Recorder(fail_topics=("poison", "twice"))
    group = make_group(
        "timelines", handler, max_deliveries=2, claim_idle_ms=20, on_dead_letter=hook
    )
    await group.ensure_group()
    await publish(redis, "poison", "twice", "status.created")
    await redis.xadd(KEYS.stream, {"topic": "status.created", "payload": "not json"})

    async def all_dead() -> bool:
        await group.process_once()
        return bool(await redis.xlen(KEYS.dead_letters("timelines")) == 3)

    await eventually(all_dead)
    assert [(topic, payload) for topic, payload, _ in told] == [
        ("poison", {"n": 1}),
        ("twice", {"n": 2}),
    ]  # the malformed entry is dead-lettered without a word to the hook
    assert "cannot handle poison" in told[0][2]
    assert await pending(redis, "timelines") == 0
