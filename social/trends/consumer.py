"""The `trending` consumer group: hashtag uses of public statuses into the trend engine.
Idempotent: the engine counts a status once per tag, and a removal takes back only what counted."""

from __future__ import annotations

from sqlalchemy import select

from social.platform.context import AppContext
from social.platform.db.models import Account
from social.platform.events.topics import StatusCreated, StatusDeleted, StatusEvent, TopicHandler
from trending import Use


def _uses(status: StatusEvent) -> list[Use]:
    if status.visibility != "public":
        return []
    return [Use(tag, status.account_id, status.status_id, status.created_at) for tag in status.tags]


async def _may_trend(ctx: AppContext, account_id: int) -> bool:
    async with ctx.db() as db:
        row = (
            await db.execute(
                select(Account.silenced, Account.suspended).where(Account.id == account_id)
            )
        ).first()
    return row is not None and not row.silenced and not row.suspended


async def status_created(ctx: AppContext, event: StatusCreated) -> None:
    uses = _uses(event)
    if uses and await _may_trend(ctx, event.account_id):
        await ctx.trends.record_many(uses)
        ctx.trend_settler.poke()  # scored at once, or with the next second's uses under load


async def status_deleted(ctx: AppContext, event: StatusDeleted) -> None:
    # No author check: a use recorded before the author was silenced must still be taken back.
    uses = _uses(event)
    if uses:
        await ctx.trends.remove_many(uses)  # rescored at once (deletions are rare)


HANDLERS: dict[str, TopicHandler] = {
    StatusCreated.name: status_created,
    StatusDeleted.name: status_deleted,
}
