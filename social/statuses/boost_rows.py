"""Boost rows in the caller's transaction: the counters they move and their events (shared by
boosting and by deleting a status, whose boosts go with it)."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from social.platform.db.models import Account, Mention, Status
from social.platform.db.types import utcnow
from social.platform.events.topics import StatusCreated, StatusDeleted, publish


async def delete_boosts(db: AsyncSession, boosts: list[Status]) -> None:
    """Delete boosts in the caller's transaction: counters down, a deletion event each."""
    for boost in boosts:
        assert boost.reblog_of_id is not None
        original = await db.get(Status, boost.reblog_of_id)
        deleted = await boost_event(StatusDeleted, db, boost, original)
        await db.delete(boost)
        await count_boost(db, boost.account_id, boost.reblog_of_id, -1)
        publish(db, deleted)


async def boosts_of(db: AsyncSession, status_id: int) -> list[Status]:
    return list(
        (await db.execute(select(Status).where(Status.reblog_of_id == status_id))).scalars()
    )


async def count_boost(db: AsyncSession, account_id: int, original_id: int, delta: int) -> None:
    await db.execute(
        update(Status)
        .where(Status.id == original_id, Status.reblogs_count + delta >= 0)
        .values(reblogs_count=Status.reblogs_count + delta)
    )
    values: dict[str, object] = {"statuses_count": Account.statuses_count + delta}
    if delta > 0:
        values["last_status_at"] = utcnow()
    await db.execute(
        update(Account)
        .where(Account.id == account_id, Account.statuses_count + delta >= 0)
        .values(values)
    )


async def boost_event(
    kind: type[StatusCreated] | type[StatusDeleted],
    db: AsyncSession,
    boost: Status,
    original: Status | None,
) -> StatusCreated | StatusDeleted:
    mentioned: tuple[int, ...] = ()
    if original is not None:
        query = select(Mention.account_id).where(Mention.status_id == original.id)
        mentioned = tuple((await db.execute(query)).scalars())
    return kind(
        status_id=boost.id,
        account_id=boost.account_id,
        visibility=boost.visibility,
        created_at=(boost.created_at or utcnow()).timestamp(),
        reblog_of_id=boost.reblog_of_id,
        reblog_account_id=original.account_id if original is not None else None,
        reblog_mention_ids=mentioned,
    )
