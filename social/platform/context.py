"""What every feature shares: settings, the database, Redis and what lives on it (token stores,
entity caches, the event bus, the scheduler, live channels, the trend engine), metrics; built by
`social.wiring`."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from sessions import SessionStore
from social.config import Settings
from social.platform.cache import EntityCache
from social.platform.events.bus import EventBus
from social.platform.events.scheduler import Scheduler
from social.platform.keys import Keys
from social.platform.live.hub import StreamHub
from social.platform.memo import Memo
from social.platform.metrics import Metrics
from social.platform.redis.client import AnyRedis
from social.platform.redis.near_cache import NearCache
from trending import Settler, TrendEngine


@dataclass
class AppContext:
    settings: Settings
    engine: AsyncEngine
    db: async_sessionmaker[AsyncSession]
    reads: async_sessionmaker[AsyncSession]
    """Sessions for reads only, outside a transaction (`engine.read_session_factory`)."""
    redis: AnyRedis
    keys: Keys
    metrics: Metrics
    tokens: SessionStore
    refresh_tokens: SessionStore
    cookies: SessionStore
    accounts: EntityCache
    statuses: EntityCache
    events: EventBus
    scheduler: Scheduler
    stream_reader: AnyRedis
    streams: StreamHub
    trends: TrendEngine
    trend_settler: Settler
    near: NearCache | None = None
    memo: Memo = field(default_factory=Memo)
    """What the consumer groups of this process share of an event's work (`memo.py`)."""
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

    async def close(self) -> None:
        # What spawns background work stops first: a consumer's batch let finish by
        # `events.stop` renders statuses and may spawn a fill, which would otherwise start
        # after the background was ended and run on the closed client (a cluster node's
        # socket opened anew and left unclosed).
        await self.scheduler.stop()
        await self.events.stop()
        await self.trend_settler.close()
        await self.streams.close()
        while self.background:  # a task may spawn another as it ends
            for task in list(self.background):
                task.cancel()
            await asyncio.gather(*list(self.background), return_exceptions=True)
        await self.stream_reader.aclose()
        await self.redis.aclose()
        await self.engine.dispose()
