"""List feeds in Redis: a sorted set per list, as a home feed is (`social.timelines.service`):
members `<status id>:<author id>` scored by status id, the sentinel `0` once built, capped at
`home_feed_max`, rebuilt from the database under a lock when a read finds it missing, and
filled by the same fan-out (the `timelines` group, `social.lists.fanout`) through the same
script, which checks the owner's home guard (`keys.home_hidden`): what is hidden from the
owner's home is hidden from their lists too.

Which statuses a list shows is one rule in two forms, as the home's: `list_query` (the
database path and rebuilds) and `list_audience` (the lists one status enters). A list shows
its members' statuses but direct ones; a reply to someone else only by its replies policy
(Mastodon's `FeedManager#filter_from_list?`): `followed`, to someone the owner follows; `list`,
to a member; `none`, to nobody; a reply to the owner always; never what is hidden from the
owner (blocks, mutes, a follow's languages). A member is someone the owner follows (the
follow's end removes them), or the owner.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence

import orjson
from redis.exceptions import RedisError
from sqlalchemy import exists, or_, select
from sqlalchemy.sql import Select

from social.platform.context import AppContext
from social.platform.db.models import AccountList, Follow, ListAccount, Status
from social.platform.events.topics import StatusEvent
from social.platform.paging import PageQuery, paged
from social.relations.hidden import home_guard, other_languages, readers_hiding, shown_to
from social.statuses.audience import following_query
from social.timelines.service import (
    BATCH,
    FEED_TTL_S,
    REBUILD_LOCK_MS,
    SENTINEL,
    Entry,
    PageEntry,
    add_to,
    by_or_about,
    feed_entries,
    feed_read,
    involved_entries,
    member,
    merge_into_home,
    recent_entries,
    remove_from_feeds,
    without_repeated_boosts,
)

log = logging.getLogger(__name__)

ListRef = tuple[int, int]  # (owner id, list id): where a list's feed lives


def members_query(list_id: int) -> Select[int]:
    return select(ListAccount.account_id).where(ListAccount.list_id == list_id)


def list_query(row: AccountList) -> Select[int, int, int | None]:
    """The statuses the list shows (id, author, and the original of a boost)."""
    owner = row.account_id
    members = members_query(row.id)
    replied = Status.in_reply_to_account_id
    reply_ok = [replied.is_(None), replied == Status.account_id, replied == owner]
    if row.replies_policy == "followed":
        reply_ok.append(replied.in_(following_query(owner)))
    elif row.replies_policy == "list":
        reply_ok.append(replied.in_(members))
    wrong_language = exists().where(
        Follow.account_id == owner,
        Follow.target_account_id == Status.account_id,
        Status.language.is_not(None),
        other_languages(Status.language),
    )
    # a boost by a member whose boosts the owner hides (the follow's `reblogs` option)
    boosts_hidden = Status.reblog_of_id.is_not(None) & Status.account_id.in_(
        select(Follow.target_account_id).where(
            Follow.account_id == owner, Follow.show_reblogs.is_(False)
        )
    )
    return select(Status.id, Status.account_id, Status.reblog_of_id).where(
        Status.account_id.in_(members),
        Status.visibility != "direct",
        or_(*reply_ok),
        ~wrong_language,
        ~boosts_hidden,
        shown_to(owner),
    )


async def list_audience(
    ctx: AppContext, status: StatusEvent, *, written: bool = True
) -> list[ListRef]:
    """The lists `status` enters (one query, and one more for a reply, one for what is
    hidden); with `written=False` (a deletion), every list it may have entered."""
    if written and status.visibility == "direct":
        return []
    author = status.account_id
    async with ctx.reads() as db:
        rows = (
            await db.execute(
                select(AccountList.account_id, AccountList.id, AccountList.replies_policy)
                .join(ListAccount, ListAccount.list_id == AccountList.id)
                .where(ListAccount.account_id == author)
            )
        ).all()
        if not written or not rows:
            return [(r[0], r[1]) for r in rows]
        replied = status.in_reply_to_account_id
        if replied is not None and replied != author:
            owners = {r[0] for r in rows}
            following = set(
                (
                    await db.execute(
                        select(Follow.account_id).where(
                            Follow.account_id.in_(owners), Follow.target_account_id == replied
                        )
                    )
                ).scalars()
            )
            with_replied = set(
                (
                    await db.execute(
                        select(ListAccount.list_id).where(
                            ListAccount.list_id.in_([r[1] for r in rows]),
                            ListAccount.account_id == replied,
                        )
                    )
                ).scalars()
            )
            rows = [
                r
                for r in rows
                if r[0] == replied
                or (r[2] == "followed" and r[0] in following)
                or (r[2] == "list" and r[1] in with_replied)
            ]
        hiding = await readers_hiding(
            db,
            author,
            status.hidden_with,
            status.language,
            original_author=status.reblog_account_id,
        )
    return [(r[0], r[1]) for r in rows if r[0] not in hiding]


def _page_call(ctx: AppContext, ref: ListRef, page: PageQuery) -> tuple[list[str], list[object]]:
    high = f"({page.max_id}" if page.max_id else "+inf"
    if page.min_id is not None:
        direction, low = "oldest", f"({page.min_id}"
    else:
        direction, low = "newest", f"({page.since_id}" if page.since_id else f"({SENTINEL}"
    keys = [ctx.keys.list_feed(*ref), ctx.keys.lists_muted(ref[0])]
    return keys, [direction, high, low, page.limit, FEED_TTL_S, f"{time.time():.3f}"]


async def read_list(ctx: AppContext, row: AccountList, page: PageQuery) -> list[PageEntry]:
    """A page of the list's (status, author) entries: from its feed (one script call), from
    the database when Redis fails or the feed is not built (rebuilt meanwhile), and past the
    oldest entry kept."""
    ref = (row.account_id, row.id)
    try:
        reply = await feed_read.call(ctx.redis, *_page_call(ctx, ref, page))
    except RedisError as exc:
        ctx.metrics.redis_errors.labels("list.read").inc()
        log.warning("list feed read failed, answering from the database: %r", exc)
        return await list_from_db(ctx, row, page)
    if not reply[0]:
        ctx.spawn(rebuild_list(ctx, row))
        return await list_from_db(ctx, row, page)
    entries: list[PageEntry] = orjson.loads(reply[2])
    if len(reply) > 3 and reply[3]:
        ctx.spawn(end_mutes(ctx, row.account_id))
    if page.min_id is not None:
        entries.reverse()
    if len(entries) < page.limit and int(reply[1]) > ctx.settings.home_feed_max:
        oldest = min(e[0] for e in entries) if entries else page.max_id
        older = PageQuery(max_id=oldest, limit=page.limit - len(entries))
        entries += await list_from_db(ctx, row, older)
    return entries


async def list_from_db(ctx: AppContext, row: AccountList, page: PageQuery) -> list[PageEntry]:
    async with ctx.db() as db:
        rows = (await db.execute(paged(list_query(row), Status.id, page))).all()
    pairs = without_repeated_boosts([(r[0], r[1], r[2]) for r in rows])
    return list[PageEntry](pairs)


async def rebuild_list(ctx: AppContext, row: AccountList) -> bool:
    """Fill the list's feed from the database (newest `home_feed_max`) and mark it built."""
    key = ctx.keys.list_feed(row.account_id, row.id)
    lock = ctx.keys.list_feed_rebuild_lock(row.account_id, row.id)
    reblogs = ctx.keys.list_reblogs(row.account_id, row.id)
    cap = ctx.settings.home_feed_max
    try:
        if not await ctx.redis.set(lock, "1", nx=True, px=REBUILD_LOCK_MS):
            return False
        async with ctx.db() as db:
            rows = (await db.execute(list_query(row).order_by(Status.id.desc()).limit(cap))).all()
        kept = without_repeated_boosts([(r[0], r[1], r[2]) for r in rows])
        originals = {r[0]: r[2] for r in rows if r[2] is not None}
        boosts = {str(originals[e[0]]): member(e) for e in reversed(kept) if e[0] in originals}
        async with ctx.redis.pipeline(transaction=True) as pipe:
            pipe.zadd(key, {SENTINEL: 0, **{member(e): e[0] for e in kept}})
            pipe.zremrangebyrank(key, 1, -(cap + 1))
            pipe.expire(key, FEED_TTL_S)
            pipe.delete(reblogs)
            if boosts:
                pipe.hset(reblogs, items=[part for pair in boosts.items() for part in pair])
                pipe.expire(reblogs, FEED_TTL_S)
            pipe.delete(lock)
            await pipe.execute()
        return True
    except RedisError as exc:
        ctx.metrics.redis_errors.labels("list.rebuild").inc()
        log.warning("list feed rebuild failed: %r", exc)
        return False
    except Exception:
        log.exception("list feed rebuild failed")
        return False


