"""Mastodon's Announcement entity: for one person (with `read` and their reactions marked), or for
nobody in particular (the streaming payload, as Mastodon renders it without a user); and the
admin's view."""

from __future__ import annotations

from typing import Any

from social.announcements.entities import AdminAnnouncement
from social.announcements.service import ReactionCount, is_shown
from social.instance.render import html
from social.platform.context import AppContext
from social.platform.db.models import Announcement
from social.platform.db.types import utcnow
from social.platform.times import iso


def _time(moment: Any) -> str | None:
    return iso(moment) if moment is not None else None


def render_reaction(reaction: ReactionCount) -> dict[str, Any]:
    """A Unicode emoji's reaction: no `url` nor `static_url` (those are a custom emoji's)."""
    body: dict[str, Any] = {"name": reaction.name, "count": reaction.count}
    if reaction.me is not None:
        body["me"] = reaction.me
    return body


def reaction_event(announcement_id: int, name: str, count: int) -> dict[str, Any]:
    """`announcement.reaction`'s payload: the count now, for nobody in particular."""
    return {"name": name, "count": count, "announcement_id": str(announcement_id)}


def render_announcement(
    ctx: AppContext, row: Announcement, reactions: list[ReactionCount], read: bool | None
) -> dict[str, Any]:
    has_range = row.starts_at is not None and row.ends_at is not None
    body: dict[str, Any] = {
        "id": str(row.id),
        "content": html(ctx, row.text),
        "starts_at": _time(row.starts_at),
        "ends_at": _time(row.ends_at),
        "all_day": row.all_day and has_range,
        "published_at": iso(row.published_at or row.created_at),
        "updated_at": iso(row.updated_at),
    }
    if read is not None:
        body["read"] = read
    body |= {"mentions": [], "statuses": [], "tags": [], "emojis": []}
    body["reactions"] = [render_reaction(r) for r in reactions]
    return body


def render_admin(ctx: AppContext, row: Announcement) -> AdminAnnouncement:
    return AdminAnnouncement(
        id=str(row.id),
        text=row.text,
        content=html(ctx, row.text),
        starts_at=_time(row.starts_at),
        ends_at=_time(row.ends_at),
        all_day=row.all_day,
        published=row.published,
        published_at=_time(row.published_at),
        shown=is_shown(row, utcnow()),
        created_at=iso(row.created_at),
        updated_at=iso(row.updated_at),
    )
