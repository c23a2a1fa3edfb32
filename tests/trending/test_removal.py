"""Deleted posts take their uses back; redelivered events count once."""

from __future__ import annotations

import pytest

from trending import TrendEngine, Use, surprise

from .conftest import HOUR_S, T0, Clock, replay, uses


async def test_removing_the_posts_takes_the_tag_back_out(engine: TrendEngine, clock: Clock) -> None:
    posted = uses("hoax", range(12), at=T0)
    await replay(engine, clock, posted)
    assert [t.tag for t in await engine.top(5, public=False)] == ["hoax"]

    assert await engine.remove_many(posted) == 12

    hoax = await engine.trend("hoax")
    assert (hoax.score, hoax.uses, hoax.accounts) == (0.0, 0, 0)
    assert await engine.top(5, public=False) == []
    history = await engine.history("hoax", days=1)
    assert history.buckets[0].uses == history.days[0].uses == 0
    assert history.days[0].accounts == 0


async def test_removing_some_posts_lowers_the_counts_and_the_score(
    engine: TrendEngine, clock: Clock
) -> None:
    posted = uses("storm", range(12), at=T0)
    await replay(engine, clock, posted)
    clock.advance(600)

    for use in posted[:4]:
        assert await engine.remove(use.tag, use.author_id, use.status_id, use.at)

    storm = await engine.trend("storm")
    assert (storm.uses, storm.accounts) == (8, 8)
    assert storm.score == pytest.approx(surprise(8, 1.0))


async def test_removing_posts_after_the_window_lowers_the_decaying_peak(
    engine: TrendEngine, clock: Clock
) -> None:
    posted = uses("rumour", range(12), at=T0)
    await replay(engine, clock, posted)
    clock.advance(2 * HOUR_S)
    assert (await engine.trend("rumour")).score == pytest.approx(surprise(12, 1.0) / 2)

    assert await engine.remove_many(posted[:4]) == 4

    assert (await engine.trend("rumour")).score == pytest.approx(surprise(8, 1.0) / 2)


async def test_removing_below_min_accounts_zeroes_the_score(
    engine: TrendEngine, clock: Clock
) -> None:
    posted = uses("thin", range(5), at=T0)
    await replay(engine, clock, posted)
    assert (await engine.trend("thin")).score > 0

    await engine.remove_many(posted[:1])

    assert (await engine.trend("thin")).score == 0.0


async def test_an_author_with_another_post_in_the_window_still_counts(
    engine: TrendEngine, clock: Clock
) -> None:
    first = Use("chat", 7, 1001, T0)
    second = Use("chat", 7, 1002, T0 + 900)
    await replay(engine, clock, [first, second])

    assert await engine.remove(*second)
    chat = await engine.trend("chat")
    assert (chat.uses, chat.accounts) == (1, 1)

    assert await engine.remove(*first)
    chat = await engine.trend("chat")
    assert (chat.uses, chat.accounts) == (0, 0)


async def test_removing_twice_or_what_was_never_recorded_changes_nothing(
    engine: TrendEngine, clock: Clock
) -> None:
    await engine.record("once", 1, 50, at=T0)

    assert await engine.remove("once", 1, 50, at=T0)
    assert not await engine.remove("once", 1, 50, at=T0)
    assert not await engine.remove("never", 1, 51, at=T0)
    assert (await engine.history("once", days=1)).days[0].uses == 0


async def test_recording_the_same_status_twice_counts_once(
    engine: TrendEngine, clock: Clock
) -> None:
    assert await engine.record("#Echo", 1, 77, at=T0)
    assert not await engine.record("echo", 1, 77, at=T0)
    redelivered = [Use("echo", 1, 77, T0), Use("echo", 2, 78, T0), Use("echo", 2, 78, T0)]
    assert await engine.record_many(redelivered) == 1

    echo = await engine.trend("echo")
    assert (echo.uses, echo.accounts) == (2, 2)
    history = await engine.history("echo", days=1)
    assert (history.days[0].uses, history.days[0].accounts) == (2, 2)


async def test_one_status_may_carry_several_tags(engine: TrendEngine) -> None:
    assert await engine.record("a", 1, 5, at=T0)
    assert await engine.record("b", 1, 5, at=T0)
    assert (await engine.trend("a")).uses == (await engine.trend("b")).uses == 1


async def test_removals_lower_the_buckets_uses_and_authors(
    engine: TrendEngine, clock: Clock
) -> None:
    posted = [Use("knit", 1, 2001, T0), Use("knit", 1, 2002, T0 + 5), Use("knit", 2, 2003, T0)]
    await replay(engine, clock, posted)

    async def bucket() -> tuple[int, int]:
        point = (await engine.history("knit", buckets=1)).buckets[0]
        return point.uses, point.accounts

    assert await bucket() == (3, 2)
    assert await engine.remove(*posted[1])
    assert await bucket() == (2, 2), "author 1 still has a post in the bucket"
    assert await engine.remove(*posted[0])
    assert await bucket() == (1, 1)
    assert await engine.remove(*posted[2])
    assert await bucket() == (0, 0)
