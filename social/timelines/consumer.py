"""The `timelines` consumer group: home feeds follow statuses and follows. Idempotent (ZADD and
ZREM are), since events arrive at least once."""

from __future__ import annotations

from sqlalchemy import select

from social.platform.context import AppContext
from social.platform.db.models import Mention, Status
from social.platform.events.topics import (
    FollowCreated,
    FollowDeleted,
    StatusCreated,
    StatusDeleted,
    TopicHandler,
)
from social.statuses.audience import following_query, home_audience, home_query
from social.timelines.service import add_to_feeds, remove_from_feeds

REMOVE_BATCH = 500


async def status_created(ctx: AppContext, event: StatusCreated) -> None:
    entry = [(event.status_id, event.account_id)]
    async for readers in home_audience(ctx, event):
        await add_to_feeds(ctx, readers, entry)


async def status_deleted(ctx: AppContext, event: StatusDeleted) -> None:
    entry = [(event.status_id, event.account_id)]
    async for readers in home_audience(ctx, event, written=False):
        await remove_from_feeds(ctx, readers, entry)


async def follow_created(ctx: AppContext, event: FollowCreated) -> None:
    """Merge the newly followed account's recent statuses into the follower's feed."""
    follower, target = event.account_id, event.target_account_id
    # The same rules as a rebuild (visibility, replies), for the target's statuses only.
    query = home_query(follower, following_query(follower)).where(Status.account_id == target)
    async with ctx.db() as db:
        rows = (
            await db.execute(query.order_by(Status.id.desc()).limit(ctx.settings.home_feed_max))
        ).all()
    await add_to_feeds(ctx, [follower], [(r[0], r[1]) for r in rows])


async def follow_deleted(ctx: AppContext, event: FollowDeleted) -> None:
    """Take the unfollowed account's statuses out (direct ones to the follower stay)."""
    follower, target = event.account_id, event.target_account_id
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
    for start in range(0, len(ids), REMOVE_BATCH):
        chunk = ids[start : start + REMOVE_BATCH]
        await remove_from_feeds(ctx, [follower], [(i, target) for i in chunk])


HANDLERS: dict[str, TopicHandler] = {
    StatusCreated.name: status_created,
    StatusDeleted.name: status_deleted,
    FollowCreated.name: follow_created,
    FollowDeleted.name: follow_deleted,
}
