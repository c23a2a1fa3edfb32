"""Type aliases shared by the modules of this package."""

from __future__ import annotations

from typing import TypeAlias

from redis.asyncio import Redis, RedisCluster

AnyRedis: TypeAlias = "Redis | RedisCluster"
