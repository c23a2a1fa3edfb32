"""Home feeds in Redis: a sorted set per user scored by status id, capped, filled by fan-out.

Members are `"<status id>:<author id>"`: knowing the authors with the ids lets a timeline read
fetch statuses and their accounts in one round trip.

A feed counts only once built: it holds the sentinel member "0" (score 0, below every id).
Fan-out writes only to built feeds (and to feeds being rebuilt, whose snapshot may predate the
entry), so users who stopped reading cost nothing; a read that finds no sentinel answers from
the database and rebuilds the feed under a lock meanwhile.
Losing Redis therefore never shows an empty or wrong feed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import orjson
from redis.exceptions import NoScriptError, RedisError
from sqlalchemy import select

from social.platform.context import AppContext
from social.platform.db.models import Mention, Status
from social.platform.paging import PageQuery, paged
from social.platform.redis.multiplex import MultiplexedRedis
from social.platform.redis.scripts import Script
from social.relations.hidden import home_guard
from social.statuses.audience import following_query, home_query

log = logging.getLogger(__name__)

Entry = tuple[int, int]  # (status id, author id)
PageEntry = Sequence[int]  # the same, read: a tuple, or a pair parsed from JSON

SENTINEL = "0"
FEED_TTL_S = 14 * 86400  # unread this long, a feed is dropped (rebuilt on return)
REBUILD_LOCK_MS = 30_000
BATCH = 500
feed_add = Script(Path(__file__).with_name("feed_add.lua"))
feed_read = Script(Path(__file__).with_name("feed_read.lua"))


def member(entry: Entry) -> str:
    return f"{entry[0]}:{entry[1]}"


def _page_call(ctx: AppContext, account_id: int, page: PageQuery) -> tuple[list[str], list[Any]]:
    """The feed script's keys and arguments for `page`."""
    high = f"({page.max_id}" if page.max_id else "+inf"
    if page.min_id is not None:
        direction, low = "oldest", f"({page.min_id}"
    else:
        direction, low = "newest", f"({page.since_id}" if page.since_id else f"({SENTINEL}"
    return [ctx.keys.home_feed(account_id)], [direction, high, low, page.limit, FEED_TTL_S]


async def read_home(ctx: AppContext, account_id: int, page: PageQuery) -> list[PageEntry]:
    """The page's (status, author) entries: one script call, written as it is on the shared
    connection (the most requested read: no reply callbacks to run)."""
    call = _page_call(ctx, account_id, page)
    redis = ctx.redis
    try:
        if isinstance(redis, MultiplexedRedis):
            (reply,) = await redis.send_raw([feed_read.command(*call)])
        else:
            reply = await feed_read.call(redis, *call)
    except RedisError as exc:
        reply = exc
    return await home_entries(ctx, account_id, page, reply)


async def home_entries(
    ctx: AppContext, account_id: int, page: PageQuery, reply: Any
) -> list[PageEntry]:
    """The page's (status, author) entries from the feed script's reply (or the error it
    met), from the database when Redis failed or the feed is not built (rebuilt meanwhile).
    A script the server lost (NOSCRIPT) is loaded and the page read again."""
    if isinstance(reply, NoScriptError):
        try:
            reply = await feed_read.call(ctx.redis, *_page_call(ctx, account_id, page))
        except RedisError as exc:
            reply = exc
    if isinstance(reply, Exception):
        ctx.metrics.redis_errors.labels("feed.read").inc()
        log.warning("home feed read failed, answering from the database: %r", reply)
        return await home_from_db(ctx, account_id, page)
    if not reply[0]:  # not built
        ctx.spawn(rebuild_home(ctx, account_id))
        return await home_from_db(ctx, account_id, page)
    size = int(reply[1])
    entries: list[PageEntry] = orjson.loads(reply[2])
    if page.min_id is not None:
        entries.reverse()
    if len(entries) < page.limit and size > ctx.settings.home_feed_max:
        # The page runs past the oldest entry kept in Redis: older ones come from the database.
        oldest = min(e[0] for e in entries) if entries else page.max_id
        older = PageQuery(max_id=oldest, limit=page.limit - len(entries))
        entries += await home_from_db(ctx, account_id, older)
    return entries


async def home_from_db(ctx: AppContext, account_id: int, page: PageQuery) -> list[PageEntry]:
    query = paged(home_query(account_id, following_query(account_id)), Status.id, page)
    async with ctx.db() as db:
        rows = (await db.execute(query)).all()
    pairs: list[Entry] = sorted(((r[0], r[1]) for r in rows), reverse=True)
    return list[PageEntry](pairs)


