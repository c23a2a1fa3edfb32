"""A batch of uses counts exactly what the same uses counted one by one would."""

from __future__ import annotations

import random

from trending import AnyRedis, TrendEngine, Use

from .conftest import T0, Clock, EngineFactory


def _mixed_uses(seed: int, spread_s: float) -> list[Use]:
    """Three tags (one spelled two ways), some authors posting several times over `spread_s`
    before T0, and some statuses repeated (a replayed event)."""
    rng = random.Random(seed)
    fresh = [
        Use(rng.choice(["hot", "Hot", "warm", "cold"]), rng.randrange(40), 1_000 + i,
            T0 - rng.random() * spread_s)
        for i in range(600)
    ]  # fmt: skip
    return fresh + rng.sample(fresh, 50)


async def _both(make_engine: EngineFactory, stream: list[Use]) -> tuple[TrendEngine, ...]:
    """One engine records and scores use by use, the other records all, then scores once."""
    single, batched = make_engine(prefix="one:"), make_engine(prefix="many:")
    counted_one = 0
    for use in stream:
        counted_one += await single.record(*use)
        await single.settle()
    assert await batched.record_many(stream) == counted_one == 600
    await batched.settle()
    return single, batched


async def test_record_many_counts_what_one_by_one_counts(
    make_engine: EngineFactory, client: AnyRedis, clock: Clock
) -> None:
    # over five hours: most uses land in the baseline, the rest in the recent window
    single, batched = await _both(make_engine, _mixed_uses(seed=7, spread_s=5 * 3_600))

    for tag in ("hot", "warm", "cold"):
        a, b = await single.trend(tag), await batched.trend(tag)
        assert a.uses > 0
        assert (a.uses, a.accounts) == (b.uses, b.accounts)
        assert (await single.history(tag)) == (await batched.history(tag))


async def test_record_many_scores_what_one_by_one_scores(
    make_engine: EngineFactory, client: AnyRedis, clock: Clock
) -> None:
    # Within the recent window: scored once for all rather than once a use, the same peaks
    # (the clock stands still and counts only grow). Late uses would differ: one by one, a
    # score taken before the baseline's late uses arrived can stand as the peak.
    single, batched = await _both(make_engine, _mixed_uses(seed=8, spread_s=3_000))

    ranked_one = [(t.tag, round(t.score, 6)) for t in await single.top(10, public=False)]
    ranked_many = [(t.tag, round(t.score, 6)) for t in await batched.top(10, public=False)]
    assert ranked_one == ranked_many
    assert len(ranked_one) == 3, "each tag should trend from nothing"


async def test_removing_in_a_batch_takes_back_each_use_once(
    engine: TrendEngine, clock: Clock
) -> None:
    stream = [Use("gone", author, 5_000 + author, T0 - author) for author in range(30)]
    assert await engine.record_many(stream) == 30

    assert await engine.remove_many(stream + stream[:5]) == 30

    after = await engine.trend("gone")
    assert (after.uses, after.accounts, after.score) == (0, 0, 0.0)
    assert await engine.top(10, public=False) == []
