"""The list feeds' handlers in the `timelines` consumer group (beside the home feeds' own, in
`social.timelines.consumer`): statuses into the lists of their audience, out on deletion; an
unfollow takes the account out of the follower's lists (the membership went with the follow);
blocks and mutes as in the home. Idempotent (ZADD and ZREM are), since events arrive at least
once."""

from __future__ import annotations

import time

from social.lists.feeds import (
    add_to_lists,
    drop_from,
    hide_in_lists,
    list_audience,
    lists_of,
    remove_from_lists,
    unhide_in_lists,
)
from social.platform.context import AppContext
from social.platform.events.topics import (
    BlockCreated,
    BlockDeleted,
    FollowDeleted,
    MuteCreated,
    MuteDeleted,
    StatusCreated,
    StatusDeleted,
    TopicHandler,
)


async def status_created(ctx: AppContext, event: StatusCreated) -> None:
    entry: tuple[int, ...] = (event.status_id, event.account_id)
    if event.reblog_of_id is not None and event.reblog_account_id is not None:
        entry = (*entry, event.reblog_of_id, event.reblog_account_id)
    await add_to_lists(ctx, await list_audience(ctx, event), [entry])


async def status_deleted(ctx: AppContext, event: StatusDeleted) -> None:
    refs = await list_audience(ctx, event, written=False)
    await remove_from_lists(ctx, refs, [(event.status_id, event.account_id)])


async def follow_deleted(ctx: AppContext, event: FollowDeleted) -> None:
    follower, target = event.account_id, event.target_account_id
    refs = [(follower, row.id) for row in await lists_of(ctx, follower)]
    await drop_from(ctx, refs, {target})


async def block_created(ctx: AppContext, event: BlockCreated) -> None:
    await hide_in_lists(ctx, event.account_id, event.target_account_id)
    await hide_in_lists(ctx, event.target_account_id, event.account_id)


async def block_deleted(ctx: AppContext, event: BlockDeleted) -> None:
    """What mentions the other comes back (they are no member any more: no follow is left)."""
    await unhide_in_lists(ctx, event.account_id, event.target_account_id)
    await unhide_in_lists(ctx, event.target_account_id, event.account_id)


async def mute_created(ctx: AppContext, event: MuteCreated) -> None:
    if event.expires_at is not None and event.expires_at <= time.time():
        return  # over already
    await hide_in_lists(ctx, event.account_id, event.target_account_id, event.expires_at)


async def mute_deleted(ctx: AppContext, event: MuteDeleted) -> None:
    await unhide_in_lists(ctx, event.account_id, event.target_account_id)


HANDLERS: dict[str, TopicHandler] = {
    StatusCreated.name: status_created,
    StatusDeleted.name: status_deleted,
    FollowDeleted.name: follow_deleted,
    BlockCreated.name: block_created,
    BlockDeleted.name: block_deleted,
    MuteCreated.name: mute_created,
    MuteDeleted.name: mute_deleted,
}
