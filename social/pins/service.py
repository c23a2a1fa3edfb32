"""Pins: up to five of your own statuses, shown first on your profile. As Mastodon's
StatusPinValidator: only your own, never a direct one, at most `MAX_PINS`; each refusal a 422
naming every rule broken. The author's set in Redis (`statuses/marks.py`) follows each write
after its commit, so the `pinned` flag costs no query."""

from __future__ import annotations

from sqlalchemy import func, select

from social.platform.context import AppContext
from social.platform.db.models import Account, Status, StatusPin
from social.platform.db.toggle import toggle
from social.platform.errors import Invalid, NotFound
from social.platform.paging import PageQuery
from social.statuses import marks
from social.statuses.service import may_see_row

MAX_PINS = 5  # Mastodon's, which `/api/v2/instance` would announce as max_pinned_statuses

OWNERSHIP = "Someone else's post cannot be pinned"
DIRECT = "Posts that are only visible to mentioned users cannot be pinned"
LIMIT = "You have already pinned the maximum number of posts"


async def pin(ctx: AppContext, account_id: int, status_id: int) -> None:
    """Pin one of the account's statuses (idempotent: pinning a pinned one changes nothing)."""
    async with ctx.db() as db:
        status = await db.get(Status, status_id)
        if status is None or not await may_see_row(ctx, db, status, account_id):
            raise NotFound()
        # one pin at a time per account (PostgreSQL; SQLite writes one at a time anyway), so
        # two racing pins cannot both see room for a fifth
        await db.execute(select(Account.id).where(Account.id == account_id).with_for_update())
        mine = (StatusPin.account_id == account_id, StatusPin.status_id == status_id)
        if await db.scalar(select(StatusPin.id).where(*mine)) is not None:
            return
        problems = []
        if status.account_id != account_id:
            problems.append(OWNERSHIP)
        if status.visibility == "direct":
            problems.append(DIRECT)
        pins = select(func.count()).select_from(StatusPin).where(StatusPin.account_id == account_id)
        if (await db.scalar(pins) or 0) >= MAX_PINS:
            problems.append(LIMIT)
        if problems:
            raise Invalid("Validation failed: " + ", ".join(problems))
        changed = await toggle(db, True, StatusPin, account_id=account_id, status_id=status_id)
        await db.commit()
    if changed:
        await marks.changed(ctx, marks.PINS, account_id, status_id, True)


async def unpin(ctx: AppContext, account_id: int, status_id: int) -> None:
    """Unpin (idempotent); a status the account may not see is not found."""
    async with ctx.db() as db:
        status = await db.get(Status, status_id)
        if status is None or not await may_see_row(ctx, db, status, account_id):
            raise NotFound()
        changed = await toggle(db, False, StatusPin, account_id=account_id, status_id=status_id)
        await db.commit()
    if changed:
        await marks.changed(ctx, marks.PINS, account_id, status_id, False)


async def pinned_ids(ctx: AppContext, account_id: int, page: PageQuery) -> list[int]:
    """The account's pinned statuses, most recently pinned first; the cursors, as Mastodon's,
    bound the statuses' ids."""
    query = select(StatusPin.status_id).where(StatusPin.account_id == account_id)
    if page.max_id is not None:
        query = query.where(StatusPin.status_id < page.max_id)
    for after in (page.since_id, page.min_id):
        if after is not None:
            query = query.where(StatusPin.status_id > after)
    async with ctx.db() as db:
        rows = await db.execute(query.order_by(StatusPin.id.desc()).limit(page.limit))
        return list(rows.scalars())
