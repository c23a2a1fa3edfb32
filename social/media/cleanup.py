"""The scheduler's `media.cleanup` job: an upload still unattached a day after it was made is
deleted with its files (as Mastodon's MediaCleanupScheduler)."""

from __future__ import annotations

from sqlalchemy import delete, select

from social.media.service import CLEANUP_KIND, UNATTACHED_TTL, keys_of, rowcount, storage
from social.platform.context import AppContext
from social.platform.db.models import MediaAttachment

KIND = CLEANUP_KIND


async def run(ctx: AppContext, key: str) -> None:
    """The scheduler's `media.cleanup` job for one upload (`key`: its id): deleted with its
    files if still unattached. Idempotent; a key that is no id is ignored."""
    if not (key.isascii() and key.isdigit()):
        return
    async with ctx.db() as db:
        row = await db.get(MediaAttachment, int(key))
        if row is None or row.status_id is not None or row.scheduled_status_id is not None:
            return
        keys = keys_of(row)
        result = await db.execute(
            delete(MediaAttachment).where(
                MediaAttachment.id == row.id,
                MediaAttachment.status_id.is_(None),
                MediaAttachment.scheduled_status_id.is_(None),
            )
        )
        await db.commit()
    if rowcount(result):
        await storage(ctx).delete(*keys)


async def due_from_db(ctx: AppContext) -> list[tuple[str, float]]:
    """Every unattached upload, due a day after it was made (epoch seconds)."""
    async with ctx.db() as db:
        rows = await db.execute(
            select(MediaAttachment.id, MediaAttachment.created_at).where(
                MediaAttachment.status_id.is_(None),
                MediaAttachment.scheduled_status_id.is_(None),
            )
        )
        return [(str(i), (created + UNATTACHED_TTL).timestamp()) for i, created in rows]
