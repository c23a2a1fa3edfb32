"""The `notifications` consumer group: mention, follow and favourite notifications.
Idempotent: each has a dedupe key, and a redelivered event finds it already there."""

from __future__ import annotations

from social.notifications.service import notify
from social.platform.context import AppContext
from social.platform.events.topics import (
    FavouriteCreated,
    FollowCreated,
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
    await notify(
        ctx,
        [
            {
                "account_id": event.target_account_id,
                "from_account_id": event.account_id,
                "type": "follow",
            }
        ],
    )


async def favourite_created(ctx: AppContext, event: FavouriteCreated) -> None:
    await notify(
        ctx,
        [
            {
                "account_id": event.author_id,
                "from_account_id": event.account_id,
                "type": "favourite",
                "status_id": event.status_id,
            }
        ],
    )


HANDLERS: dict[str, TopicHandler] = {
    StatusCreated.name: status_created,
    FollowCreated.name: follow_created,
    FavouriteCreated.name: favourite_created,
}
