"""The `timelines` consumer group: home feeds follow statuses and follows. Idempotent (ZADD and
ZREM are), since events arrive at least once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import select

from social.follows.service import FOLLOW_CREATED, FOLLOW_DELETED
from social.platform.context import AppContext
from social.platform.db.models import Follow, Mention, Status
from social.statuses.service import STATUS_CREATED, STATUS_DELETED
from social.timelines.service import add_to_feeds, following_query, home_query, remove_from_feeds

FOLLOWERS_BATCH = 1000


async def followers(ctx: AppContext, account_id: int) -> AsyncIterator[list[int]]:
    """The account's followers in batches (keyset paging: huge accounts stay cheap)."""
    after = 0
    while True:
        async with ctx.db() as db:
            rows = (
                await db.execute(
                    select(Follow.id, Follow.account_id)
                    .where(Follow.target_account_id == account_id, Follow.id > after)
                    .order_by(Follow.id)
                    .limit(FOLLOWERS_BATCH)
                )
            ).all()
        if not rows:
            return
        yield [r.account_id for r in rows]
        after = rows[-1].id


async def follows_among(ctx: AppContext, account_ids: list[int], target: int) -> set[int]:
    async with ctx.db() as db:
        query = select(Follow.account_id).where(
            Follow.target_account_id == target, Follow.account_id.in_(account_ids)
        )
        return set((await db.execute(query)).scalars())


async def status_created(ctx: AppContext, p: dict[str, Any]) -> None:
    author, status_id = p["account_id"], p["status_id"]
    entry = [(status_id, author)]
    mentioned = set(p.get("mention_ids", []))
    if p["visibility"] == "direct":
        await add_to_feeds(ctx, {author} | mentioned, entry)
        return
    await add_to_feeds(ctx, [author], entry)
    replied_to = p.get("in_reply_to_account_id")
    async for batch in followers(ctx, author):
        if replied_to and replied_to != author:
            # As Mastodon: a reply reaches your home only if you follow both people
            # (or are the one replied to).
            both = await follows_among(ctx, batch, replied_to)
            batch = [f for f in batch if f in both or f == replied_to]
        await add_to_feeds(ctx, batch, entry)


async def status_deleted(ctx: AppContext, p: dict[str, Any]) -> None:
    author, status_id = p["account_id"], p["status_id"]
    entry = [(status_id, author)]
    await remove_from_feeds(ctx, {author, *p.get("mention_ids", [])}, entry)
    async for batch in followers(ctx, author):
        await remove_from_feeds(ctx, batch, entry)


async def follow_created(ctx: AppContext, p: dict[str, Any]) -> None:
    """Merge the newly followed account's recent statuses into the follower's feed."""
    follower, target = p["account_id"], p["target_account_id"]
    # The same rules as a rebuild (visibility, replies), for the target's statuses only.
    query = home_query(follower, following_query(follower)).where(Status.account_id == target)
    async with ctx.db() as db:
        rows = (
            await db.execute(query.order_by(Status.id.desc()).limit(ctx.settings.home_feed_max))
        ).all()
    await add_to_feeds(ctx, [follower], [(r[0], r[1]) for r in rows])


async def follow_deleted(ctx: AppContext, p: dict[str, Any]) -> None:
    """Take the unfollowed account's statuses out (direct ones to the follower stay)."""
    follower, target = p["account_id"], p["target_account_id"]
    async with ctx.db() as db:
        mentioned = select(Mention.status_id).where(Mention.account_id == follower)
        ids = list(
            (
                await db.execute(
                    select(Status.id).where(
                        Status.account_id == target, Status.id.not_in(mentioned)
                    )
                )
            ).scalars()
        )
    for start in range(0, len(ids), 500):
        await remove_from_feeds(ctx, [follower], [(i, target) for i in ids[start : start + 500]])


HANDLERS = {
    STATUS_CREATED: status_created,
    STATUS_DELETED: status_deleted,
    FOLLOW_CREATED: follow_created,
    FOLLOW_DELETED: follow_deleted,
}
