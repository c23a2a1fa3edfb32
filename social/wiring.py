"""The composition root: `build(settings)` makes the `AppContext` every feature shares."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncEngine

from sessions import SessionStore
from social.config import Settings
from social.platform.cache import EntityCache
from social.platform.context import AppContext
from social.platform.db.engine import create_engine, read_session_factory, session_factory
from social.platform.events.bus import EventBus
from social.platform.events.keys import EventKeys, SchedulerKeys
from social.platform.events.scheduler import Scheduler, SchedulerSettings
from social.platform.events.settings import EventSettings
from social.platform.keys import Keys
from social.platform.live.hub import StreamHub
from social.platform.metrics import Metrics
from social.platform.redis.client import AnyRedis, client_from_url
from social.platform.redis.link import Tracking
from social.platform.redis.multiplex import MultiplexedRedis
from social.platform.redis.near_cache import NearCache
from trending import Settler, TrendEngine


def build(settings: Settings) -> AppContext:
    if not settings.redis_url:
        raise ValueError("REDIS_URL is not set (`social serve` starts an embedded server)")
    keys = Keys(settings.redis_prefix)
    metrics = Metrics()
    engine = database(settings)
    db = session_factory(engine)
    redis = client_from_url(
        settings.redis_url,
        multiplex=settings.redis_multiplex,
        socket_timeout=settings.redis_timeout_s,
        socket_connect_timeout=settings.redis_timeout_s,
    )
    event_settings = EventSettings(claim_idle_ms=settings.events_claim_idle_ms)
    # Blocking stream reads get their own connections, so they never starve requests.
    stream_reader = client_from_url(
        settings.redis_url,
        socket_timeout=event_settings.block_ms / 1000 + settings.redis_timeout_s,
        socket_connect_timeout=settings.redis_timeout_s,
    )
    tokens = session_store(redis, settings, "token")
    near = near_cache(redis, settings, keys, tokens, metrics)
    trends = trend_engine(redis, settings)

    def cache(name: str, key: Callable[[int], str], ttl_s: int) -> EntityCache:
        return EntityCache(redis, name=name, key=key, ttl_s=ttl_s, metrics=metrics, near=near)

    return AppContext(
        settings=settings,
        engine=engine,
        db=db,
        reads=read_session_factory(engine),
        redis=redis,
        keys=keys,
        metrics=metrics,
        tokens=tokens,
        refresh_tokens=session_store(redis, settings, "refresh"),
        cookies=session_store(redis, settings, "cookie"),
        accounts=cache("account", keys.account, settings.account_cache_ttl_s),
        statuses=cache("status", keys.status, settings.status_cache_ttl_s),
        events=EventBus(
            db,
            redis,
            keys=EventKeys(settings.redis_prefix),
            settings=event_settings,
            reader=stream_reader,
        ),
        scheduler=Scheduler(
            redis,
            SchedulerKeys(settings.redis_prefix),
            SchedulerSettings(lease_s=settings.scheduler_lease_s),
        ),
        stream_reader=stream_reader,
        streams=StreamHub(redis, keys, settings.streaming_history_ttl_s),
        trends=trends,
        trend_settler=Settler(trends, settings.trend_settle_s),
        near=near,
    )


def database(settings: Settings) -> AsyncEngine:
    return create_engine(
        settings.database_url,
        statement_timeout_s=settings.db_statement_timeout_s,
        lock_timeout_s=settings.db_lock_timeout_s,
    )


def session_store(redis: AnyRedis, settings: Settings, namespace: str) -> SessionStore:
    """Access tokens, refresh tokens or dashboard cookies, each with its own lifetimes."""
    idle_s, absolute_s = {
        "token": (settings.access_idle_ttl_s, settings.access_absolute_ttl_s),
        "refresh": (settings.refresh_idle_ttl_s, settings.refresh_absolute_ttl_s),
        "cookie": (settings.cookie_idle_ttl_s, settings.cookie_absolute_ttl_s),
    }[namespace]
    return SessionStore(
        redis,
        prefix=settings.redis_prefix,
        namespace=namespace,
        idle_ttl_s=idle_s,
        absolute_ttl_s=absolute_s,
        max_per_user=settings.max_sessions_per_user,
    )


def near_cache(
    redis: AnyRedis, settings: Settings, keys: Keys, tokens: SessionStore, metrics: Metrics
) -> NearCache | None:
    """What every home timeline reads, kept in process memory: statuses, their accounts, the
    caller's token and which of the statuses the caller favourited, bookmarked or pinned (only
    on the shared connection, whose client-side caching keeps it coherent)."""
    if not isinstance(redis, MultiplexedRedis) or settings.near_cache_entries <= 0:
        return None
    prefixes = (
        keys.status_prefix,
        keys.account_prefix,
        tokens.keys.session_prefix,
        keys.favourites_prefix,
        keys.bookmarks_prefix,
        keys.pins_prefix,
        keys.reblogs_prefix,
        keys.muted_threads_prefix,
        keys.filters_prefix,
    )
    near = NearCache(
        prefixes,
        max_entries=settings.near_cache_entries,
        ttl_s=settings.near_cache_ttl_s,
        metrics=metrics,
    )
    redis.track(Tracking(near.prefixes, near.invalidate, near.refused))
    return near


def trend_engine(redis: AnyRedis, settings: Settings) -> TrendEngine:
    return TrendEngine(
        redis,
        prefix=settings.redis_prefix,
        bucket_s=settings.trend_bucket_s,
        recent_window_s=settings.trend_recent_window_s,
        baseline_window_s=settings.trend_baseline_window_s,
        min_accounts=settings.trend_min_accounts,
        half_life_s=settings.trend_half_life_s,
        trendable_by_default=settings.trendable_by_default,
    )
