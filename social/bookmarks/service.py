"""Bookmarks: statuses a person keeps to read again, seen by nobody else. A row per bookmark;
the person's set in Redis (`statuses/marks.py`) follows each write after its commit."""

from __future__ import annotations

from social.platform.context import AppContext
from social.platform.db.models import Bookmark, Status
from social.platform.db.toggle import toggle
from social.platform.errors import NotFound
from social.statuses import marks
from social.statuses.service import may_see_row


async def bookmark(ctx: AppContext, account_id: int, status_id: int) -> None:
    """Bookmark a status the person may see (idempotent)."""
    async with ctx.db() as db:
        status = await db.get(Status, status_id)
        if status is None or not await may_see_row(ctx, db, status, account_id):
            raise NotFound()
        changed = await toggle(db, True, Bookmark, account_id=account_id, status_id=status_id)
        await db.commit()
    if changed:
        await marks.changed(ctx, marks.BOOKMARKS, account_id, status_id, True)


async def unbookmark(ctx: AppContext, account_id: int, status_id: int) -> bool:
    """Take a bookmark back (idempotent). True if there was one: as Mastodon, the person is
    then shown the status even if they may no longer see it; without one, a status they may
    not see is not found."""
    async with ctx.db() as db:
        changed = await toggle(db, False, Bookmark, account_id=account_id, status_id=status_id)
        await db.commit()  # before the visibility check, which may ask Redis
        if not changed:
            status = await db.get(Status, status_id)
            if status is None or not await may_see_row(ctx, db, status, account_id):
                raise NotFound()
    if changed:
        await marks.changed(ctx, marks.BOOKMARKS, account_id, status_id, False)
    return bool(changed)
