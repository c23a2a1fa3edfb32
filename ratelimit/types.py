"""Shared type aliases."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Literal, TypeAlias

from redis.asyncio import Redis, RedisCluster

if TYPE_CHECKING:
    from ratelimit.decision import Decision
    from ratelimit.errors import StoreError

AnyRedis: TypeAlias = "Redis | RedisCluster"

FailurePolicy: TypeAlias = Literal["fail_open", "fallback"]
"""What a limit does when Redis fails: let the hit through, or count it in process."""

Source: TypeAlias = Literal["redis", "fallback", "fail_open"]
"""Where a decision came from."""

DecisionHook: TypeAlias = "Callable[[Decision], None]"
StoreErrorHook: TypeAlias = "Callable[[StoreError], None]"
