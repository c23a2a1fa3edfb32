"""Announce revoked access tokens, so every process closes their sockets at once."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from redis.exceptions import RedisClusterException, RedisError

from social.platform.keys import Keys
from social.platform.redis.client import AnyRedis

log = logging.getLogger(__name__)


async def announce_revoked(redis: AnyRedis, keys: Keys, session_ids: Iterable[str]) -> None:
    """Best effort: a failure is logged; the token itself is revoked either way."""
    try:
        async with redis.pipeline(transaction=False) as pipe:
            for session_id in session_ids:
                # by name: redis-py refuses ClusterPipeline.publish; a cluster spreads any
                # PUBLISH to every node, so whichever node takes it reaches every hub
                pipe.execute_command("PUBLISH", keys.stream_revoked(), session_id)
            await pipe.execute()
    except (RedisError, RedisClusterException):
        log.warning("streaming: could not announce a revoked session")
