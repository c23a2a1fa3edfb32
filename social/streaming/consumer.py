"""The `streaming` consumer group: each event to the live channels of its audience: the homes a
status enters (the same rule as the home feeds, `social.statuses.audience`), and the public
and hashtag channels of a public status."""

from __future__ import annotations

import orjson

from social.announcements import reactions as announcement_reactions
from social.announcements import service as announcements
from social.announcements.render import reaction_event, render_announcement
from social.lists.feeds import list_audience
from social.notifications.render import render_notifications
from social.platform.context import AppContext
from social.platform.db.models import Notification
from social.platform.events.topics import (
    AnnouncementPublished,
    AnnouncementReacted,
    AnnouncementWithdrawn,
    NotificationCreated,
    StatusCreated,
    StatusDeleted,
    StatusEvent,
    StatusUpdated,
    TopicHandler,
)
from social.platform.live.history import HistoryLimits, publish, watchers
from social.statuses.audience import home_audience
from social.statuses.render import render_raw
from social.timelines.large import was_large


def limits(ctx: AppContext) -> HistoryLimits:
    return HistoryLimits(ctx.settings.streaming_history_max, ctx.settings.streaming_history_ttl_s)


async def _send(
    ctx: AppContext, channels: list[str], event: str, payload: str, *, watched_only: bool = False
) -> None:
    await publish(
        ctx.redis, ctx.keys, limits(ctx), channels, event, payload, watched_only=watched_only
    )


async def _to_audience(ctx: AppContext, status: StatusEvent, event: str, payload: str) -> None:
    if status.visibility == "public" and status.reblog_of_id is None:  # boosts: homes only
        tags = status.tags  # normalised when the status was written
        public = ["public", "public:local"]
        public += [f"hashtag:{t}" for t in tags] + [f"hashtag:local:{t}" for t in tags]
        await _send(ctx, public, event, payload)
    written = not isinstance(status, StatusDeleted)
    # a large account's followers are mostly away: its status goes to the channels watched,
    # those of its followers among the watchers (as many as are online, not a million)
    among = await watchers(ctx.redis, ctx.keys) if await was_large(ctx, status.account_id) else None
    async for readers in home_audience(ctx, status, written=written, among=among):
        # a home's channel only where someone listens (or did, within the resume window):
        # a large account's followers are mostly away
        await _send(ctx, [f"user:{r}" for r in readers], event, payload, watched_only=True)
    lists = await list_audience(ctx, status, written=written)
    await _send(ctx, [f"list:{list_id}" for _, list_id in lists], event, payload)


async def status_created(ctx: AppContext, event: StatusCreated) -> None:
    rendered = await render_raw(ctx, [event.status_id], None, check_visibility=False)
    if rendered:  # else deleted meantime
        await _to_audience(ctx, event, "update", rendered[0].decode())


async def status_updated(ctx: AppContext, event: StatusUpdated) -> None:
    """The new version, to everyone the status reached (as Mastodon's `status.update`); a
    redelivered event sends the version of now again."""
    rendered = await render_raw(ctx, [event.status_id], None, check_visibility=False)
    if rendered:
        await _to_audience(ctx, event, "status.update", rendered[0].decode())


async def status_deleted(ctx: AppContext, event: StatusDeleted) -> None:
    await _to_audience(ctx, event, "delete", str(event.status_id))


async def notification_created(ctx: AppContext, event: NotificationCreated) -> None:
    async with ctx.db() as db:
        row = await db.get(Notification, event.notification_id)
    if row is None:
        return
    rendered = await render_notifications(ctx, [row], row.account_id)
    if rendered:
        recipient = row.account_id
        payload = orjson.dumps(rendered[0]).decode()
        channels = [f"user:{recipient}", f"user:notification:{recipient}"]
        await _send(ctx, channels, "notification", payload)


async def _to_everyone(ctx: AppContext, event: str, payload: str) -> None:
    """An announcement's news, on every local account's `user` stream (as Mastodon's)."""
    async for readers in announcements.everyone(ctx.db):  # where someone listens (or did)
        await _send(ctx, [f"user:{r}" for r in readers], event, payload, watched_only=True)


async def announcement_published(ctx: AppContext, event: AnnouncementPublished) -> None:
    """The announcement as people see it now; if they do not (any more, or not yet), its
    removal: an edit may have ended it."""
    shown = await announcements.shown_to_anyone(ctx.db, event.announcement_id)
    if shown is None:
        await _to_everyone(ctx, "announcement.delete", str(event.announcement_id))
        return
    body = render_announcement(ctx, shown.row, shown.reactions, shown.read)
    await _to_everyone(ctx, "announcement", orjson.dumps(body).decode())


async def announcement_withdrawn(ctx: AppContext, event: AnnouncementWithdrawn) -> None:
    await _to_everyone(ctx, "announcement.delete", str(event.announcement_id))


async def announcement_reacted(ctx: AppContext, event: AnnouncementReacted) -> None:
    """The reaction's count now (at least once: a replay sends the same count again)."""
    announcement_id, name = event.announcement_id, event.reaction
    count = await announcement_reactions.count_of(ctx.db, announcement_id, name)
    payload = orjson.dumps(reaction_event(announcement_id, name, count)).decode()
    await _to_everyone(ctx, "announcement.reaction", payload)


HANDLERS: dict[str, TopicHandler] = {
    StatusCreated.name: status_created,
    StatusDeleted.name: status_deleted,
    StatusUpdated.name: status_updated,
    NotificationCreated.name: notification_created,
    AnnouncementPublished.name: announcement_published,
    AnnouncementWithdrawn.name: announcement_withdrawn,
    AnnouncementReacted.name: announcement_reacted,
}
