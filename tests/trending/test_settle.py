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
    """Notes when each scoring begins (loop time)."""

    began: list[float]

    async def settle(self) -> int:
        self.began.append(asyncio.get_running_loop().time())
        return await super().settle()

    @property
    def settled(self) -> int:
        return len(self.began)


async def test_the_settler_scores_at_once_when_idle_and_once_an_interval_under_load(
    client: AnyRedis, clock: Clock
) -> None:
    clock.now = T0
    engine = CountingEngine(client, clock=clock)
    engine.began = []
    settler = Settler(engine, interval_s=2.0)
    loop = asyncio.get_running_loop()

    async def settled(times: int) -> None:
        deadline = loop.time() + 10
        while engine.settled < times:
            assert loop.time() < deadline, f"not scored {times} times"
            await asyncio.sleep(0.01)

    try:
        await engine.record_many(uses("first", range(6), at=T0))
        poked = loop.time()
        settler.poke()
        await settled(1)
        assert engine.began[0] - poked < 1.0  # at once, not an interval later
        assert [t.tag for t in await engine.top(10, public=False)] == ["first"]

        for i in range(20):  # busy, well within the interval: they wait for the next turn
            await engine.record_many(uses(f"busy{i}", range(6), at=T0))
            settler.poke()
        assert engine.settled == 1
        await settled(2)
        assert engine.began[1] - engine.began[0] >= 1.95  # an interval after the first began
        assert len(await engine.top(100, public=False)) == 21
        await asyncio.sleep(0.1)
        assert engine.settled == 2  # nothing poked since: no third
    finally:
        await settler.close()
