"""The `timelines` consumer group: home feeds follow statuses, follows, blocks and mutes.
Idempotent (ZADD and ZREM are), since events arrive at least once."""

from __future__ import annotations

import time

from sqlalchemy import select

from social.lists.exclusive import exclusive_readers
from social.platform.context import AppContext
from social.platform.db.models import Mention, Status
from social.platform.events.topics import (
    BlockCreated,
    BlockDeleted,
    FollowCreated,
    FollowDeleted,
    MuteCreated,
    MuteDeleted,
    StatusCreated,
    StatusDeleted,
    TagFollowed,
    TagUnfollowed,
    TopicHandler,
)
from social.relations.blocks import settle_guards
from social.statuses.audience import following_query, home_audience, home_query
from social.tags.audience import followed_tags_bring
from social.tags.service import statuses_tagged
from social.timelines import large
from social.timelines.service import (
    add_to_feeds,
    feed_entries,
    hide_in_home,
    merge_author,
    merge_into_home,
    remove_from_feeds,
)

REMOVE_BATCH = 500


async def status_created(ctx: AppContext, event: StatusCreated) -> None:
    """Into the feeds of its readers; a large author's (not direct) into their recent set
    instead of their followers' feeds (filled first if Redis has none: the author just
    became large, or Redis lost it). An author who is no longer large has their recent set
    drained into the feeds first, then is pushed again."""
    entry: list[tuple[int, ...]] = [(event.status_id, event.account_id)]
    if event.reblog_of_id is not None and event.reblog_account_id is not None:
        entry = [(event.status_id, event.account_id, event.reblog_of_id, event.reblog_account_id)]
    author = event.account_id
    pushed = True
    if event.visibility != "direct":
        has_set = await large.has_recent_set(ctx, author)
        if await large.is_large(ctx, author):
            if has_set:
                await large.add_recent(ctx, recent_of(event))
            else:
                await large.fill_recent(ctx, author)  # the database has this status already
            pushed = False
        elif has_set:
            await large.drain_recent(ctx, author)
    async for readers in home_audience(ctx, event, with_followers=pushed):
        await add_to_feeds(ctx, readers, entry)


def recent_of(event: StatusCreated) -> large.Recent:
    return large.recent(
        event.status_id,
        event.account_id,
        original_author=event.reblog_account_id,
        replied_to=event.in_reply_to_account_id,
        language=event.language,
        hidden_with=event.hidden_with,
    )


async def status_deleted(ctx: AppContext, event: StatusDeleted) -> None:
    entry = [(event.status_id, event.account_id)]
    await large.remove_recent(ctx, event.account_id, event.status_id)
    async for readers in home_audience(ctx, event, written=False):
        await remove_from_feeds(ctx, readers, entry)


async def follow_created(ctx: AppContext, event: FollowCreated) -> None:
    """Merge the newly followed account's recent statuses into the follower's feed (a large
    account's: the home merges their recent set from now on)."""
    follower, target = event.account_id, event.target_account_id
    if await large.has_recent_set(ctx, target):
        async with ctx.reads() as db:
            excluded = await exclusive_readers(db, target)
        if follower not in excluded:
            await large.register(ctx, [follower], target)
            return
    await merge_author(ctx, event.account_id, event.target_account_id)


async def block_created(ctx: AppContext, event: BlockCreated) -> None:
    """Each leaves the other's home (the request did it at once unless Redis failed)."""
    await hide_in_home(ctx, event.account_id, event.target_account_id)
    await hide_in_home(ctx, event.target_account_id, event.account_id)


async def block_deleted(ctx: AppContext, event: BlockDeleted) -> None:
    """What mentions the other comes back (their own statuses do not: no follow is left)."""
    one, other = event.account_id, event.target_account_id
    await settle_guards(ctx, [(one, other), (other, one)])
    await merge_author(ctx, one, other, mentioning=True)
    await merge_author(ctx, other, one, mentioning=True)


async def mute_created(ctx: AppContext, event: MuteCreated) -> None:
    if event.expires_at is not None and event.expires_at <= time.time():
        return  # over already
    await hide_in_home(ctx, event.account_id, event.target_account_id, event.expires_at)


async def mute_deleted(ctx: AppContext, event: MuteDeleted) -> None:
    """Their statuses come back (if still followed), and those mentioning them, unless
    something else hides them."""
    owner, author = event.account_id, event.target_account_id
    await settle_guards(ctx, [(owner, author)])
    await merge_author(ctx, owner, author, mentioning=True)


async def follow_deleted(ctx: AppContext, event: FollowDeleted) -> None:
    """Take the unfollowed account's statuses out (direct ones to the follower stay)."""
    follower, target = event.account_id, event.target_account_id
    await large.unregister(ctx, [follower], target)
    async with ctx.db() as db:
        mentioned = select(Mention.status_id).where(Mention.account_id == follower)
        ids = list(
            (
                await db.execute(
                    select(Status.id).where(
                        Status.account_id == target,
                        Status.id.not_in(mentioned),
                        ~followed_tags_bring(follower),  # these stay, for the tag
                    )
                )
            ).scalars()
        )
    for start in range(0, len(ids), REMOVE_BATCH):
        chunk = ids[start : start + REMOVE_BATCH]
        await remove_from_feeds(ctx, [follower], [(i, target) for i in chunk])


async def tag_followed(ctx: AppContext, event: TagFollowed) -> None:
    """The tag's recent statuses into the follower's feed, by the rules of a rebuild."""
    await merge_into_home(ctx, event.account_id, Status.id.in_(statuses_tagged(event.tag_id)))


async def tag_unfollowed(ctx: AppContext, event: TagUnfollowed) -> None:
    """Out of the feed go the statuses with the tag that the home no longer shows (those of
    accounts followed, one's own, those with another followed tag stay)."""
    owner = event.account_id
    entries = await feed_entries(ctx, ctx.keys.home_feed(owner))
    ids = [s for s, _ in entries]
    gone: list[tuple[int, int]] = []
    for start in range(0, len(ids), REMOVE_BATCH):
        chunk = ids[start : start + REMOVE_BATCH]
        tagged = Status.id.in_(chunk) & Status.id.in_(statuses_tagged(event.tag_id))
        async with ctx.db() as db:
            candidates = set((await db.execute(select(Status.id).where(tagged))).scalars())
            if not candidates:
                continue
            kept = home_query(owner, following_query(owner)).where(Status.id.in_(candidates))
            stay = {r[0] for r in await db.execute(kept)}
        gone += [(s, a) for s, a in entries if s in candidates - stay]
    await remove_from_feeds(ctx, [owner], gone)


HANDLERS: dict[str, TopicHandler] = {
    StatusCreated.name: status_created,
    StatusDeleted.name: status_deleted,
    FollowCreated.name: follow_created,
    FollowDeleted.name: follow_deleted,
    BlockCreated.name: block_created,
    BlockDeleted.name: block_deleted,
    MuteCreated.name: mute_created,
    MuteDeleted.name: mute_deleted,
    TagFollowed.name: tag_followed,
    TagUnfollowed.name: tag_unfollowed,
}
