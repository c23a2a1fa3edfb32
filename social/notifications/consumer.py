"""The `notifications` consumer group: mention, status (a follow's `notify`), follow, follow
request and favourite notifications; an unfollow, unfavourite or ended request withdraws its
notification. Idempotent: each has a dedupe key (a
follow's or favourite's names it), and a redelivered event finds it already there, or gone."""

from __future__ import annotations

from social.notifications.service import (
    boosters_of,
    current_favourite,
    current_follow,
    current_request,
    notified_followers,
    notify,
    withdraw_boost,
    withdraw_favourite,
    withdraw_follow,
    withdraw_request,
)
from social.platform.context import AppContext
from social.platform.events.topics import (
    FavouriteCreated,
    FavouriteDeleted,
    FollowCreated,
    FollowDeleted,
    FollowRequested,
    FollowRequestEnded,
    StatusCreated,
    StatusDeleted,
    StatusUpdated,
    TopicHandler,
)


async def status_created(ctx: AppContext, event: StatusCreated) -> None:
    author = event.account_id
    if event.reblog_of_id is not None:  # a boost: its original's author is told
        if event.reblog_account_id is not None:
            await notify(
                ctx,
                [
                    {
                        "account_id": event.reblog_account_id,
                        "from_account_id": author,
                        "type": "reblog",
                        "status_id": event.reblog_of_id,
                        "boost_id": event.status_id,
                    }
                ],
            )
        return
    await notify(
        ctx,
        [
            {
                "account_id": m,
                "from_account_id": author,
                "type": "mention",
                "status_id": event.status_id,
            }
            for m in event.mention_ids
        ],
    )
    # Followers who asked to be told (`notify`), of what enters their home: not a direct
    # status, nor a reply to someone else (as Mastodon's).
    replied_to = event.in_reply_to_account_id
    if event.visibility == "direct" or (replied_to is not None and replied_to != author):
        return
    mentioned = set(event.mention_ids)
    async for batch in notified_followers(ctx, author):
        rows = [
            {
                "account_id": f,
                "from_account_id": author,
                "type": "status",
                "status_id": event.status_id,
            }
            for f in batch
            if f not in mentioned  # they have the mention
        ]
        await notify(ctx, rows)


async def status_updated(ctx: AppContext, event: StatusUpdated) -> None:
    """An edit: an `update` to each who boosted it (one per version), a `mention` to each it
    now mentions first."""
    author = event.account_id
    await notify(
        ctx,
        [
            {
                "account_id": m,
                "from_account_id": author,
                "type": "mention",
                "status_id": event.status_id,
            }
            for m in event.new_mention_ids
        ],
    )
    boosters = await boosters_of(ctx, event.status_id)
    await notify(
        ctx,
        [
            {
                "account_id": b,
                "from_account_id": author,
                "type": "update",
                "status_id": event.status_id,
                "edit_id": event.edit_id,
            }
            for b in boosters
        ],
    )


async def follow_created(ctx: AppContext, event: FollowCreated) -> None:
    if event.authorized:
        return  # the request notified; accepting it tells nobody
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


async def follow_requested(ctx: AppContext, event: FollowRequested) -> None:
    request_id = await current_request(ctx, event.account_id, event.target_account_id)
    if request_id is None:
        return  # withdrawn, accepted or rejected since
    await notify(
        ctx,
        [
            {
                "account_id": event.target_account_id,
                "from_account_id": event.account_id,
                "type": "follow_request",
                "request_id": request_id,
            }
        ],
    )


async def follow_request_ended(ctx: AppContext, event: FollowRequestEnded) -> None:
    await withdraw_request(ctx, event.account_id, event.target_account_id)


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


async def status_deleted(ctx: AppContext, event: StatusDeleted) -> None:
    """A boost taken back takes its notification (a deleted status's go with its row)."""
    if event.reblog_of_id is not None and event.reblog_account_id is not None:
        await withdraw_boost(ctx, event.account_id, event.status_id, event.reblog_account_id)


HANDLERS: dict[str, TopicHandler] = {
    StatusCreated.name: status_created,
    StatusDeleted.name: status_deleted,
    StatusUpdated.name: status_updated,
    FollowCreated.name: follow_created,
    FollowDeleted.name: follow_deleted,
    FollowRequested.name: follow_requested,
    FollowRequestEnded.name: follow_request_ended,
    FavouriteCreated.name: favourite_created,
    FavouriteDeleted.name: favourite_deleted,
}
