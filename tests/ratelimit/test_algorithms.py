"""Both strategies against a real Redis: exactness, sliding behaviour, cost, peek."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable

import pytest

from ratelimit import Limit, Limiter, Quota
from ratelimit.types import AnyRedis
from tests.ratelimit.conftest import (
    all_keys,
    connected_client,
    server_time,
    wait_for_window_fraction,
)

BOTH = pytest.mark.parametrize("strategy", ["sliding-window", "sliding-log"])


@BOTH
async def test_concurrent_hits_from_two_clients_admit_exactly_the_limit(
    redis: AnyRedis, redis_url: str, strategy: str
) -> None:
    other = await connected_client(redis_url)
    quota = Quota("burst", (Limit(10, 60),), strategy)
    limiters = [Limiter(redis, timeout_s=5), Limiter(other, timeout_s=5)]
    decisions = await asyncio.gather(*(limiters[i % 2].hit(quota, "u1") for i in range(50)))
    await other.aclose()
    assert sum(d.allowed for d in decisions) == 10
    assert sorted(d.remaining for d in decisions if d.allowed) == list(range(10))
    assert all(d.retry_after_s > 0 for d in decisions if not d.allowed)


async def test_counter_refuses_a_second_burst_right_after_the_window_edge(
    redis: AnyRedis, make_limiter: Callable[..., Limiter]
) -> None:
    limiter = make_limiter()
    quota = Quota("edge", (Limit(10, 1),))
    await wait_for_window_fraction(redis, 1, 0.7)
    first = await asyncio.gather(*(limiter.hit(quota, "u") for _ in range(12)))
    assert sum(d.allowed for d in first) == 10

    await wait_for_window_fraction(redis, 1, 0.05)
    second = await asyncio.gather(*(limiter.hit(quota, "u") for _ in range(10)))
    # a fixed window would admit 10 more here; the counter weighs in the last window's 10
    assert sum(d.allowed for d in second) <= 2

    await wait_for_window_fraction(redis, 1, 0.55)
    third = await asyncio.gather(*(limiter.hit(quota, "u") for _ in range(10)))
    # about 45% of the last window still weighs: 10 * 0.45 = 4.5 used, ~5 admitted
    assert 3 <= sum(d.allowed for d in third) <= 6


async def test_log_admits_again_exactly_when_old_hits_leave_the_window(
    redis: AnyRedis, make_limiter: Callable[..., Limiter]
) -> None:
    limiter = make_limiter()
    quota = Quota("login", (Limit(5, 1),), "sliding-log")
    start = await server_time(redis)
    assert all([(await limiter.hit(quota, "u")).allowed for _ in range(3)])
    await asyncio.sleep(0.4)
    assert all([(await limiter.hit(quota, "u")).allowed for _ in range(2)])
    refused = await limiter.hit(quota, "u")
    assert not refused.allowed
    assert refused.remaining == 0
    assert 0.45 <= refused.retry_after_s <= 0.61  # the first hit leaves at start + 1 s

    await asyncio.sleep(start + 1.05 - await server_time(redis))
    again = [(await limiter.hit(quota, "u")).allowed for _ in range(4)]
    assert again == [True, True, True, False]  # the two later hits are still in the window


@BOTH
async def test_waiting_retry_after_is_enough(
    redis: AnyRedis, make_limiter: Callable[..., Limiter], strategy: str
) -> None:
    limiter = make_limiter()
    quota = Quota("wait", (Limit(4, 1),), strategy)
    await wait_for_window_fraction(redis, 1, 0.2)
    for _ in range(4):
        assert (await limiter.hit(quota, "u")).allowed
    refused = await limiter.hit(quota, "u")
    assert not refused.allowed
    assert 0 < refused.retry_after_s <= 1.1  # counter: 0.8 s to the edge, then 1/4 decays
    await asyncio.sleep(refused.retry_after_s + 0.02)
    assert (await limiter.hit(quota, "u")).allowed


@BOTH
async def test_cost_is_counted_and_a_refused_hit_consumes_nothing(
    make_limiter: Callable[..., Limiter], strategy: str
) -> None:
    limiter = make_limiter()
    quota = Quota("cost", (Limit(10, 60),), strategy)
    assert (await limiter.hit(quota, "u", cost=4)).remaining == 6
    refused = await limiter.hit(quota, "u", cost=7)
    assert not refused.allowed
    assert refused.remaining == 6
    last = await limiter.hit(quota, "u", cost=6)
    assert last.allowed
    assert last.remaining == 0


@BOTH
async def test_a_cost_above_the_limit_is_never_admitted(
    make_limiter: Callable[..., Limiter], strategy: str
) -> None:
    limiter = make_limiter()
    quota = Quota("huge", (Limit(10, 60),), strategy)
    refused = await limiter.hit(quota, "u", cost=11)
    assert not refused.allowed
    assert math.isinf(refused.retry_after_s)
    assert (await limiter.peek(quota, "u")).remaining == 10


@BOTH
async def test_peek_does_not_count(make_limiter: Callable[..., Limiter], strategy: str) -> None:
    limiter = make_limiter()
    quota = Quota("peek", (Limit(3, 60),), strategy)
    for _ in range(5):
        peeked = await limiter.peek(quota, "u")
        assert peeked.allowed
        assert peeked.remaining == 3
    assert (await limiter.hit(quota, "u")).remaining == 2
    assert (await limiter.peek(quota, "u")).remaining == 2


@BOTH
async def test_keys_expire(
    redis: AnyRedis, make_limiter: Callable[..., Limiter], strategy: str
) -> None:
    await make_limiter().hit(Quota("ttl", (Limit(3, 2),), strategy), "u")
    keys = await all_keys(redis)
    assert len(keys) == 1
    assert 0 < await redis.pttl(keys[0]) <= 4000
