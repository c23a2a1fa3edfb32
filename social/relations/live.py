"""Tell every process's live streams that an account's blocks or mutes changed."""

from __future__ import annotations

from collections.abc import Iterable

from social.platform.keys import Keys
from social.platform.redis.client import AnyRedis


async def announce_changed(redis: AnyRedis, keys: Keys, account_ids: Iterable[int]) -> None:
    async with redis.pipeline(transaction=False) as pipe:
        for account_id in account_ids:
            # by name: redis-py refuses ClusterPipeline.publish (see live/revocation.py)
            pipe.execute_command("PUBLISH", keys.stream_relations(), str(account_id))
        await pipe.execute()
