"""Redis access: round trips, scripts the server forgot, and store errors."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from trending import AnyRedis, TrendEngine, TrendingError, TrendStoreError, Use

from .conftest import T0, Clock, Traffic, replay, uses


async def test_each_call_is_one_round_trip(
    engine: TrendEngine, clock: Clock, traffic: Traffic
) -> None:
    await engine.load_scripts()
    await replay(engine, clock, uses("warm", range(10), at=T0))  # connections open

    for call in (
        engine.record("x", 1, 1, at=T0),
        engine.record_many(uses("x", range(2, 200), at=T0)),
        engine.top(10, public=False),
        engine.top(10),
        engine.trend("x"),
        engine.history("x"),
        engine.set_review("x", "approved"),
        engine.remove("x", 1, 1, at=T0),
    ):
        before = traffic.sends
        await call
        assert traffic.sends - before == 1


async def test_scripts_are_loaded_again_after_a_flush(
    engine: TrendEngine, client: AnyRedis
) -> None:
    await engine.record("a", 1, 1, at=T0)
    await client.script_flush()
    assert await engine.record("a", 2, 2, at=T0)
    await client.script_flush()
    assert await engine.record_many([Use("a", 3, 3, T0), Use("a", 3, 3, T0)]) == 1
    await client.script_flush()
    assert (await engine.trend("a")).uses == 3


async def test_an_unreachable_store_raises_the_librarys_error(clock: Clock) -> None:
    client = Redis(unix_socket_path="/nonexistent/redis.sock")
    engine = TrendEngine(client, clock=clock)
    try:
        for call in (engine.record("a", 1, 1), engine.top(), engine.history("a")):
            with pytest.raises(TrendStoreError):
                await call
        with pytest.raises(TrendingError):
            await engine.review_state("a")
    finally:
        await client.aclose()