async def add_to_lists(ctx: AppContext, refs: Iterable[ListRef], entries: Sequence[Entry]) -> None:
    """Pipelined, in batches; only built feeds take it, only what the owner's home guard lets
    through, and a boost as in the home (`(boost, booster, original, original's author)`:
    left out while its original or an earlier boost of it is among the newest entries)."""
    keys = ctx.keys
    feeds = [
        [
            keys.list_feed(owner, list_id),
            keys.list_feed_rebuild_lock(owner, list_id),
            keys.home_hidden(owner),
            keys.list_reblogs(owner, list_id),
        ]
        for owner, list_id in refs
    ]
    await add_to(ctx, feeds, entries)


async def remove_from_lists(
    ctx: AppContext, refs: Iterable[ListRef], entries: Sequence[Entry]
) -> None:
    if not entries:
        return
    members = [member(e) for e in entries]
    refs = list(refs)
    for start in range(0, len(refs), BATCH):
        async with ctx.redis.pipeline(transaction=False) as pipe:
            for ref in refs[start : start + BATCH]:
                pipe.zrem(ctx.keys.list_feed(*ref), *members)
            await pipe.execute()


async def lists_of(ctx: AppContext, owner_id: int) -> list[AccountList]:
    async with ctx.db() as db:
        query = select(AccountList).where(AccountList.account_id == owner_id)
        return list((await db.execute(query.order_by(AccountList.id))).scalars())


