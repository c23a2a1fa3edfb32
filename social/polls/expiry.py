"""A poll's end: its voters and its author get a `poll` notification, once. Timed work for the
scheduler (kind `KIND`, keyed by the poll's id): `run` does it, `due_from_db` lists every
poll whose end has not been told yet, by when it ends (the database is the truth)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update

from social.notifications.service import NOTIFY_BATCH, notify
from social.platform.context import AppContext
from social.platform.db.models import Poll, PollVote
from social.polls.rules import EXPIRY_KIND

KIND = EXPIRY_KIND


async def run(ctx: AppContext, key: str, *, now: datetime | None = None) -> None:
    """Tell the voters and the author that the poll `key` ended. Idempotent: nothing before
    the poll ends, nothing once told (`expiry_notified_at`), nothing for a poll gone with its
    status; a run that failed halfway is run again, and the notifications it had written
    are not written twice (each has its dedupe key). Blocks and mutes apply, as to every
    notification (`notify`)."""
    if not (key.isascii() and key.isdigit()):
        return
    poll_id = int(key)
    now = now or datetime.now(UTC)
    async with ctx.db() as db:
        poll = await db.get(Poll, poll_id)
        if poll is None or poll.expiry_notified_at is not None or poll.expires_at > now:
            return
        author, status_id = poll.account_id, poll.status_id
        voters = list(
            (
                await db.execute(
                    select(PollVote.account_id)
                    .where(PollVote.poll_id == poll_id)
                    .distinct()
                    .order_by(PollVote.account_id)
                )
            ).scalars()
        )
    # the cached form reads as ended by the clock already; dropped all the same, so what the
    # notifications show is the row as it is now (its end may have been moved since cached)
    await ctx.statuses.invalidate([status_id])
    told = [author, *(v for v in voters if v != author)]
    for start in range(0, len(told), NOTIFY_BATCH):
        await notify(
            ctx,
            [
                {"account_id": a, "from_account_id": author, "type": "poll", "status_id": status_id}
                for a in told[start : start + NOTIFY_BATCH]
            ],
        )
    async with ctx.db() as db:
        await db.execute(
            update(Poll)
            .where(Poll.id == poll_id, Poll.expiry_notified_at.is_(None))
            .values(expiry_notified_at=now)
        )
        await db.commit()


async def due_from_db(ctx: AppContext) -> list[tuple[str, float]]:
    """Every poll whose end is still to be told: (its id, when it ends in epoch seconds)."""
    async with ctx.db() as db:
        rows = await db.execute(
            select(Poll.id, Poll.expires_at).where(Poll.expiry_notified_at.is_(None))
        )
        return [(str(poll_id), expires_at.timestamp()) for poll_id, expires_at in rows]
