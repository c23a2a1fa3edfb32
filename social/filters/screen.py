"""A viewer's filters on the read path: one blob per account in Redis (`filters:{<uid>}`, JSON,
`[]` for none), kept in process memory by the near cache, compiled once per blob.

Reads: the near cache, else one `MGET` of the blob and its version counter; a miss loads the
account's active filters from the database and stores them after the response, only if the
version is still the one read (`filters_store.lua`): a write in between (which raises the
version and deletes the blob, after its commit) can never be undone by an older fill. Redis
failures are absorbed: the filters then come from the database."""

from __future__ import annotations

import logging
from collections import OrderedDict
from pathlib import Path
from typing import Any

import orjson
from redis.exceptions import RedisError
from sqlalchemy import or_, select

from social.filters.match import Screen
from social.platform.context import AppContext
from social.platform.db.models.filters import CustomFilter, CustomFilterKeyword, CustomFilterStatus
from social.platform.db.types import utcnow
from social.platform.redis.scripts import Script
from social.platform.times import iso

log = logging.getLogger(__name__)

FILTERS_TTL_S = 3600
VERSION_TTL_S = 86400
EMPTY = b"[]"
NOBODY = Screen(())
COMPILED_KEPT = 1000
store_script = Script(Path(__file__).with_name("filters_store.lua"))

_compiled: OrderedDict[bytes, Screen] = OrderedDict()


def compiled(blob: bytes) -> Screen:
    """The Screen of a blob, compiled once per distinct blob in this process."""
    if blob == EMPTY:
        return NOBODY
    screen = _compiled.get(blob)
    if screen is None:
        screen = _compiled[blob] = Screen.compile(orjson.loads(blob))
        if len(_compiled) > COMPILED_KEPT:
            _compiled.popitem(last=False)
    return screen


def known_screen(ctx: AppContext, viewer_id: int) -> Screen | None:
    """The viewer's Screen if the near cache holds it (no I/O), else None."""
    near = ctx.near
    if near is None or not near.enabled:
        return None
    blob = near.get(ctx.keys.filters(viewer_id))
    return compiled(blob) if isinstance(blob, bytes) else None


async def screen_of(ctx: AppContext, viewer_id: int) -> Screen:
    known = known_screen(ctx, viewer_id)
    if known is not None:
        return known
    key, version_key = ctx.keys.filters(viewer_id), ctx.keys.filters_version(viewer_id)
    near = ctx.near if ctx.near is not None and ctx.near.enabled else None
    if near is not None:
        near.begin([key])
    found: dict[str, Any] = {}
    replies: list[Any] | None = None
    try:
        replies = await ctx.redis.mget([key, version_key])
        if replies[0] is not None:
            found[key] = replies[0]
    except RedisError as exc:
        _absorb(ctx, "get", exc)
    finally:
        if near is not None:
            near.end([key], found)
    if replies is not None and isinstance(replies[0], bytes):
        return compiled(replies[0])
    blob = await load_blob(ctx, viewer_id)
    if replies is not None:  # Redis answered, and lacks it: filled after the response
        seen = replies[1].decode() if isinstance(replies[1], bytes) else ""
        ctx.spawn(_store(ctx, key, version_key, seen, blob))
    return compiled(blob)


async def load_blob(ctx: AppContext, account_id: int) -> bytes:
    """The account's unexpired filters as the cached JSON: per filter its entity's fields, its
    expiry as a Unix time, its keywords as `[keyword, whole_word]` and its status ids."""
    now = utcnow()
    async with ctx.db() as db:
        rows = list(
            (
                await db.execute(
                    select(CustomFilter)
                    .where(CustomFilter.account_id == account_id)
                    .where(or_(CustomFilter.expires_at.is_(None), CustomFilter.expires_at > now))
                    .order_by(CustomFilter.id)
                )
            ).scalars()
        )
        if not rows:
            return EMPTY
        ids = [f.id for f in rows]
        keywords = (
            await db.execute(
                select(
                    CustomFilterKeyword.custom_filter_id,
                    CustomFilterKeyword.keyword,
                    CustomFilterKeyword.whole_word,
                )
                .where(CustomFilterKeyword.custom_filter_id.in_(ids))
                .order_by(CustomFilterKeyword.id)
            )
        ).all()
        statuses = (
            await db.execute(
                select(CustomFilterStatus.custom_filter_id, CustomFilterStatus.status_id).where(
                    CustomFilterStatus.custom_filter_id.in_(ids)
                )
            )
        ).all()
    blob: dict[int, dict[str, Any]] = {
        f.id: {
            "id": str(f.id),
            "title": f.title,
            "context": [c for c in f.context.split(",") if c],
            "expires_at": iso(f.expires_at) if f.expires_at else None,
            "until_s": f.expires_at.timestamp() if f.expires_at else None,
            "filter_action": f.action,
            "keywords": [],
            "status_ids": [],
        }
        for f in rows
    }
    for filter_id, keyword, whole_word in keywords:
        blob[filter_id]["keywords"].append([keyword, whole_word])
    for filter_id, status_id in statuses:
        blob[filter_id]["status_ids"].append(status_id)
    return orjson.dumps(list(blob.values()))


async def changed(ctx: AppContext, account_id: int) -> None:
    """After a write to the account's filters committed: the cached blob goes, and the version
    moves on so that no fill read before the write stores the old one."""
    version_key = ctx.keys.filters_version(account_id)
    try:
        async with ctx.redis.pipeline(transaction=True) as pipe:
            pipe.incr(version_key)
            pipe.expire(version_key, VERSION_TTL_S)
            pipe.delete(ctx.keys.filters(account_id))
            await pipe.execute()
    except RedisError as exc:
        _absorb(ctx, "invalidate", exc)


async def _store(ctx: AppContext, key: str, version_key: str, seen: str, blob: bytes) -> None:
    try:
        await store_script.call(ctx.redis, [key, version_key], [seen, blob, FILTERS_TTL_S])
    except RedisError as exc:
        _absorb(ctx, "store", exc)


def _absorb(ctx: AppContext, op: str, exc: RedisError) -> None:
    ctx.metrics.redis_errors.labels(f"cache.filters.{op}").inc()
    log.warning("filters cache %s failed: %r", op, exc)
