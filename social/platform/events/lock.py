"""A short Redis lease (SET NX PX, renewed while held) that keeps one relay publishing at once."""

from __future__ import annotations

import secrets
from pathlib import Path

from social.platform.redis.client import AnyRedis

_HERE = Path(__file__).parent


class RedisLease:
    """Single-key lease; a holder that stalls past `ttl_ms` loses it (see docs/events.md)."""

    def __init__(self, redis: AnyRedis, key: str, *, ttl_ms: int) -> None:
        self.redis = redis
        self.key = key
        self.ttl_ms = ttl_ms
        self._renew = redis.register_script((_HERE / "lock_renew.lua").read_text())
        self._release = redis.register_script((_HERE / "lock_release.lua").read_text())

    async def acquire(self) -> str | None:
        """A token proving ownership, or None when someone else holds the lease."""
        token = secrets.token_hex(16)
        acquired = await self.redis.set(self.key, token, nx=True, px=self.ttl_ms)
        return token if acquired else None

    async def renew(self, token: str) -> bool:
        return bool(await self._renew([self.key], [token, self.ttl_ms]))

    async def release(self, token: str) -> None:
        await self._release([self.key], [token])
