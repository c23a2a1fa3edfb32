"""Recording counts at once; scoring follows `settle`, once a tag however many uses it got."""

from __future__ import annotations

import asyncio

from trending import AnyRedis, Settler, TrendEngine

from .conftest import T0, Clock, uses


async def test_counts_show_at_once_and_the_ranking_after_settle(
    engine: TrendEngine, clock: Clock
) -> None:
    clock.now = T0
    await engine.record_many(uses("dawn", range(8), at=T0))

    assert await engine.top(10, public=False) == []
    assert (await engine.trend("dawn")).accounts == 8
    assert await engine.settle() == 1
    (dawn,) = await engine.top(10, public=False)
    assert (dawn.tag, dawn.accounts) == ("dawn", 8)
    assert dawn.score > 0
    assert await engine.settle() == 0  # nothing new


async def test_a_tag_is_scored_once_however_many_calls_used_it(
    engine: TrendEngine, clock: Clock
) -> None:
    clock.now = T0
    for author in range(10):
        await engine.record("dusk", author, 5_000 + author, at=T0)
    assert await engine.settle() == 1
    (dusk,) = await engine.top(10, public=False)
    assert dusk.accounts == 10


async def test_settle_works_through_more_tags_than_one_call_takes(
    engine: TrendEngine, clock: Clock, client: AnyRedis
) -> None:
    clock.now = T0
    await engine.record_many([u for i in range(450) for u in uses(f"t{i}", range(6), at=T0)])
    assert await client.ttl(engine.keys.dirty) > 0  # like every key, it expires
    assert await engine.settle() == 450
    assert len(await engine.top(1000, public=False)) == 450
    assert not await client.exists(engine.keys.dirty)


class CountingEngine(TrendEngine):
    settled = 0

    async def settle(self) -> int:
        self.settled += 1
        return await super().settle()


async def test_the_settler_scores_at_once_when_idle_and_once_an_interval_under_load(
    client: AnyRedis, clock: Clock
) -> None:
    clock.now = T0
    engine = CountingEngine(client, clock=clock)
    settler = Settler(engine, interval_s=0.5)
    try:
        await engine.record_many(uses("first", range(6), at=T0))
        settler.poke()
        await asyncio.sleep(0.1)
        assert [t.tag for t in await engine.top(10, public=False)] == ["first"]
        assert engine.settled == 1

        for i in range(20):  # a busy 0.2 s, within the interval: one scoring at its end
            await engine.record_many(uses(f"busy{i}", range(6), at=T0))
            settler.poke()
            await asyncio.sleep(0.01)
        assert engine.settled == 1
        assert len(await engine.top(100, public=False)) == 1
        await asyncio.sleep(0.5)
        assert engine.settled == 2
        assert len(await engine.top(100, public=False)) == 21
    finally:
        await settler.close()
