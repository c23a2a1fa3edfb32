"""Notifications: written once per cause (a dedupe key) and announced to live streams; read by
page, one, and dismissed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from social.platform.context import AppContext
from social.platform.db.models import Account, Notification
from social.platform.db.models.notifications import TYPES
from social.platform.errors import NotFound
from social.platform.events.topics import NotificationCreated, publish
from social.platform.ids import next_id
from social.platform.paging import PageQuery, paged


async def notify(ctx: AppContext, rows: list[dict[str, Any]]) -> None:
    """Insert one notification per row (`account_id`, `from_account_id`, `type`, optional
    `status_id`) unless it is there already or notifies its own cause."""
    rows = [r for r in rows if r["account_id"] != r["from_account_id"]]
    if not rows:
        return
    for row in rows:
        status = row.get("status_id") or 0
        row.setdefault("status_id", None)
        row["dedupe_key"] = f"{row['type']}:{row['from_account_id']}:{status}:{row['account_id']}"
        row["id"] = next_id()
    async with ctx.db() as db:
        # Skip recipients that no longer exist (deleted between the event and now).
        existing = set(
            (
                await db.execute(
                    select(Account.id).where(Account.id.in_({r["account_id"] for r in rows}))
                )
            ).scalars()
        )
        rows = [r for r in rows if r["account_id"] in existing]
        if not rows:
            return
        dialect = ctx.engine.dialect.name
        stmt = (pg_insert if dialect == "postgresql" else sqlite_insert)(Notification)
        inserted = await db.execute(
            stmt.on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(Notification.id),
            rows,
        )
        # Announced in the same transaction (live streams), only for rows inserted just now.
        for notification_id in inserted.scalars():
            publish(db, NotificationCreated(notification_id))
        await db.commit()
    ctx.events.wake()


async def page_of(
    ctx: AppContext,
    account_id: int,
    page: PageQuery,
    *,
    types: Sequence[str] = (),
    exclude_types: Sequence[str] = (),
    from_account_id: int | None = None,
) -> list[Notification]:
    """A page of the account's notifications, newest first (unknown `types` match none)."""
    query = select(Notification).where(Notification.account_id == account_id)
    if types:
        query = query.where(Notification.type.in_([t for t in types if t in TYPES]))
    if exclude_types:
        query = query.where(Notification.type.not_in(exclude_types))
    if from_account_id is not None:
        query = query.where(Notification.from_account_id == from_account_id)
    async with ctx.db() as db:
        rows = list((await db.execute(paged(query, Notification.id, page))).scalars())
    rows.sort(key=lambda n: n.id, reverse=True)
    return rows


async def one(ctx: AppContext, account_id: int, notification_id: int) -> Notification:
    async with ctx.db() as db:
        row = await db.get(Notification, notification_id)
    if row is None or row.account_id != account_id:
        raise NotFound()
    return row


async def dismiss(ctx: AppContext, account_id: int, notification_id: int | None = None) -> None:
    """Dismiss one of the account's notifications (NotFound if it has none so), or all."""
    query = delete(Notification).where(Notification.account_id == account_id)
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    async with ctx.db() as db:
        result = await db.execute(query)
        await db.commit()
    if notification_id is not None and not result.rowcount:  # type: ignore[attr-defined]
        raise NotFound()
