"""What an admin watching the trends expects: velocity among many people, not volume."""

from __future__ import annotations

import math

import pytest

from trending import TrendEngine, surprise

from .conftest import HOUR_S, T0, Clock, EngineFactory, replay, steady, uses


async def test_a_spike_among_many_authors_outranks_a_steady_high_volume_tag(
    engine: TrendEngine, clock: Clock
) -> None:
    await replay(engine, clock, steady("news", range(1000, 1040), hours=25))
    await replay(engine, clock, uses("eclipse", range(30), at=clock.now + 60))

    eclipse, news = await engine.top(2, public=False)

    assert eclipse.tag == "eclipse"
    assert eclipse.score == pytest.approx(surprise(30, 1.0))
    assert news.tag == "news"
    assert news.uses == news.accounts == 40 > eclipse.uses == 30
    assert news.score < eclipse.score / 100, "a steady tag has decayed from its first hour"


async def test_a_steady_tag_scores_nothing_against_its_own_baseline(
    engine: TrendEngine, clock: Clock
) -> None:
    await replay(engine, clock, steady("news", range(40), hours=24))
    clock.advance(HOUR_S)  # the first hours' peak decays by 12.5 half-lives...
    await replay(engine, clock, steady("news", range(40), hours=1, start=clock.now))

    # ...and a whole hour of the same people as every hour is no rise at all
    assert (await engine.trend("news")).score < 0.5


async def test_a_rise_above_the_baseline_scores_its_surprise(
    engine: TrendEngine, clock: Clock
) -> None:
    await replay(engine, clock, steady("news", range(10), hours=25))
    await replay(engine, clock, uses("news", range(100, 130), at=clock.now + 300))

    # observed: 10 regulars + 30 newcomers; expected: 10 distinct authors an hour
    assert (await engine.trend("news")).score == pytest.approx(surprise(40, 10.0))


async def test_one_author_posting_a_hundred_times_scores_like_one_author(
    engine: TrendEngine, clock: Clock
) -> None:
    await replay(engine, clock, uses("spam", [666] * 100, at=T0 + 10))
    await replay(engine, clock, uses("quiet", [1], at=T0 + 10))

    spam, quiet = await engine.trend("spam"), await engine.trend("quiet")

    assert (spam.uses, spam.accounts, spam.score) == (100, 1, 0.0)
    assert (quiet.accounts, quiet.score) == (1, 0.0)
    assert await engine.top(10, public=False) == []


async def test_a_spammer_among_real_authors_counts_once(engine: TrendEngine, clock: Clock) -> None:
    await replay(engine, clock, uses("spammed", [666] * 100 + [1, 2, 3, 4], at=T0 + 10))
    await replay(engine, clock, uses("honest", [666, 1, 2, 3, 4], at=T0 + 10))

    spammed, honest = await engine.trend("spammed"), await engine.trend("honest")

    assert spammed.accounts == honest.accounts == 5
    assert spammed.score == pytest.approx(honest.score) == pytest.approx(surprise(5, 1.0))


async def test_below_min_accounts_scores_zero(make_engine: EngineFactory, clock: Clock) -> None:
    engine = make_engine(min_accounts=8)
    await replay(engine, clock, uses("almost", range(7), at=T0))
    assert (await engine.trend("almost")).score == 0.0

    await replay(engine, clock, uses("almost", [7], at=T0 + 1))
    assert (await engine.trend("almost")).score == pytest.approx(surprise(8, 1.0))


async def test_the_score_decays_from_its_peak_with_the_half_life(
    make_engine: EngineFactory, clock: Clock
) -> None:
    engine = make_engine(half_life_s=1_800)
    await replay(engine, clock, uses("flash", range(20), at=T0))
    peak = (await engine.trend("flash")).score

    clock.advance(1_800)
    assert (await engine.trend("flash")).score == pytest.approx(peak / 2)
    clock.advance(1_800)
    assert (await engine.trend("flash")).score == pytest.approx(peak / 4)
    (flash,) = await engine.top(1, public=False)
    assert flash.score == pytest.approx(peak / 4)

    clock.advance(1_800 * math.log2(peak / engine.settings.forget_below))
    assert await engine.top(1, public=False) == []
    assert (await engine.trend("flash")).score == 0.0


async def test_a_fresh_tag_outranks_a_decayed_bigger_one(engine: TrendEngine, clock: Clock) -> None:
    await replay(engine, clock, uses("yesterday", range(50), at=T0))
    clock.advance(6 * HOUR_S)
    await replay(engine, clock, uses("today", range(100, 120), at=clock.now))

    assert [t.tag for t in await engine.top(2, public=False)] == ["today", "yesterday"]
    assert surprise(50, 1.0) > surprise(20, 1.0)


async def test_top_pages_with_offset(engine: TrendEngine, clock: Clock) -> None:
    for size, tag in enumerate(["a", "b", "c", "d"], start=6):
        await replay(engine, clock, uses(tag, range(size), at=T0))

    assert [t.tag for t in await engine.top(2, public=False)] == ["d", "c"]
    assert [t.tag for t in await engine.top(2, public=False, offset=2)] == ["b", "a"]
    assert await engine.top(0, public=False) == []


async def test_uses_leave_the_recent_window(engine: TrendEngine, clock: Clock) -> None:
    await replay(engine, clock, uses("gone", range(6), at=T0))

    clock.advance(HOUR_S - 300)
    assert (await engine.trend("gone")).accounts == 6
    clock.advance(300)
    gone = await engine.trend("gone")
    assert (gone.uses, gone.accounts) == (0, 0)
    assert gone.score > 0, "the peak decays; it does not vanish with the window"


async def test_uses_older_than_the_windows_are_ignored(engine: TrendEngine, clock: Clock) -> None:
    clock.now = T0 + 26 * HOUR_S
    assert not await engine.record("old", 1, 1, at=T0)
    assert await engine.record_many(uses("old", range(5), at=T0)) == 0


async def test_the_baseline_forgets_uses_that_have_left_it(
    engine: TrendEngine, clock: Clock
) -> None:
    # 40 people an hour for a day, then a day and an hour of silence: every one of those
    # buckets is now older than the baseline window (the 24 hours before the recent hour)
    await replay(engine, clock, steady("news", range(40), hours=24))
    clock.advance(25 * HOUR_S + 300)
    await replay(engine, clock, uses("news", range(100, 110), at=clock.now))

    # nothing expected any more (the minimum, one author): ten newcomers are a surprise
    assert (await engine.trend("news")).score == pytest.approx(surprise(10, 1.0))


async def test_the_baseline_ends_where_the_recent_window_begins(
    engine: TrendEngine, clock: Clock
) -> None:
    # 40 people in the hour just before the recent one: the baseline's newest hour
    await replay(engine, clock, steady("news", range(40), hours=1))
    clock.advance(HOUR_S)
    await replay(engine, clock, uses("news", range(100, 200), at=clock.now))

    # 40 author-buckets in 24 baseline hours: 40/24 expected in an hour, 100 seen (a rise
    # above the first hour's peak, decayed by half since)
    assert (await engine.trend("news")).score == pytest.approx(surprise(100, 40 / 24))
