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
from collections.abc import Collection, Iterable, Sequence
from pathlib import Path
from typing import Any, cast

import orjson
from redis.asyncio.cluster import RedisCluster
from redis.exceptions import NoScriptError, RedisError
from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from social.platform.context import AppContext
from social.platform.db.models import Mention, Status
from social.platform.paging import PageQuery
from social.platform.redis.multiplex import MultiplexedRedis
from social.platform.redis.scripts import Script
from social.relations.hidden import home_guard
from social.statuses.audience import following_query, home_query
from social.statuses.home_page import home_page
from social.timelines import large

log = logging.getLogger(__name__)

Entry = tuple[int, ...]  # (status id, author id), a boost's with (original id, its author)
PageEntry = Sequence[int]  # the same, read: a tuple, or a pair parsed from JSON

SENTINEL = "0"
FEED_TTL_S = 14 * 86400  # unread this long, a feed is dropped (rebuilt on return)
REBUILD_LOCK_MS = 30_000
BATCH = 500
FEEDS_PER_CALL = 100  # feeds one `feed_add.lua` call writes, on one node
FEEDS_PER_TRIP = 2000
REBLOG_FALLOFF = 40  # Mastodon's: a boost of what is among the newest this many stays out
feed_add = Script(Path(__file__).with_name("feed_add.lua"))
feed_read = Script(Path(__file__).with_name("feed_read.lua"))


def member(entry: Entry) -> str:
    return f"{entry[0]}:{entry[1]}"


def without_repeated_boosts(rows: Sequence[tuple[int, int, int | None]]) -> list[tuple[int, int]]:
    """Feed entries (status, author) from rows (status, author, the original if a boost),
    newest first, as the feed script would have kept them, added in order: a boost leaves
    out when its original or an earlier boost of it is among the `REBLOG_FALLOFF` entries
    before it."""
    kept: list[tuple[int, int]] = []
    by_original: dict[int, int] = {}  # original -> index in `kept` of its entry
    for status_id, author, original in sorted(rows):
        if original is not None:
            newest = len(kept)
            original_at = by_original.get(original)
            if original_at is not None and newest - original_at <= REBLOG_FALLOFF:
                continue
            by_original[original] = newest
        else:
            by_original.setdefault(status_id, len(kept))
        kept.append((status_id, author))
    kept.reverse()
    return kept


def _page_call(ctx: AppContext, account_id: int, page: PageQuery) -> tuple[list[str], list[Any]]:
    """The feed script's keys and arguments for `page` (with the large authors it merges)."""
    high, low, oldest = large.page_bounds(page)
    keys = [
        ctx.keys.home_feed(account_id),
        ctx.keys.home_hidden(account_id),
        ctx.keys.home_large(account_id),
    ]
    before, after = "", ""
    if large.reads_sets_in_script(ctx):
        # one node: the script reads the authors' recent sets, named as `author_recent`
        head, _, tail = ctx.keys.author_recent(0).rpartition("{0}")
        before, after = head + "{", "}" + tail
    now_s = f"{time.time():.3f}"
    args = ["oldest" if oldest else "newest", high, low, page.limit, FEED_TTL_S, now_s]
    return keys, [*args, before, after]


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
    if len(reply) > 3 and reply[3]:
        ctx.spawn(end_guards(ctx, account_id))
    if len(reply) > 4:
        entries = await merged(ctx, account_id, page, entries, reply)
    if page.min_id is not None:
        entries.reverse()
    if len(entries) < page.limit and size > ctx.settings.home_feed_max:
        # The page runs past the oldest entry kept in Redis: older ones come from the database.
        oldest = min(e[0] for e in entries) if entries else page.max_id
        older = PageQuery(max_id=oldest, limit=page.limit - len(entries))
        entries += await home_from_db(ctx, account_id, older)
    return entries