async def rebuild_home(ctx: AppContext, account_id: int) -> bool:
    """Fill the feed from the database (newest `home_feed_max`) and mark it built."""
    key = ctx.keys.home_feed(account_id)
    lock = ctx.keys.home_feed_rebuild_lock(account_id)
    try:
        if not await ctx.redis.set(lock, "1", nx=True, px=REBUILD_LOCK_MS):
            return False
        query = home_query(account_id, following_query(account_id))
        async with ctx.db() as db:
            rows = (
                await db.execute(query.order_by(Status.id.desc()).limit(ctx.settings.home_feed_max))
            ).all()
            guard = await home_guard(db, account_id)
        hidden = ctx.keys.home_hidden(account_id)
        async with ctx.redis.pipeline(transaction=True) as pipe:
            pipe.zadd(key, {SENTINEL: 0, **{member((r[0], r[1])): r[0] for r in rows}})
            pipe.zremrangebyrank(key, 1, -(ctx.settings.home_feed_max + 1))
            pipe.expire(key, FEED_TTL_S)
            pipe.delete(hidden)
            if guard:
                pipe.zadd(hidden, guard)
            pipe.delete(lock)
            await pipe.execute()
        return True
    except RedisError as exc:
        ctx.metrics.redis_errors.labels("feed.rebuild").inc()
        log.warning("home feed rebuild failed: %r", exc)
        return False
    except Exception:
        log.exception("home feed rebuild failed")
        return False


async def add_to_feeds(ctx: AppContext, owner_ids: Iterable[int], entries: list[Entry]) -> None:
    """Pipelined, in batches; only built feeds take it."""
    cap = ctx.settings.home_feed_max
    now_s = f"{time.time():.3f}"
    keys = ctx.keys
    calls = [
        (
            [keys.home_feed(owner), keys.home_feed_rebuild_lock(owner), keys.home_hidden(owner)],
            [entry[0], member(entry), cap, entry[1], now_s],
        )
        for owner in owner_ids
        for entry in entries
    ]
    for start in range(0, len(calls), BATCH):
        await feed_add.run_batch(ctx.redis, calls[start : start + BATCH])


async def remove_from_feeds(
    ctx: AppContext, owner_ids: Iterable[int], entries: list[Entry]
) -> None:
    if not entries:
        return
    members = [member(e) for e in entries]
    owners = list(owner_ids)
    for start in range(0, len(owners), BATCH):
        async with ctx.redis.pipeline(transaction=False) as pipe:
            for owner in owners[start : start + BATCH]:
                pipe.zrem(ctx.keys.home_feed(owner), *members)
            await pipe.execute()


async def hide_in_home(
    ctx: AppContext, owner_id: int, author_id: int, until_s: float | None = None
) -> None:
    """`author_id` hidden from `owner_id`'s home (until `until_s`, epoch seconds): no later
    fan-out adds their statuses (the feed script checks), and those in the feed now leave it,
    with the statuses there that mention them. The guard is written first, so a fan-out
    running meanwhile either adds before this reads the feed (and is removed) or is refused.
    Idempotent (the request does it, and the `timelines` consumer again)."""
    key = ctx.keys.home_feed(owner_id)
    async with ctx.redis.pipeline(transaction=True) as pipe:
        pipe.zadd(ctx.keys.home_hidden(owner_id), {str(author_id): until_s or float("inf")})
        pipe.zrange(key, 1, -1)
        _, members = await pipe.execute()
    entries = [tuple(map(int, m.split(b":"))) for m in members]
    gone = [(s, a) for s, a in entries if a == author_id]
    others = [s for s, a in entries if a != author_id]
    if others:
        async with ctx.db() as db:
            mentioning = set(
                (
                    await db.execute(
                        select(Mention.status_id).where(
                            Mention.account_id == author_id, Mention.status_id.in_(others)
                        )
                    )
                ).scalars()
            )
        gone += [(s, a) for s, a in entries if s in mentioning]
    for start in range(0, len(gone), BATCH):
        await remove_from_feeds(ctx, [owner_id], gone[start : start + BATCH])


async def unhide_in_home(ctx: AppContext, owner_id: int, author_id: int) -> None:
    await ctx.redis.zrem(ctx.keys.home_hidden(owner_id), str(author_id))
