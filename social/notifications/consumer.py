"""The `notifications` consumer group: mention, follow and favourite notifications; an
unfollow or unfavourite withdraws its notification. Idempotent: each has a dedupe key (a
follow's or favourite's names it), and a redelivered event finds it already there, or gone."""

from __future__ import annotations

from social.notifications.service import (
    current_favourite,
    current_follow,
    notify,
    withdraw_favourite,
    withdraw_follow,
)
from social.platform.context import AppContext
from social.platform.events.topics import (
    FavouriteCreated,
    FavouriteDeleted,
    FollowCreated,
    FollowDeleted,
    StatusCreated,
    TopicHandler,
)


async def status_created(ctx: AppContext, event: StatusCreated) -> None:
    await notify(
        ctx,
        [
            {
                "account_id": m,
                "from_account_id": event.account_id,
                "type": "mention",
                "status_id": event.status_id,
            }
            for m in event.mention_ids
        ],
    )


async def follow_created(ctx: AppContext, event: FollowCreated) -> None:
    follow_id = await current_follow(ctx, event.account_id, event.target_account_id)
    if follow_id is None:
        return  # unfollowed since: nothing to tell
    await notify(
        ctx,
        [
            {
                "account_id": event.target_account_id,
                "from_account_id": event.account_id,
                "type": "follow",
                "follow_id": follow_id,
            }
        ],
    )


async def follow_deleted(ctx: AppContext, event: FollowDeleted) -> None:
    await withdraw_follow(ctx, event.account_id, event.target_account_id)


async def favourite_created(ctx: AppContext, event: FavouriteCreated) -> None:
    favourite_id = await current_favourite(ctx, event.account_id, event.status_id)
    if favourite_id is None:
        return  # unfavourited since: nothing to tell
    await notify(
        ctx,
        [
            {
                "account_id": event.author_id,
                "from_account_id": event.account_id,
                "type": "favourite",
                "status_id": event.status_id,
                "favourite_id": favourite_id,
            }
        ],
    )


async def favourite_deleted(ctx: AppContext, event: FavouriteDeleted) -> None:
    await withdraw_favourite(ctx, event.account_id, event.status_id, event.author_id)


HANDLERS: dict[str, TopicHandler] = {
    StatusCreated.name: status_created,
    FollowCreated.name: follow_created,
    FollowDeleted.name: follow_deleted,
    FavouriteCreated.name: favourite_created,
    FavouriteDeleted.name: favourite_deleted,
}
