"""The `streaming` consumer group: each event to the channels of its audience, respecting
visibility (the same audience as the home-feed fan-out)."""

from __future__ import annotations

from typing import Any

import orjson

from social.notifications.consumer import NOTIFICATION_CREATED
from social.notifications.http import render_notifications
from social.platform.context import AppContext
from social.platform.db.models import Notification
from social.platform.live.history import HistoryLimits, publish
from social.statuses.render import render_raw
from social.statuses.service import STATUS_CREATED, STATUS_DELETED
from social.timelines.consumer import followers, follows_among


def limits(ctx: AppContext) -> HistoryLimits:
    return HistoryLimits(ctx.settings.streaming_history_max, ctx.settings.streaming_history_ttl_s)


async def _send(ctx: AppContext, channels: list[str], event: str, payload: str) -> None:
    await publish(ctx.redis, ctx.keys, limits(ctx), channels, event, payload)


async def _to_audience(
    ctx: AppContext, p: dict[str, Any], event: str, payload: str, *, replies: bool
) -> None:
    author, visibility = p["account_id"], p["visibility"]
    first = [f"user:{author}"]
    if visibility == "public":
        tags = [str(t).lower() for t in p.get("tags", [])]
        first += ["public", "public:local"]
        first += [f"hashtag:{t}" for t in tags] + [f"hashtag:local:{t}" for t in tags]
    if visibility == "direct":
        first += [f"user:{m}" for m in p.get("mention_ids", [])]
        await _send(ctx, first, event, payload)
        return
    await _send(ctx, first, event, payload)
    replied_to = p.get("in_reply_to_account_id") if replies else None
    async for batch in followers(ctx, author):
        if replied_to and replied_to != author:
            both = await follows_among(ctx, batch, replied_to)  # as the home feed: see fanout.py
            batch = [f for f in batch if f in both or f == replied_to]
        await _send(ctx, [f"user:{f}" for f in batch], event, payload)


async def status_created(ctx: AppContext, p: dict[str, Any]) -> None:
    rendered = await render_raw(ctx, [int(p["status_id"])], None, check_visibility=False)
    if rendered:  # else deleted meantime
        await _to_audience(ctx, p, "update", rendered[0].decode(), replies=True)


async def status_deleted(ctx: AppContext, p: dict[str, Any]) -> None:
    await _to_audience(ctx, p, "delete", str(p["status_id"]), replies=False)


async def notification_created(ctx: AppContext, p: dict[str, Any]) -> None:
    async with ctx.db() as db:
        row = await db.get(Notification, int(p["notification_id"]))
    if row is None:
        return
    rendered = await render_notifications(ctx, [row], row.account_id)
    if rendered:
        recipient = row.account_id
        payload = orjson.dumps(rendered[0]).decode()
        channels = [f"user:{recipient}", f"user:notification:{recipient}"]
        await _send(ctx, channels, "notification", payload)


HANDLERS = {
    STATUS_CREATED: status_created,
    STATUS_DELETED: status_deleted,
    NOTIFICATION_CREATED: notification_created,
}
