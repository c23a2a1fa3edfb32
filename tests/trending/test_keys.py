"""The key layout: one cluster slot, a prefix, and an expiry on every key but reviews."""

from __future__ import annotations

from redis.crc import key_slot

from trending import AnyRedis, Review, TrendEngine

from .conftest import HOUR_S, T0, Clock, EngineFactory, replay, uses


async def _keys(client: AnyRedis) -> list[bytes]:
    return sorted([key async for key in client.scan_iter(match="*", count=1000)])


async def test_every_key_expires_except_review_states(
    make_engine: EngineFactory, client: AnyRedis, clock: Clock
) -> None:
    engine = make_engine(prefix="t:")
    await replay(engine, clock, uses("busy", range(30), at=T0))
    await replay(engine, clock, uses("busy", [1], at=T0 + HOUR_S))
    await engine.set_review("busy", Review.APPROVED)
    await engine.remove("busy", 1, 1, at=T0)  # nothing; exercises the script anyway

    keys = await _keys(client)
    assert len(keys) >= 9  # two buckets of posts, counts, day, last, meta, 2 ranks, review
    settings = engine.settings
    longest_s = (settings.history_days + 1) * 86_400
    for key in keys:
        ttl = await client.ttl(key)
        if key == b"t:{trend}:review":
            assert ttl == -1
        else:
            assert 0 < ttl <= longest_s, key


async def test_bucket_keys_outlive_the_windows_by_one_bucket_at_most(
    engine: TrendEngine, client: AnyRedis, clock: Clock
) -> None:
    await engine.record("tick", 1, 1, at=T0)
    s = engine.settings
    ttl = await client.ttl(engine.keys.posts("tick", int(T0) // s.bucket_s))
    window_s = s.recent_window_s + s.baseline_window_s
    assert window_s <= ttl <= window_s + s.bucket_s


async def test_all_keys_share_one_cluster_slot_and_the_prefix(
    make_engine: EngineFactory, client: AnyRedis, clock: Clock
) -> None:
    engine = make_engine(prefix="social:")
    await replay(engine, clock, uses("Ünïcode", range(6), at=T0))
    await engine.set_review("ünïcode", Review.APPROVED)

    keys = await _keys(client)
    assert all(key.startswith(b"social:{trend}:") for key in keys)
    assert len({key_slot(key) for key in keys}) == 1