async def merge_into(
    ctx: AppContext, row: AccountList, authors: Iterable[int], *, mentioning: bool = False
) -> None:
    """The recent statuses (and boosts) of `authors` into the list's feed by the rule of a
    rebuild; with `mentioning`, its members' statuses mentioning them and boosts of theirs
    too (a block or mute ended)."""
    authors = list(authors)
    if not authors:
        return
    entries = await recent_entries(
        ctx, list_query(row).where(by_or_about(authors, mentioning=mentioning))
    )
    await add_to_lists(ctx, [(row.account_id, row.id)], entries)


async def drop_from(
    ctx: AppContext, refs: list[ListRef], authors: set[int], *, mentioning: bool = False
) -> None:
    """The entries of `authors` out of these lists' feeds; with `mentioning`, those that
    mention them and the boosts of theirs too (a block or a mute)."""
    for ref in refs:
        entries = await feed_entries(ctx, ctx.keys.list_feed(*ref))
        if mentioning:
            gone = await involved_entries(ctx, entries, authors)
        else:
            gone = [(s, a) for s, a in entries if a in authors]
        for start in range(0, len(gone), BATCH):
            await remove_from_lists(ctx, [ref], gone[start : start + BATCH])


async def hide_in_lists(
    ctx: AppContext, owner_id: int, author_id: int, until_s: float | None = None
) -> None:
    """`author_id` is hidden from `owner_id` now (a block or a mute, until `until_s` for a
    timed one): their statuses, and those mentioning them, leave the owner's list feeds.
    Later fan-out is refused by the home guard, which `hide_in_home` wrote before."""
    rows = await lists_of(ctx, owner_id)
    if until_s is not None and rows:
        await ctx.redis.zadd(ctx.keys.lists_muted(owner_id), {str(author_id): until_s})
    await drop_from(ctx, [(owner_id, row.id) for row in rows], {author_id}, mentioning=True)


async def unhide_in_lists(ctx: AppContext, owner_id: int, other_id: int) -> None:
    """A block or mute ended: the other's statuses and those mentioning them come back into
    the owner's lists, unless something else still hides them."""
    await ctx.redis.zrem(ctx.keys.lists_muted(owner_id), str(other_id))
    for row in await lists_of(ctx, owner_id):
        await merge_into(ctx, row, [other_id], mentioning=True)


async def end_mutes(ctx: AppContext, owner_id: int) -> None:
    """Timed mutes that ran out: what they kept out of the owner's lists comes back, unless
    the database says something still hides the author. Started by a list read that saw
    one; best effort (the next read sees it again)."""
    key = ctx.keys.lists_muted(owner_id)
    try:
        ended = await ctx.redis.zrangebyscore(key, "-inf", f"{time.time():.3f}")
        if not ended:
            return
        async with ctx.db() as db:
            guard = await home_guard(db, owner_id)
        for raw in ended:
            author = raw.decode() if isinstance(raw, bytes) else str(raw)
            if author in guard:
                if guard[author] != float("inf"):
                    await ctx.redis.zadd(key, {author: guard[author]})
                else:
                    await ctx.redis.zrem(key, author)  # a block or a mute without end now
                continue
            await unhide_in_lists(ctx, owner_id, int(author))
    except Exception as exc:
        log.warning("ending the list mutes of %d failed: %r", owner_id, exc)


async def leave_home(ctx: AppContext, owner_id: int, authors: set[int]) -> None:
    """The authors' statuses leave the owner's home (they joined an exclusive list); what
    the home rule still lets in of theirs (a direct status to the owner) is merged back."""
    key = ctx.keys.home_feed(owner_id)
    gone = [(s, a) for s, a in await feed_entries(ctx, key) if a in authors]
    for start in range(0, len(gone), BATCH):
        await remove_from_feeds(ctx, [owner_id], gone[start : start + BATCH])
    await back_home(ctx, owner_id, authors)


async def back_home(ctx: AppContext, owner_id: int, authors: set[int]) -> None:
    """The authors' recent statuses into the owner's home by the home rule (they left an
    exclusive list, or it stopped being exclusive)."""
    if authors:
        await merge_into_home(ctx, owner_id, by_or_about(authors, mentioning=False))
