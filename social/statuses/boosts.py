"""Boosts (Mastodon's reblogs): a status of the booster's that carries another's to their
followers. Only public and unlisted statuses, and your own private ones (as a private boost);
one boost per person and status; deleting the original deletes its boosts, each with its
event (feeds, streams and notifications take each back)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from social.accounts.render import account_bytes
from social.accounts.service import posting_defaults
from social.platform.context import AppContext
from social.platform.db.models import Account, Status
from social.platform.errors import Forbidden, NotFound
from social.platform.events.topics import StatusCreated, publish
from social.platform.ids import next_id
from social.statuses import marks
from social.statuses.boost_rows import boost_event, count_boost, delete_boosts
from social.statuses.service import may_see_row

BOOSTABLE = ("public", "unlisted")


async def reblog(ctx: AppContext, account_id: int, status_id: int, visibility: str | None) -> int:
    """Boost `status_id` (a boost's id boosts its original); the boost's id. Boosting again
    answers the boost there is."""
    async with ctx.db() as db:
        original = await _original(ctx, db, status_id, account_id)
        if original.visibility not in BOOSTABLE and not (
            original.visibility == "private" and original.account_id == account_id
        ):
            raise Forbidden()
        existing = await _boost_of(db, account_id, original.id)
        if existing is not None:
            return existing.id
        if original.visibility == "private":
            visibility = "private"  # a followers-only status stays among the followers
        elif visibility is None:
            visibility = (await posting_defaults(db, account_id))[0]
        boost = Status(
            id=next_id(),
            account_id=account_id,
            reblog_of_id=original.id,
            visibility=visibility,
            language=None,
        )
        try:
            async with db.begin_nested():
                db.add(boost)
        except IntegrityError:  # boosted at the same moment
            found = await _boost_of(db, account_id, original.id)
            if found is None:
                raise
            return found.id
        await count_boost(db, account_id, original.id, +1)
        publish(db, await boost_event(StatusCreated, db, boost, original))
        await db.commit()
        booster = await db.get(Account, account_id, populate_existing=True)
        boost_id = boost.id
    ctx.events.wake()
    await _refreshed(ctx, booster, original.id)
    await marks.changed(ctx, marks.REBLOGS, account_id, original.id, True)
    return boost_id


async def unreblog(ctx: AppContext, account_id: int, status_id: int) -> int:
    """Take back the caller's boost of `status_id` (or of the original of the boost
    `status_id`); the original's id. Not boosted: nothing to do."""
    async with ctx.db() as db:
        status = await db.get(Status, status_id)
        if status is not None and status.reblog_of_id is not None:
            status_id = status.reblog_of_id
        boost = await _boost_of(db, account_id, status_id)
        if boost is None:
            await _original(ctx, db, status_id, account_id)  # 404 unless visible
            return status_id
        await delete_boosts(db, [boost])
        await db.commit()
        booster = await db.get(Account, account_id, populate_existing=True)
    ctx.events.wake()
    await _refreshed(ctx, booster, status_id)
    await ctx.statuses.invalidate([boost.id])
    await marks.changed(ctx, marks.REBLOGS, account_id, status_id, False)
    return status_id


async def _original(ctx: AppContext, db: AsyncSession, status_id: int, viewer: int) -> Status:
    status = await db.get(Status, status_id)
    if status is not None and status.reblog_of_id is not None:
        status = await db.get(Status, status.reblog_of_id)
    if status is None or not await may_see_row(ctx, db, status, viewer):
        raise NotFound()
    return status


async def _boost_of(db: AsyncSession, account_id: int, original_id: int) -> Status | None:
    query = select(Status).where(
        Status.account_id == account_id, Status.reblog_of_id == original_id
    )
    found: Status | None = (await db.execute(query)).scalar()
    return found


async def _refreshed(ctx: AppContext, booster: Account | None, original_id: int) -> None:
    if booster is not None:
        await ctx.accounts.put({booster.id: account_bytes(booster, ctx.settings.base_url)})
    await ctx.statuses.invalidate([original_id])
