"""Mastodon's ScheduledStatus entity."""

from __future__ import annotations

from typing import Any

from social.media.render import scheduled_attachments
from social.platform.context import AppContext
from social.platform.times import iso
from social.scheduled.service import Scheduled


def render(scheduled: Scheduled, media: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": str(scheduled.id),
        "scheduled_at": iso(scheduled.scheduled_at),
        "params": scheduled.params,
        "media_attachments": media,
    }


async def render_many(ctx: AppContext, found: list[Scheduled]) -> list[dict[str, Any]]:
    """ScheduledStatus entities with the media each holds (one query)."""
    async with ctx.db() as db:
        media = await scheduled_attachments(db, [s.id for s in found], ctx.settings.base_url)
    return [render(s, media.get(s.id, [])) for s in found]
