"""`Idempotency-Key`: a status posted once however often its request is sent again.

The key (hashed, per account) is claimed before the status is written; a request with a key
whose status exists answers that status; one with a key still being processed is refused
(409). A failed post releases its key, so the client may retry.
"""

from __future__ import annotations

import hashlib

from redis.exceptions import RedisError

from social.platform.context import AppContext
from social.platform.errors import Conflict
from social.statuses.service import NewStatus, create_status

IDEMPOTENCY_TTL_S = 3600
CLAIM_TTL_S = 60
KEY_MAX_CHARS = 256


def idempotency_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:32]


async def post_once(ctx: AppContext, author_id: int, new: NewStatus, key: str | None) -> int:
    """The id of the status `new` posted by `author_id`, or of the one `key` already made."""
    if key is None:
        return await create_status(ctx, author_id, new)
    redis_key = ctx.keys.idempotency(author_id, idempotency_digest(key[:KEY_MAX_CHARS]))
    if not await ctx.redis.set(redis_key, "pending", nx=True, ex=CLAIM_TTL_S):
        existing = await ctx.redis.get(redis_key)
        if existing in (None, b"pending"):
            raise Conflict("A request with this Idempotency-Key is still being processed")
        return int(existing)
    try:
        status_id = await create_status(ctx, author_id, new)
    except BaseException:
        await ctx.redis.delete(redis_key)
        raise
    try:
        await ctx.redis.set(redis_key, str(status_id), ex=IDEMPOTENCY_TTL_S)
    except RedisError:
        ctx.metrics.redis_errors.labels("idempotency").inc()
    return status_id