async def merged(
    ctx: AppContext, account_id: int, page: PageQuery, pushed: list[PageEntry], reply: Any
) -> list[PageEntry]:
    """The pushed page merged with the large authors' statuses the reply brought (under Redis
    Cluster: read now, a second round trip, since their sets sit in other slots)."""
    authors, hidden = reply[4], reply[5]
    if large.reads_sets_in_script(ctx):
        found = reply[6] if len(reply) > 6 else []
    else:
        found = await large.read_sets(ctx, authors, hidden, page)
    entries, unsure = large.merge_page(
        account_id,
        pushed,
        authors,
        hidden,
        found,
        limit=page.limit,
        oldest=page.min_id is not None,
        now_s=time.time(),
    )
    return await large.settle_replies(ctx, account_id, entries, unsure, page.limit)


async def home_from_db(ctx: AppContext, account_id: int, page: PageQuery) -> list[PageEntry]:
    query = home_page(account_id, page, lateral=_lateral(ctx))
    async with ctx.db() as db:
        rows = (await db.execute(query)).all()
    pairs = without_repeated_boosts([(r[0], r[1], r[2]) for r in rows])
    return list[PageEntry](pairs)


def _lateral(ctx: AppContext) -> bool:
    return ctx.engine.dialect.name == "postgresql"


async def rebuild_home(ctx: AppContext, account_id: int) -> bool:
    """Fill the feed from the database (newest `home_feed_max`) and mark it built; False if
    another rebuild holds it or has built it already (several reads of an unbuilt home each
    begin one: only the first reads the database)."""
    key = ctx.keys.home_feed(account_id)
    lock = ctx.keys.home_feed_rebuild_lock(account_id)
    try:
        async with ctx.redis.pipeline(transaction=True) as pipe:
            pipe.set(lock, "1", nx=True, px=REBUILD_LOCK_MS)
            pipe.exists(key)
            took, built = await pipe.execute()
        if not took:
            return False
        if built:  # a read that saw it unbuilt began this after another rebuild wrote it
            await ctx.redis.delete(lock)
            return False
        newest = PageQuery.model_construct(limit=ctx.settings.home_feed_max)
        query = home_page(account_id, newest, lateral=_lateral(ctx))
        async with ctx.db() as db:
            rows = (await db.execute(query)).all()
            guard = await home_guard(db, account_id)
            merges = await large.large_of(db, account_id, ctx.settings.fanout_push_max)
        kept = without_repeated_boosts([(r[0], r[1], r[2]) for r in rows])
        originals = {r[0]: r[2] for r in rows if r[2] is not None}
        boosts = {str(originals[e[0]]): member(e) for e in reversed(kept) if e[0] in originals}
        hidden, reblogs = ctx.keys.home_hidden(account_id), ctx.keys.home_reblogs(account_id)
        merging = ctx.keys.home_large(account_id)
        async with ctx.redis.pipeline(transaction=True) as pipe:
            pipe.zadd(key, {SENTINEL: 0, **{member(e): e[0] for e in kept}})
            pipe.zremrangebyrank(key, 1, -(ctx.settings.home_feed_max + 1))
            pipe.expire(key, FEED_TTL_S)
            pipe.delete(hidden, reblogs, merging)
            if merges:
                pipe.hset(merging, mapping=merges)  # type: ignore[arg-type]
                pipe.expire(merging, FEED_TTL_S)
            if guard:
                pipe.zadd(hidden, guard)
            if boosts:
                pipe.hset(reblogs, items=[part for pair in boosts.items() for part in pair])
                pipe.expire(reblogs, FEED_TTL_S)
            pipe.delete(lock)
            await pipe.execute()
        await _recheck_guard(ctx, account_id, guard)
        return True
    except RedisError as exc:
        ctx.metrics.redis_errors.labels("feed.rebuild").inc()
        log.warning("home feed rebuild failed: %r", exc)
        return False
    except Exception:
        log.exception("home feed rebuild failed")
        return False


