"""Only reviewed tags are public trends; admins see everything with its state."""

from __future__ import annotations

import pytest

from trending import Review, TrendEngine

from .conftest import T0, Clock, EngineFactory, replay, uses


async def _three_trends(engine: TrendEngine, clock: Clock) -> None:
    for size, tag in [(20, "approved"), (15, "pending"), (10, "rejected")]:
        await replay(engine, clock, uses(tag, range(size), at=T0))


async def test_only_approved_tags_are_public(engine: TrendEngine, clock: Clock) -> None:
    await _three_trends(engine, clock)
    await engine.set_review("approved", Review.APPROVED)
    await engine.set_review("#Rejected", "rejected")

    assert [t.tag for t in await engine.top(10)] == ["approved"]
    admin = await engine.top(10, public=False)
    assert [(t.tag, t.review) for t in admin] == [
        ("approved", Review.APPROVED),
        ("pending", Review.PENDING),
        ("rejected", Review.REJECTED),
    ]


async def test_trendable_by_default_shows_pending_but_never_rejected(
    make_engine: EngineFactory, clock: Clock
) -> None:
    engine = make_engine(trendable_by_default=True)
    await _three_trends(engine, clock)
    await engine.set_review("rejected", Review.REJECTED)

    assert [t.tag for t in await engine.top(10)] == ["approved", "pending"]


async def test_trendable_by_default_pages_past_many_rejected_tags(
    make_engine: EngineFactory, clock: Clock
) -> None:
    engine = make_engine(trendable_by_default=True)
    for rank in range(40):  # tag00 scores highest
        await replay(engine, clock, uses(f"tag{rank:02}", range(60 - rank), at=T0))
    rejected = {f"tag{rank:02}" for rank in range(40) if rank < 25 or rank % 5 == 0}
    for tag in rejected:
        await engine.set_review(tag, Review.REJECTED)
    shown = [f"tag{rank:02}" for rank in range(40) if f"tag{rank:02}" not in rejected]

    assert [t.tag for t in await engine.top(5)] == shown[:5]
    assert [t.tag for t in await engine.top(5, offset=3)] == shown[3:8]
    assert [t.tag for t in await engine.top(20, offset=10)] == shown[10:]
    assert len(await engine.top(40, public=False)) == 40


async def test_review_before_and_after_the_tag_trends(engine: TrendEngine, clock: Clock) -> None:
    await engine.set_review("early", Review.APPROVED)
    await replay(engine, clock, uses("early", range(8), at=T0))
    assert [t.tag for t in await engine.top(10)] == ["early"]

    await engine.set_review("early", Review.REJECTED)
    assert await engine.top(10) == []
    await replay(engine, clock, uses("early", range(8, 30), at=T0 + 1))
    assert await engine.top(10) == []

    await engine.set_review("early", Review.PENDING)
    assert await engine.top(10) == []
    await engine.set_review("early", Review.APPROVED)
    (early,) = await engine.top(10)
    assert (early.tag, early.accounts) == ("early", 30)


async def test_review_states_default_to_pending_and_persist(
    engine: TrendEngine, client: object
) -> None:
    assert await engine.review_state("unknown") == Review.PENDING
    await engine.set_review("#Calm", Review.APPROVED)
    await engine.set_review("storm", Review.REJECTED)

    assert await engine.review_state("CALM") == Review.APPROVED
    assert await engine.review_states(["calm", "storm", "other"]) == {
        "calm": Review.APPROVED,
        "storm": Review.REJECTED,
        "other": Review.PENDING,
    }
    assert await engine.review_states([]) == {}


async def test_an_unknown_review_state_is_refused(engine: TrendEngine) -> None:
    with pytest.raises(ValueError, match="hidden"):
        await engine.set_review("tag", "hidden")
