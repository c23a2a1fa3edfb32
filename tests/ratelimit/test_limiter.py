"""Several limits and identities per round trip, NOSCRIPT recovery, failure policies."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest
from redis.asyncio import Redis
from redis.crc import key_slot
from redis.exceptions import NoScriptError, ResponseError

from ratelimit import Check, Decision, Limit, Limiter, Quota, StoreError
from ratelimit.types import AnyRedis
from tests.ratelimit.conftest import (
    all_keys,
    evalsha_calls,
    wait_for_window_fraction,
)

TWO_LIMITS = Quota("multi", (Limit(3, 1), Limit(4, 2)), "sliding-log")


async def test_all_limits_must_pass_and_a_refusal_counts_on_none(
    redis: AnyRedis, make_limiter: Callable[..., Limiter]
) -> None:
    limiter = make_limiter()
    hourly_alone = Quota("multi", (Limit(4, 2),), "sliding-log")  # same key as the 2 s limit
    await wait_for_window_fraction(redis, 1, 0.0)
    assert [(await limiter.hit(TWO_LIMITS, "u")).allowed for _ in range(4)] == [1, 1, 1, 0]
    assert (await limiter.peek(hourly_alone, "u")).remaining == 1
    await asyncio.sleep(1.05)
    admitted = [await limiter.hit(TWO_LIMITS, "u") for _ in range(2)]
    assert [d.allowed for d in admitted] == [True, False]
    assert admitted[1].window_s == 2  # refused by the longer limit this time


async def test_several_limits_cost_one_script_call_in_one_round_trip(
    redis: AnyRedis, counted: tuple[Redis, Callable[[], int]]
) -> None:
    client, round_trips = counted
    limiter = Limiter(client, timeout_s=1)
    await limiter.load_scripts()
    before_trips, before_calls = round_trips(), await evalsha_calls(redis)
    decision = await limiter.hit(TWO_LIMITS, "u")
    assert decision.allowed
    assert round_trips() - before_trips == 1
    assert await evalsha_calls(redis) - before_calls == 1
    keys = await all_keys(redis)
    assert len(keys) == 2
    assert len({key_slot(key) for key in keys}) == 1  # one hash tag: one cluster slot


async def test_checks_for_different_identities_share_one_round_trip(
    redis: AnyRedis, counted: tuple[Redis, Callable[[], int]]
) -> None:
    client, round_trips = counted
    limiter = Limiter(client, timeout_s=1)
    await limiter.load_scripts()
    per_ip = Quota("ip", (Limit(2, 60),))
    per_account = Quota("account", (Limit(5, 60), Limit(50, 3600)), "sliding-log")
    checks = [Check(per_ip, "ip:192.0.2.1"), Check(per_account, "account:7", cost=2)]
    before_trips, before_calls = round_trips(), await evalsha_calls(redis)
    decisions = await limiter.check_many(checks)
    assert round_trips() - before_trips == 1
    assert await evalsha_calls(redis) - before_calls == 2
    assert [(d.policy, d.remaining) for d in decisions] == [("ip", 1), ("account", 3)]


async def test_scripts_reload_after_script_flush(
    redis: AnyRedis, make_limiter: Callable[..., Limiter]
) -> None:
    limiter = make_limiter()
    counter, log = Quota("c", (Limit(5, 60),)), Quota("l", (Limit(5, 60),), "sliding-log")
    assert (await limiter.hit(counter, "u")).remaining == 4
    await redis.script_flush()
    assert (await limiter.hit(counter, "u")).remaining == 3
    await redis.script_flush()
    decisions = await limiter.check_many([Check(counter, "u"), Check(log, "u")])
    assert [(d.source, d.remaining) for d in decisions] == [("redis", 2), ("redis", 4)]


async def test_commands_sent_by_the_caller_decide_as_check_many(
    redis: AnyRedis, make_limiter: Callable[..., Limiter]
) -> None:
    """A caller batching the checks with its own commands (the app's home timeline)."""
    limiter = make_limiter()
    quota = Quota("batched", (Limit(2, 60),))
    checks = [Check(quota, "u")]

    async def batched() -> Decision:
        commands = limiter.commands(checks)
        assert commands is not None
        pipe = redis.pipeline(transaction=False)
        for command in commands:
            pipe.execute_command(*command)
        replies = await pipe.execute(raise_on_error=False)
        return (await limiter.decide(checks, replies))[0]

    assert [(d.allowed, d.remaining) for d in [await batched() for _ in range(3)]] == [
        (True, 1),
        (True, 0),
        (False, 0),
    ]
    # A script the server lost ran nowhere: the checks are made again, and counted once.
    await redis.script_flush()
    fresh = [Check(quota, "v")]
    commands = limiter.commands(fresh)
    assert commands is not None
    replies = [await _reply(redis, command) for command in commands]
    assert isinstance(replies[0], NoScriptError)
    assert [(d.allowed, d.remaining) for d in await limiter.decide(fresh, replies)] == [(True, 1)]
    # Any other failure is a store failure: open (this quota's policy), and Redis left alone.
    failed = await limiter.decide(fresh, [ResponseError("boom")])
    assert [d.source for d in failed] == ["fail_open"]
    assert limiter.commands(fresh) is None
    assert [d.source for d in await limiter.decide(fresh, None)] == ["fail_open"]


async def _reply(redis: AnyRedis, command: tuple[object, ...]) -> object:
    try:
        return await redis.execute_command(*command)
    except ResponseError as exc:
        return exc


async def test_redis_down_fails_open_without_raising(dead_redis: Redis) -> None:
    errors: list[StoreError] = []
    seen: list[Decision] = []
    limiter = Limiter(
        dead_redis, timeout_s=0.3, on_store_error=errors.append, on_decision=seen.append
    )
    quota = Quota("api", (Limit(1, 60),))
    decisions = [await limiter.hit(quota, "u") for _ in range(3)]
    assert all(d.allowed and d.source == "fail_open" for d in decisions)
    assert len(errors) == 1  # Redis is left alone for a second after a failure
    assert [d.source for d in seen] == ["fail_open"] * 3


async def test_redis_down_falls_back_to_an_exact_in_process_limit(dead_redis: Redis) -> None:
    limiter = Limiter(dead_redis, timeout_s=0.3, retry_after_failure_s=0)
    quota = Quota("login", (Limit(3, 60),), "sliding-log", on_store_error="fallback")
    decisions = [await limiter.hit(quota, "u") for _ in range(5)]
    assert [d.allowed for d in decisions] == [True, True, True, False, False]
    assert {d.source for d in decisions} == {"fallback"}
    assert decisions[3].retry_after_s > 59
    assert (await limiter.hit(quota, "someone else")).allowed


async def test_a_stalled_redis_costs_at_most_the_timeout() -> None:
    async def never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # hold the connection open until the client goes away
        writer.close()

    server = await asyncio.start_server(never_answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    client = Redis(host="127.0.0.1", port=port)
    limiter = Limiter(client, timeout_s=0.2)
    started = time.monotonic()
    decision = await limiter.hit(Quota("api", (Limit(5, 60),)), "u")
    assert time.monotonic() - started < 0.5
    assert decision.allowed
    assert decision.source == "fail_open"
    await client.aclose()
    server.close()
    await server.wait_closed()


def test_invalid_configuration_is_refused_early() -> None:
    with pytest.raises(ValueError, match="strategy"):
        Quota("q", (Limit(1, 1),), "fixed-window")
    with pytest.raises(ValueError, match="same window"):
        Quota("q", (Limit(1, 1), Limit(2, 1)))
    with pytest.raises(ValueError, match="cost"):
        Check(Quota("q", (Limit(1, 1),)), "u", cost=0)
