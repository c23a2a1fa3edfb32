"""The `conversations` consumer group: a direct status into the conversation of each of its
participants (`service.add_status`), a deleted one out of them (`service.remove_status`), and
each entry that changed, as its owner now sees it, to the owner's `direct` stream (a
`conversation` event, as Mastodon's). At least once: a redelivered event changes no entry, and
may announce one again."""

from __future__ import annotations

from social.conversations import service
from social.conversations.render import render_conversations
from social.platform.context import AppContext
from social.platform.events.topics import StatusCreated, StatusDeleted, StatusEvent, TopicHandler
from social.platform.live.history import publish
from social.streaming.consumer import limits


async def status_created(ctx: AppContext, event: StatusCreated) -> None:
    if event.visibility == "direct":
        await _announce(ctx, event, await service.add_status(ctx, event))


async def status_deleted(ctx: AppContext, event: StatusDeleted) -> None:
    if event.visibility == "direct":
        await _announce(ctx, event, await service.remove_status(ctx, event))


async def _announce(ctx: AppContext, event: StatusEvent, account_ids: list[int]) -> None:
    for account_id in account_ids:
        entry = await service.entry_for(ctx, account_id, event)
        if entry is None:
            continue  # deleted meanwhile
        rendered = await render_conversations(ctx, [entry], account_id)
        channel = f"direct:{account_id}"
        payload = rendered[0].decode()
        await publish(ctx.redis, ctx.keys, limits(ctx), [channel], "conversation", payload)


HANDLERS: dict[str, TopicHandler] = {
    StatusCreated.name: status_created,
    StatusDeleted.name: status_deleted,
}
