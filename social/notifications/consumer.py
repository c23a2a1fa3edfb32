"""The `notifications` consumer group: mention, follow and favourite notifications.
Idempotent: each has a dedupe key, and a redelivered event finds it already there."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from social.follows.service import FOLLOW_CREATED
from social.platform.context import AppContext
from social.platform.db.models import Account, Notification
from social.platform.events.outbox import enqueue
from social.platform.ids import next_id
from social.statuses.service import FAVOURITE_CREATED, STATUS_CREATED

NOTIFICATION_CREATED = "notification.created"


async def _notify(ctx: AppContext, rows: list[dict[str, Any]]) -> None:
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
            enqueue(db, NOTIFICATION_CREATED, {"notification_id": notification_id})
        await db.commit()
    ctx.events.wake()


async def status_created(ctx: AppContext, p: dict[str, Any]) -> None:
    await _notify(
        ctx,
        [
            {
                "account_id": m,
                "from_account_id": p["account_id"],
                "type": "mention",
                "status_id": p["status_id"],
            }
            for m in p.get("mention_ids", [])
        ],
    )


async def follow_created(ctx: AppContext, p: dict[str, Any]) -> None:
    await _notify(
        ctx,
        [
            {
                "account_id": p["target_account_id"],
                "from_account_id": p["account_id"],
                "type": "follow",
            }
        ],
    )


async def favourite_created(ctx: AppContext, p: dict[str, Any]) -> None:
    await _notify(
        ctx,
        [
            {
                "account_id": p["author_id"],
                "from_account_id": p["account_id"],
                "type": "favourite",
                "status_id": p["status_id"],
            }
        ],
    )


HANDLERS = {
    STATUS_CREATED: status_created,
    FOLLOW_CREATED: follow_created,
    FAVOURITE_CREATED: favourite_created,
}
