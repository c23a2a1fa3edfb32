"""The scheduler's `scheduled.publish` job: a scheduled status posted at its time, once.

Once, whatever the number of processes and retries: the row is deleted in the transaction
that creates the status, first, so of two runs at once one deletes it and posts, the other
waits for that row lock, finds it gone and posts nothing. As Mastodon's
PublishScheduledStatusWorker: an author suspended meanwhile gets nothing posted; a post that
can no longer be made (its reply-to status deleted or hidden, its media gone) is dropped
with its row; either way the row goes.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from social.media import service as media
from social.platform.context import AppContext
from social.platform.db.models import Account, ScheduledStatus
from social.platform.errors import DomainError
from social.scheduled.service import KIND, from_params, parse_params
from social.statuses.service import create_status

log = logging.getLogger(__name__)


class AlreadyPublished(Exception):
    """Another run took the row first."""


async def publish(ctx: AppContext, key: str) -> None:
    scheduled_id = int(key)
    async with ctx.db() as db:
        row = await db.get(ScheduledStatus, scheduled_id)
        if row is None:
            return
        author = await db.get(Account, row.account_id)
    at = row.scheduled_at
    if at > datetime.now(UTC):  # moved later since this job was queued: keep its new time
        await ctx.scheduler.schedule(KIND, key, at.timestamp())
        return
    if author is None or author.suspended:
        await _drop(ctx, scheduled_id)
        return

    async def take(db: AsyncSession) -> None:
        await media.release(db, scheduled_id)  # for the status to attach
        taken = await db.execute(
            delete(ScheduledStatus).where(
                ScheduledStatus.id == scheduled_id, ScheduledStatus.scheduled_at == row.scheduled_at
            )
        )
        if not taken.rowcount:  # type: ignore[attr-defined]
            raise AlreadyPublished

    try:
        status_id = await create_status(
            ctx, row.account_id, from_params(parse_params(row.params)), within=take
        )
    except AlreadyPublished:
        return
    except DomainError as exc:
        log.info("scheduled status %s dropped: %s", scheduled_id, exc.message)
        await _drop(ctx, scheduled_id)
        return
    log.info("scheduled status %s published as status %s", scheduled_id, status_id)


async def _drop(ctx: AppContext, scheduled_id: int) -> None:
    async with ctx.db() as db:
        released = await media.release(db, scheduled_id)
        await db.execute(delete(ScheduledStatus).where(ScheduledStatus.id == scheduled_id))
        await db.commit()
    await media.clean_later(ctx, released, time.time())


async def pending(ctx: AppContext) -> list[tuple[str, float]]:
    """Every scheduled status, due at its time (those already past run at once)."""
    async with ctx.db() as db:
        rows = await db.execute(select(ScheduledStatus.id, ScheduledStatus.scheduled_at))
        return [(str(i), at.timestamp()) for i, at in rows.all()]
