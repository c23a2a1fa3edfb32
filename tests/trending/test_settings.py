"""Settings: defaults in one place, validated, overridable by keyword or environment."""

from __future__ import annotations

import pytest

from trending import AnyRedis, TrendEngine, TrendSettings

from .conftest import T0, Clock, EngineFactory, replay, uses


def test_defaults() -> None:
    s = TrendSettings()
    assert (s.bucket_s, s.recent_window_s, s.baseline_window_s) == (300, 3_600, 86_400)
    assert (s.min_accounts, s.half_life_s, s.trendable_by_default) == (5, 7_200, False)
    assert (s.recent_buckets, s.baseline_buckets) == (12, 288)


@pytest.mark.parametrize(
    "options",
    [
        {"bucket_s": 0},
        {"recent_window_s": 450},
        {"baseline_window_s": 100},
        {"min_accounts": 0},
        {"half_life_s": 0},
        {"history_days": 0},
        {"min_expected": 0.0},
    ],
)
def test_invalid_settings_are_refused(options: dict[str, int | float]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - each case has its own message
        TrendSettings(**options)  # type: ignore[arg-type]


def test_from_env() -> None:
    env = {
        "TRENDING_BUCKET_S": "60",
        "TRENDING_RECENT_WINDOW_S": "600",
        "TRENDING_MIN_EXPECTED": "2.5",
        "TRENDING_TRENDABLE_BY_DEFAULT": "yes",
        "TRENDING_PREFIX": "x:",
        "OTHER": "1",
    }
    s = TrendSettings.from_env(env)
    assert (s.bucket_s, s.recent_window_s, s.min_expected) == (60, 600, 2.5)
    assert s.trendable_by_default is True
    assert s.prefix == "x:"
    assert s.baseline_window_s == 86_400


def test_keywords_override_settings(client: AnyRedis) -> None:
    engine = TrendEngine(client, TrendSettings(bucket_s=60, recent_window_s=600), min_accounts=2)
    assert (engine.settings.bucket_s, engine.settings.min_accounts) == (60, 2)
    with pytest.raises(TypeError):
        TrendEngine(client, buckets=3)  # type: ignore[call-arg]


async def test_windows_and_minimum_are_respected(make_engine: EngineFactory, clock: Clock) -> None:
    engine = make_engine(bucket_s=60, recent_window_s=600, min_accounts=3)
    await replay(engine, clock, uses("short", range(3), at=T0))
    assert (await engine.trend("short")).score > 0

    clock.advance(540)
    assert (await engine.trend("short")).accounts == 3
    clock.advance(60)
    assert (await engine.trend("short")).accounts == 0
