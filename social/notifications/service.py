"""Notifications: written once per cause (a dedupe key), each announced to live streams."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from social.platform.context import AppContext
from social.platform.db.models import Account, Notification
from social.platform.events.topics import NotificationCreated, publish
from social.platform.ids import next_id


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
