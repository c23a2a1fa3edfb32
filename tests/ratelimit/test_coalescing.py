"""Checks made in the same event-loop tick share one pipeline, each one still exact and
failing on its own."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest
from redis.asyncio import Redis

from ratelimit import Limit, Limiter, Quota, StoreError
from ratelimit.keys import limit_keys
from ratelimit.types import AnyRedis
from tests.ratelimit.conftest import evalsha_calls

BOTH = pytest.mark.parametrize("strategy", ["sliding-window", "sliding-log"])


@BOTH
async def test_concurrent_hits_go_in_one_round_trip_and_admit_exactly_the_limit(
    redis: AnyRedis, counted: tuple[Redis, Callable[[], int]], strategy: str
) -> None:
    client, round_trips = counted
    limiter = Limiter(client, timeout_s=5)
    await limiter.load_scripts()
    quota = Quota("burst", (Limit(50, 60),), strategy)
    before_trips, before_calls = round_trips(), await evalsha_calls(redis)
    decisions = await asyncio.gather(*(limiter.hit(quota, "u") for _ in range(200)))
    assert round_trips() - before_trips == 1
    assert await evalsha_calls(redis) - before_calls == 200  # still one script per check
    assert sum(d.allowed for d in decisions) == 50
    assert sorted(d.remaining for d in decisions if d.allowed) == list(range(50))


@BOTH
async def test_batched_hits_are_exact_on_every_backend(
    redis: AnyRedis, make_limiter: Callable[..., Limiter], strategy: str
) -> None:
    # exactness is the subject, not the store's timeout: 400 scripts on a cluster sharing
    # the machine with another suite have taken longer than the default second to answer
    limiter = make_limiter(timeout_s=5)
    quota = Quota("burst", (Limit(50, 60),), strategy)
    before = await evalsha_calls(redis)
    # four identities: several slots, so several nodes of a cluster, in one batch
    decisions = await asyncio.gather(*(limiter.hit(quota, f"u{i % 4}") for i in range(400)))
    assert await evalsha_calls(redis) - before >= 400
    assert [sum(d.allowed for d in decisions[i::4]) for i in range(4)] == [50] * 4


async def test_a_failed_batch_fails_each_check_by_its_own_policy(dead_redis: Redis) -> None:
    errors: list[StoreError] = []
    limiter = Limiter(dead_redis, timeout_s=0.3, on_store_error=errors.append)
    api = Quota("api", (Limit(1, 60),))
    login = Quota("login", (Limit(3, 60),), "sliding-log", on_store_error="fallback")
    checks = [limiter.hit(api, "u") for _ in range(5)] + [limiter.hit(login, "u") for _ in range(5)]
    decisions = await asyncio.gather(*checks)
    assert [(d.source, d.allowed) for d in decisions[:5]] == [("fail_open", True)] * 5
    assert [d.allowed for d in decisions[5:]] == [True, True, True, False, False]
    assert {d.source for d in decisions[5:]} == {"fallback"}
    assert len(errors) == 1  # one outage, reported once


async def test_one_failing_script_fails_only_its_own_check(
    redis: AnyRedis, make_limiter: Callable[..., Limiter]
) -> None:
    limiter = make_limiter()
    quota = Quota("api", (Limit(5, 60),))
    broken = limit_keys("", quota, "broken", "sw")[0]
    await redis.set(broken, "not a hash")  # WRONGTYPE inside that check's script
    decisions = await asyncio.gather(
        limiter.hit(quota, "fine"), limiter.hit(quota, "broken"), limiter.hit(quota, "also fine")
    )
    assert [(d.source, d.remaining) for d in decisions] == [
        ("redis", 4),
        ("fail_open", 5),
        ("redis", 4),
    ]


async def test_a_cancelled_check_leaves_the_rest_of_its_batch_alone(
    make_limiter: Callable[..., Limiter],
) -> None:
    limiter = make_limiter()
    quota = Quota("api", (Limit(5, 60),), "sliding-log")
    first = asyncio.ensure_future(limiter.hit(quota, "u"))
    second = asyncio.ensure_future(limiter.hit(quota, "u"))
    await asyncio.sleep(0)  # both have joined the batch
    first.cancel()
    decision = await second
    assert decision.source == "redis"
    assert first.cancelled()
    assert (await limiter.peek(quota, "u")).remaining == 3  # the batch was still sent whole


async def test_a_stalled_redis_costs_a_whole_batch_at_most_the_timeout() -> None:
    async def never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()
        writer.close()

    server = await asyncio.start_server(never_answer, "127.0.0.1", 0)
    client = Redis(host="127.0.0.1", port=server.sockets[0].getsockname()[1])
    limiter = Limiter(client, timeout_s=0.2)
    quota = Quota("login", (Limit(1, 60),), "sliding-log", on_store_error="fallback")
    started = time.monotonic()
    decisions = await asyncio.gather(*(limiter.hit(quota, "u") for _ in range(20)))
    assert time.monotonic() - started < 0.5
    assert [d.allowed for d in decisions] == [True] + [False] * 19
    await client.aclose()
    server.close()
    await server.wait_closed()


async def test_without_coalescing_each_check_is_its_own_round_trip(
    counted: tuple[Redis, Callable[[], int]],
) -> None:
    client, round_trips = counted
    limiter = Limiter(client, timeout_s=5, coalesce=False)
    quota = Quota("api", (Limit(50, 60),))
    await asyncio.gather(*(limiter.hit(quota, "u") for _ in range(10)))  # opens 10 connections
    before = round_trips()
    await asyncio.gather(*(limiter.hit(quota, "u") for _ in range(10)))
    assert round_trips() - before == 10
