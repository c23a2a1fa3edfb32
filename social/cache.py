"""Cache-aside for rendered entity JSON: batch reads in one round trip, fills that never clobber.

Readers fill misses with `SET NX`, writers overwrite with the fresh rendering after their commit:
a reader that loaded a stale row before the write can then no longer replace the fresh entry.
Redis failures are absorbed (counted, treated as misses): reads fall back to the database.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping

from redis.exceptions import RedisError

from social.metrics import Metrics
from social.redis import AnyRedis

log = logging.getLogger(__name__)


class EntityCache:
    def __init__(
        self,
        redis: AnyRedis,
        *,
        name: str,
        key: Callable[[int], str],
        ttl_s: int,
        metrics: Metrics,
    ) -> None:
        self.redis = redis
        self.name = name
        self.key = key
        self.ttl_s = ttl_s
        self.metrics = metrics

    async def get_many(self, ids: Iterable[int]) -> dict[int, bytes]:
        ids = list(dict.fromkeys(ids))
        if not ids:
            return {}
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                for id_ in ids:
                    pipe.get(self.key(id_))
                values = await pipe.execute()
        except RedisError as exc:
            self._absorb("get", exc)
            values = [None] * len(ids)
        found = {id_: value for id_, value in zip(ids, values, strict=True) if value is not None}
        self.metrics.cache_requests.labels(self.name, "hit").inc(len(found))
        self.metrics.cache_requests.labels(self.name, "miss").inc(len(ids) - len(found))
        return found

    async def fill(self, entries: Mapping[int, bytes]) -> None:
        """Write back what readers loaded from the database, unless something fresher is there."""
        await self._write(entries, only_if_absent=True)

    async def put(self, entries: Mapping[int, bytes]) -> None:
        """Store the fresh rendering after a write committed."""
        await self._write(entries, only_if_absent=False)

    async def invalidate(self, ids: Iterable[int]) -> None:
        keys = [self.key(id_) for id_ in ids]
        if not keys:
            return
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                for key in keys:
                    pipe.delete(key)
                await pipe.execute()
        except RedisError as exc:
            self._absorb("invalidate", exc)

    async def _write(self, entries: Mapping[int, bytes], *, only_if_absent: bool) -> None:
        if not entries:
            return
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                for id_, value in entries.items():
                    pipe.set(self.key(id_), value, ex=self.ttl_s, nx=only_if_absent)
                await pipe.execute()
        except RedisError as exc:
            self._absorb("write", exc)

    def _absorb(self, op: str, exc: RedisError) -> None:
        self.metrics.redis_errors.labels(f"cache.{self.name}.{op}").inc()
        log.warning("%s cache %s failed: %r", self.name, op, exc)
