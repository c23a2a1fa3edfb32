"""What handlers share: settings, database, Redis, token stores, caches, metrics."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.requests import HTTPConnection

from sessions import SessionStore
from social.config import Settings
from social.platform.cache import EntityCache
from social.platform.db.engine import create_engine, session_factory
from social.platform.events.bus import EventBus
from social.platform.events.keys import EventKeys
from social.platform.events.settings import EventSettings
from social.platform.keys import Keys
from social.platform.live.hub import StreamHub
from social.platform.metrics import Metrics
from social.platform.redis.client import AnyRedis, client_from_url
from social.platform.redis.multiplex import MultiplexedRedis, Tracking
from social.platform.redis.near_cache import NearCache
from trending import Settler, TrendEngine


@dataclass
class AppContext:
    settings: Settings
    engine: AsyncEngine
    db: async_sessionmaker[AsyncSession]
    redis: AnyRedis
    keys: Keys
    metrics: Metrics
    tokens: SessionStore
    refresh_tokens: SessionStore
    cookies: SessionStore
    accounts: EntityCache
    statuses: EntityCache
    events: EventBus
    stream_reader: AnyRedis
    streams: StreamHub
    trends: TrendEngine
    trend_settler: Settler
    near: NearCache | None = None
    background: set[asyncio.Task[object]] = field(default_factory=set)

    def spawn(self, work: Coroutine[Any, Any, object]) -> None:
        """Run `work` after the response (cache refills, rebuilds); kept until done."""
        task = asyncio.get_running_loop().create_task(work)
        self.background.add(task)
        task.add_done_callback(self.background.discard)

    async def settle(self) -> None:
        """Wait for background work (tests, shutdown)."""
        while self.background:
            await asyncio.gather(*list(self.background), return_exceptions=True)

    @classmethod
    def build(cls, settings: Settings) -> AppContext:
        if not settings.redis_url:
            raise ValueError("REDIS_URL is not set (`social serve` starts an embedded server)")
        engine = create_engine(
            settings.database_url,
            statement_timeout_s=settings.db_statement_timeout_s,
            lock_timeout_s=settings.db_lock_timeout_s,
        )
        redis = client_from_url(
            settings.redis_url,
            multiplex=settings.redis_multiplex,
            socket_timeout=settings.redis_timeout_s,
            socket_connect_timeout=settings.redis_timeout_s,
        )
        keys = Keys(settings.redis_prefix)
        metrics = Metrics()
        db = session_factory(engine)
        event_settings = EventSettings(claim_idle_ms=settings.events_claim_idle_ms)
        # Blocking stream reads get their own connections, so they never starve requests.
        stream_reader = client_from_url(
            settings.redis_url,
            socket_timeout=event_settings.block_ms / 1000 + settings.redis_timeout_s,
            socket_connect_timeout=settings.redis_timeout_s,
        )
        cap = settings.max_sessions_per_user
        prefix = settings.redis_prefix

        def store(namespace: str, idle_ttl_s: int, absolute_ttl_s: int) -> SessionStore:
            return SessionStore(
                redis,
                prefix=prefix,
                namespace=namespace,
                idle_ttl_s=idle_ttl_s,
                absolute_ttl_s=absolute_ttl_s,
                max_per_user=cap,
            )

        tokens = store("token", settings.access_idle_ttl_s, settings.access_absolute_ttl_s)
        near = None
        if isinstance(redis, MultiplexedRedis) and settings.near_cache_entries > 0:
            # what every home timeline reads: statuses, their accounts, the caller's token and
            # which of the statuses the caller favourited
            prefixes = (
                keys.status_prefix,
                keys.account_prefix,
                tokens.keys.session_prefix,
                keys.favourites_prefix,
            )
            near = NearCache(
                prefixes,
                max_entries=settings.near_cache_entries,
                ttl_s=settings.near_cache_ttl_s,
                metrics=metrics,
            )
            redis.track(Tracking(near.prefixes, near.invalidate, near.refused))

        trends = TrendEngine(
            redis,
            prefix=prefix,
            bucket_s=settings.trend_bucket_s,
            recent_window_s=settings.trend_recent_window_s,
            baseline_window_s=settings.trend_baseline_window_s,
            min_accounts=settings.trend_min_accounts,
            half_life_s=settings.trend_half_life_s,
            trendable_by_default=settings.trendable_by_default,
        )
        return cls(
            settings=settings,
            engine=engine,
            db=db,
            redis=redis,
            keys=keys,
            metrics=metrics,
            tokens=tokens,
            refresh_tokens=store(
                "refresh", settings.refresh_idle_ttl_s, settings.refresh_absolute_ttl_s
            ),
            cookies=store("cookie", settings.cookie_idle_ttl_s, settings.cookie_absolute_ttl_s),
            accounts=EntityCache(
                redis,
                name="account",
                key=keys.account,
                ttl_s=settings.account_cache_ttl_s,
                metrics=metrics,
                near=near,
            ),
            statuses=EntityCache(
                redis,
                name="status",
                key=keys.status,
                ttl_s=settings.status_cache_ttl_s,
                metrics=metrics,
                near=near,
            ),
            events=EventBus(
                db,
                redis,
                keys=EventKeys(settings.redis_prefix),
                settings=event_settings,
                reader=stream_reader,
            ),
            stream_reader=stream_reader,
            streams=StreamHub(redis, keys),
            trends=trends,
            trend_settler=Settler(trends, settings.trend_settle_s),
            near=near,
        )

    async def close(self) -> None:
        for task in list(self.background):
            task.cancel()
        await asyncio.gather(*list(self.background), return_exceptions=True)
        await self.events.stop()
        await self.trend_settler.close()
        await self.streams.close()
        await self.stream_reader.aclose()
        await self.redis.aclose()
        await self.engine.dispose()


def get_context(conn: HTTPConnection) -> AppContext:
    ctx = conn.app.state.ctx
    assert isinstance(ctx, AppContext)
    return ctx
