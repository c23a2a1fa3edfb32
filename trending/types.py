"""Type aliases shared by the modules of this package."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias

from redis.asyncio import Redis, RedisCluster

AnyRedis: TypeAlias = "Redis | RedisCluster"

Clock: TypeAlias = Callable[[], float]
"""Seconds since the epoch, as `time.time`."""

Id: TypeAlias = int | str
"""An account or status id."""
