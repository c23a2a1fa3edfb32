"""Scheduled statuses: Mastodon's rules (at least 5 minutes ahead, 300 in all, 25 a day) and
storage. The row is the truth; the scheduler's job (`social.scheduled.publish`) posts it.

The params are Mastodon's ScheduledStatus `params`, written from the `NewStatus` to post and
read back into one, so whatever a post carries (media, a poll) passes through unchanged.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from redis.exceptions import RedisError
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from social.media import service as media
from social.platform.context import AppContext
from social.platform.db.models import Account, ScheduledStatus
from social.platform.errors import Conflict, Invalid, NotFound, invalid
from social.platform.ids import next_id
from social.platform.paging import PageQuery, paged
from social.statuses.idempotency import (
    CLAIM_TTL_S,
    IDEMPOTENCY_TTL_S,
    KEY_MAX_CHARS,
    idempotency_digest,
)
from social.statuses.service import NewPoll, NewStatus

KIND = "scheduled.publish"
"""The scheduler's job kind; its key is the scheduled status's id."""
MIN_OFFSET = timedelta(minutes=5)
TOTAL_LIMIT = 300
DAILY_LIMIT = 25


@dataclass(frozen=True)
class Scheduled:
    id: int
    account_id: int
    scheduled_at: datetime
    params: dict[str, Any]


def parse_time(raw: str) -> datetime:
    """An ISO 8601 date-time (UTC unless it says otherwise), or 422."""
    try:
        at = datetime.fromisoformat(raw.strip())
        at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
        at + timedelta(days=1)  # its day must end within the calendar (the daily limit)
    except (ValueError, OverflowError):
        raise invalid("scheduled_at", "is not a valid date-time") from None
    return at


def is_due(at: datetime, now: datetime | None = None) -> bool:
    """Mastodon posts at once, not scheduled, what is asked for a time already past."""
    return at <= (now or datetime.now(UTC))


def to_params(new: NewStatus, *, application_id: int | None) -> dict[str, Any]:
    poll = new.poll
    return {
        "text": new.text,
        "poll": None
        if poll is None
        else {
            "options": list(poll.options),
            "expires_in": poll.expires_in_s,
            "multiple": poll.multiple,
            "hide_totals": poll.hide_totals,
        },
        "media_ids": [str(m) for m in new.media_ids] or None,
        "sensitive": new.sensitive,
        "spoiler_text": new.spoiler_text or None,
        "visibility": new.visibility,
        "scheduled_at": None,
        "idempotency": None,
        "application_id": application_id,
        "in_reply_to_id": new.in_reply_to_id,
        "language": new.language,
        "with_rate_limit": False,
    }


def from_params(params: dict[str, Any]) -> NewStatus:
    poll = params.get("poll")
    return NewStatus(
        text=params.get("text") or "",
        spoiler_text=params.get("spoiler_text") or "",
        sensitive=params.get("sensitive"),
        visibility=params.get("visibility"),
        language=params.get("language"),
        in_reply_to_id=params.get("in_reply_to_id"),
        media_ids=tuple(int(m) for m in params.get("media_ids") or ()),
        poll=None
        if not poll
        else NewPoll(
            options=tuple(poll["options"]),
            expires_in_s=int(poll["expires_in"]),
            multiple=bool(poll.get("multiple")),
            hide_totals=bool(poll.get("hide_totals")),
        ),
    )


def parse_params(raw: str) -> dict[str, Any]:
    params: dict[str, Any] = orjson.loads(raw)
    return params


def _row(row: ScheduledStatus) -> Scheduled:
    return Scheduled(row.id, row.account_id, row.scheduled_at, parse_params(row.params))


async def _check(
    db: AsyncSession, account_id: int, at: datetime, *, moving: int | None = None
) -> None:
    """Mastodon's ScheduledStatusValidator; a row being moved does not count against itself.
    Run with the account's row locked (PostgreSQL) or after this write (SQLite holds the one
    write lock from then), so two requests at once cannot both take the last place."""
    if at <= datetime.now(UTC) + MIN_OFFSET:
        raise invalid("scheduled_at", "must be in the future")  # Mastodon's words
    mine = select(func.count()).select_from(ScheduledStatus)
    mine = mine.where(ScheduledStatus.account_id == account_id)
    if moving is not None:
        mine = mine.where(ScheduledStatus.id != moving)
    if (await db.execute(mine)).scalar_one() >= TOTAL_LIMIT:
        raise _over(f"You have exceeded the limit of {TOTAL_LIMIT} scheduled posts")
    day = at.replace(hour=0, minute=0, second=0, microsecond=0)
    that_day = mine.where(
        ScheduledStatus.scheduled_at >= day, ScheduledStatus.scheduled_at < day + timedelta(1)
    )
    if (await db.execute(that_day)).scalar_one() >= DAILY_LIMIT:
        raise _over(f"You have exceeded the limit of {DAILY_LIMIT} scheduled posts for today")


def _over(message: str) -> Invalid:
    return Invalid(
        f"Validation failed: {message}",
        {"base": [{"error": "ERR_INVALID", "description": message}]},
    )


async def _lock_account(db: AsyncSession, account_id: int) -> None:
    await db.execute(select(Account.id).where(Account.id == account_id).with_for_update())


async def schedule(
    ctx: AppContext, account_id: int, new: NewStatus, at: datetime, *, application_id: int | None
) -> Scheduled:
    """Keep `new` to post at `at`. Queued in Redis before the row commits: a row never
    lacks its job, and a job whose row never committed finds nothing to do."""
    params = to_params(new, application_id=application_id)
    scheduled_id = next_id()
    async with ctx.db() as db:
        await _lock_account(db, account_id)
        await _check(db, account_id, at)
        params_json = orjson.dumps(params).decode()
        db.add(
            ScheduledStatus(
                id=scheduled_id, account_id=account_id, scheduled_at=at, params=params_json
            )
        )
        await db.flush()
        await media.reserve(db, account_id, new.media_ids, scheduled_id)
        await ctx.scheduler.schedule(KIND, str(scheduled_id), at.timestamp())
        await db.commit()
    return Scheduled(scheduled_id, account_id, at, params)


async def schedule_once(
    ctx: AppContext,
    account_id: int,
    new: NewStatus,
    at: datetime,
    *,
    application_id: int | None,
    key: str | None,
) -> Scheduled:
    """`schedule`, once per `Idempotency-Key` (as a post is, `statuses/idempotency.py`): the
    same key again answers the scheduled status it made, while that still waits."""
    if key is None:
        return await schedule(ctx, account_id, new, at, application_id=application_id)
    digest = idempotency_digest(key[:KEY_MAX_CHARS])
    redis_key = ctx.keys.scheduled_idempotency(account_id, digest)
    if not await ctx.redis.set(redis_key, "pending", nx=True, ex=CLAIM_TTL_S):
        existing = await ctx.redis.get(redis_key)
        if existing in (None, b"pending"):
            raise Conflict("A request with this Idempotency-Key is still being processed")
        return await get(ctx, account_id, int(existing))
    try:
        made = await schedule(ctx, account_id, new, at, application_id=application_id)
    except BaseException:
        await ctx.redis.delete(redis_key)
        raise
    try:
        await ctx.redis.set(redis_key, str(made.id), ex=IDEMPOTENCY_TTL_S)
    except RedisError:
        ctx.metrics.redis_errors.labels("idempotency").inc()
    return made


async def get(ctx: AppContext, account_id: int, scheduled_id: int) -> Scheduled:
    async with ctx.db() as db:
        row = await db.get(ScheduledStatus, scheduled_id)
    if row is None or row.account_id != account_id:
        raise NotFound()
    return _row(row)


async def page(ctx: AppContext, account_id: int, query: PageQuery) -> list[Scheduled]:
    """The account's scheduled statuses, newest id first (as Mastodon pages them)."""
    rows = select(ScheduledStatus).where(ScheduledStatus.account_id == account_id)
    async with ctx.db() as db:
        found = list((await db.execute(paged(rows, ScheduledStatus.id, query))).scalars())
    found.sort(key=lambda r: r.id, reverse=True)
    return [_row(r) for r in found]


async def move(ctx: AppContext, account_id: int, scheduled_id: int, at: datetime) -> Scheduled:
    """A new time, by the same rules (the job moves before the row commits: a job early for
    its row puts itself back to the row's time)."""
    async with ctx.db() as db:
        await _lock_account(db, account_id)
        row = await db.get(ScheduledStatus, scheduled_id)
        if row is None or row.account_id != account_id:
            raise NotFound()
        await _check(db, account_id, at, moving=scheduled_id)
        row.scheduled_at = at
        await db.flush()
        await ctx.scheduler.schedule(KIND, str(scheduled_id), at.timestamp())
        await db.commit()
        return _row(row)


async def cancel(ctx: AppContext, account_id: int, scheduled_id: int) -> None:
    async with ctx.db() as db:
        gone = await db.execute(
            delete(ScheduledStatus).where(
                ScheduledStatus.id == scheduled_id, ScheduledStatus.account_id == account_id
            )
        )
        if not gone.rowcount:  # type: ignore[attr-defined]
            raise NotFound()
        released = await media.release(db, scheduled_id)
        await db.commit()
    await ctx.scheduler.cancel(KIND, str(scheduled_id))  # left behind, it would find no row
    await media.clean_later(ctx, released, time.time())