async def _recheck_guard(ctx: AppContext, account_id: int, used: dict[str, float]) -> None:
    """A block, mute or unblock committed between the rebuild's read and its write had its
    own settling overwritten by the rebuild's older guard: read the guard again now the feed
    is written, and settle what moved (a block hides again what the rebuild put back)."""
    async with ctx.db() as db:
        now = await home_guard(db, account_id)
    if now == used:
        return
    for author, until in now.items():
        if used.get(author) != until:
            await hide_in_home(ctx, account_id, int(author), until)
    gone = [author for author in used if author not in now]
    if gone:
        await ctx.redis.zrem(ctx.keys.home_hidden(account_id), *gone)


async def add_to_feeds(ctx: AppContext, owner_ids: Iterable[int], entries: Sequence[Entry]) -> None:
    """Pipelined, in batches; only built feeds take it. A boost's entry names its original
    too (`(boost, booster, original, original's author)`)."""
    keys = ctx.keys
    feeds = [
        [
            keys.home_feed(owner),
            keys.home_feed_rebuild_lock(owner),
            keys.home_hidden(owner),
            keys.home_reblogs(owner),
        ]
        for owner in owner_ids
    ]
    await add_to(ctx, feeds, entries)


async def add_to(ctx: AppContext, feeds: list[list[str]], entries: Sequence[Entry]) -> None:
    """Each entry into each feed (its four keys, as `feed_add.lua` takes them), entry by entry
    so each feed takes them in order. On one node a script call takes `FEEDS_PER_CALL` feeds
    (a call each costs the server more than the feed's own work); under Redis Cluster, where
    the feeds sit in many slots, one. About `FEEDS_PER_TRIP` feeds a round trip."""
    cap = ctx.settings.home_feed_max
    now_s = f"{time.time():.3f}"
    per_call = 1 if isinstance(ctx.redis, RedisCluster) else FEEDS_PER_CALL
    calls: list[tuple[list[str], list[Any]]] = []
    for entry in entries:
        args = [entry[0], member(entry), cap, entry[1], now_s, *boost_args(entry)]
        for start in range(0, len(feeds), per_call):
            calls.append(([key for feed in feeds[start : start + per_call] for key in feed], args))
    trip = max(1, FEEDS_PER_TRIP // per_call)
    for start in range(0, len(calls), trip):
        await feed_add.run_batch(ctx.redis, calls[start : start + trip])


def boost_args(entry: Entry) -> list[object]:
    """The feed script's arguments for a boost's entry (none for another status)."""
    if len(entry) < 4:
        return []
    original, author = entry[2], entry[3]
    return [f"{original}:{author}", author, original, REBLOG_FALLOFF, FEED_TTL_S]


async def remove_from_feeds(
    ctx: AppContext, owner_ids: Iterable[int], entries: Sequence[Entry]
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
    with the statuses there that mention them or boost theirs. The guard is written first, so
    a fan-out running meanwhile either adds before this reads the feed (and is removed) or is
    refused. Idempotent (the request does it, and the `timelines` consumer again)."""
    key = ctx.keys.home_feed(owner_id)
    async with ctx.redis.pipeline(transaction=True) as pipe:
        pipe.zadd(ctx.keys.home_hidden(owner_id), {str(author_id): until_s or float("inf")})
        pipe.zrange(key, 1, -1)
        _, members = await pipe.execute()
    gone = await involved_entries(ctx, parse_members(members), {author_id})
    for start in range(0, len(gone), BATCH):
        await remove_from_feeds(ctx, [owner_id], gone[start : start + BATCH])


def parse_members(members: Iterable[bytes]) -> list[tuple[int, int]]:
    """Feed members (`<status>:<author>`) as entries, leaving out the sentinel."""
    pairs = (m.partition(b":") for m in members if m != SENTINEL.encode())
    return [(int(s), int(a)) for s, _, a in pairs]


async def feed_entries(ctx: AppContext, key: str) -> list[tuple[int, int]]:
    """What a feed (home or list) holds now, (status, author) each."""
    return parse_members(cast("list[bytes]", await ctx.redis.zrange(key, 1, -1)))


def by_or_about(authors: Collection[int], *, mentioning: bool = True) -> ColumnElement[bool]:
    """Statuses of `authors`; with `mentioning`, also those mentioning them and the boosts of
    theirs or of those: everything a block or mute of them hides."""
    theirs = Status.account_id.in_(authors)
    if not mentioning:
        return theirs
    about = select(Mention.status_id).where(Mention.account_id.in_(authors))
    of_theirs = select(Status.id).where(Status.account_id.in_(authors))
    return (
        theirs
        | Status.id.in_(about)
        | Status.reblog_of_id.in_(of_theirs)
        | Status.reblog_of_id.in_(about)
    )


async def involved_entries(
    ctx: AppContext, entries: list[tuple[int, int]], authors: Collection[int]
) -> list[tuple[int, int]]:
    """Of a feed's `entries`, those of `authors`, mentioning them or boosting theirs (the
    authors' own known from the entries; the rest asked in one query)."""
    gone = [(s, a) for s, a in entries if a in authors]
    others = [s for s, a in entries if a not in authors]
    if others:
        query = select(Status.id).where(Status.id.in_(others), by_or_about(authors))
        async with ctx.db() as db:
            involved = set((await db.execute(query)).scalars())
        gone += [(s, a) for s, a in entries if s in involved]
    return gone


async def entries_of(db: AsyncSession, rows: Sequence[Sequence[Any]]) -> list[Entry]:
    """Feed entries from rows (status, author, original or None): a boost's with its
    original and the original's author (one query, when there are boosts)."""
    originals = {r[2] for r in rows if r[2] is not None}
    authors: dict[int, int] = {}
    if originals:
        query = select(Status.id, Status.account_id).where(Status.id.in_(originals))
        authors = {i: a for i, a in await db.execute(query)}  # noqa: C416
    return [
        (r[0], r[1]) if r[2] is None or r[2] not in authors else (r[0], r[1], r[2], authors[r[2]])
        for r in rows
    ]


async def recent_entries(ctx: AppContext, query: Select[int, int, int | None]) -> list[Entry]:
    """The newest `home_feed_max` rows of a feed's query (status, author, original), as
    entries oldest first: the order fan-out adds them in, which the boost rule depends on."""
    async with ctx.db() as db:
        rows = (
            await db.execute(query.order_by(Status.id.desc()).limit(ctx.settings.home_feed_max))
        ).all()
        return await entries_of(db, list(reversed(rows)))


async def merge_into_home(ctx: AppContext, owner: int, which: ColumnElement[bool]) -> None:
    """The statuses `which` selects into `owner`'s feed, by the rule of a rebuild (visibility,
    replies, what is hidden)."""
    entries = await recent_entries(ctx, home_query(owner, following_query(owner)).where(which))
    await add_to_feeds(ctx, [owner], entries)


async def merge_author(
    ctx: AppContext, owner: int, author: int, *, mentioning: bool = False
) -> None:
    """`author`'s recent statuses (and boosts) into `owner`'s feed; with `mentioning`, those
    that mention them and the boosts of theirs too (a block or mute took them out)."""
    await merge_into_home(ctx, owner, by_or_about([author], mentioning=mentioning))


async def end_guards(ctx: AppContext, owner: int) -> None:
    """The guards of timed mutes that ran out: settled from the database (another block or
    mute may still hide the author) and what they kept out merged back. Started by a home
    read that saw one; best effort (the next read sees it again)."""
    key = ctx.keys.home_hidden(owner)
    try:
        ended = await ctx.redis.zrangebyscore(key, "-inf", f"{time.time():.3f}")
        if not ended:
            return
        async with ctx.db() as db:
            guard = await home_guard(db, owner)
        for raw in ended:
            author = raw.decode() if isinstance(raw, bytes) else str(raw)
            if author in guard:
                await ctx.redis.zadd(key, {author: guard[author]})
                continue
            await ctx.redis.zrem(key, author)
            await merge_author(ctx, owner, int(author), mentioning=True)
    except Exception as exc:
        log.warning("ending the guards of %d failed: %r", owner, exc)
