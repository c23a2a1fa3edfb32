"""The `trending` consumer group: hashtag uses of public statuses into the trend engine.
Idempotent: the engine counts a status once per tag, and a removal takes back only what counted."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from social.platform.context import AppContext
from social.platform.db.models import Account
from social.statuses.service import STATUS_CREATED, STATUS_DELETED
from trending import Use


def _uses(p: dict[str, Any]) -> list[Use]:
    if p.get("visibility") != "public":
        return []
    return [Use(tag, p["account_id"], p["status_id"], p["created_at"]) for tag in p.get("tags", [])]


async def _may_trend(ctx: AppContext, account_id: int) -> bool:
    async with ctx.db() as db:
        row = (
            await db.execute(
                select(Account.silenced, Account.suspended).where(Account.id == account_id)
            )
        ).first()
    return row is not None and not row.silenced and not row.suspended


async def status_created(ctx: AppContext, p: dict[str, Any]) -> None:
    uses = _uses(p)
    if uses and await _may_trend(ctx, p["account_id"]):
        await ctx.trends.record_many(uses)
        ctx.trend_settler.poke()  # scored at once, or with the next second's uses under load


async def status_deleted(ctx: AppContext, p: dict[str, Any]) -> None:
    # No author check: a use recorded before the author was silenced must still be taken back.
    uses = _uses(p)
    if uses:
        await ctx.trends.remove_many(uses)  # rescored at once (deletions are rare)


HANDLERS = {STATUS_CREATED: status_created, STATUS_DELETED: status_deleted}
