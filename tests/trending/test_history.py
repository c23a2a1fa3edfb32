"""Sparklines: uses and accounts per bucket and per day, as Mastodon's Tag `history`."""

from __future__ import annotations

from trending import Point, TrendEngine, Use

from .conftest import HOUR_S, T0, Clock, EngineFactory, replay, uses

DAY_S = 24 * HOUR_S


async def test_buckets_and_days_newest_first(engine: TrendEngine, clock: Clock) -> None:
    yesterday = T0 + DAY_S - 2 * HOUR_S
    today = T0 + DAY_S
    stream = [
        *uses("cats", [1, 1, 2], at=yesterday),
        *uses("cats", [1, 2, 3], at=today + 60),  # bucket 0 of today
        *uses("cats", [3, 4], at=today + 700),  # bucket 2 of today
        *uses("dogs", [9], at=today + 700),
    ]
    await replay(engine, clock, stream)

    history = await engine.history("cats", days=3, buckets=4)

    assert history.tag == "cats"
    assert history.buckets == [
        Point(int(today) + 600, 2, 2),
        Point(int(today) + 300, 0, 0),
        Point(int(today), 3, 3),
        Point(int(today) - 300, 0, 0),
    ]
    assert history.days == [
        Point(int(today), 5, 4),
        Point(int(today) - DAY_S, 3, 2),
        Point(int(today) - 2 * DAY_S, 0, 0),
    ]
    assert history.mastodon()[:2] == [
        {"day": str(int(today)), "uses": "5", "accounts": "4"},
        {"day": str(int(today) - DAY_S), "uses": "3", "accounts": "2"},
    ]


async def test_default_history_is_the_recent_window_and_a_week(
    engine: TrendEngine, clock: Clock
) -> None:
    history = await engine.history("nothing")
    assert len(history.buckets) == engine.settings.recent_buckets == 12
    assert len(history.days) == 7
    assert history.buckets[0].start_s == int(T0)
    assert all(p.uses == p.accounts == 0 for p in history.buckets + history.days)


async def test_a_day_sums_its_buckets_and_counts_authors_once(
    make_engine: EngineFactory, clock: Clock
) -> None:
    engine = make_engine(bucket_s=60, recent_window_s=600, baseline_window_s=3_600)
    stream = [Use("tea", author, 1_000 + i, T0 + i * 120) for i, author in enumerate([1, 2] * 5)]
    await replay(engine, clock, stream)

    history = await engine.history("tea", days=1, buckets=20)

    assert sum(p.uses for p in history.buckets) == 10 == history.days[0].uses
    assert sum(p.accounts for p in history.buckets) == 10
    assert history.days[0].accounts == 2
