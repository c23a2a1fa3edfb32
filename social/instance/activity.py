"""`GET /api/v1/instance/activity`: twelve weeks, newest first, counted in the database.

A week starts on Monday at 00:00 UTC (as Mastodon documents it), the current one first.
- statuses: the statuses posted that week, by their ids (which carry their creation time); a
  status deleted since is not counted.
- logins: the people whose latest sign-in fell in that week. Only the latest is kept, so this
  week's figure is exact and earlier weeks' count those who have not signed in again since.
- registrations: the accounts created that week.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Integer, and_, case, func, select
from sqlalchemy.orm import InstrumentedAttribute

from social.instance.memo import Memo
from social.platform.context import AppContext
from social.platform.db.models import Status, User
from social.platform.db.types import utcnow
from social.platform.ids import id_at

WEEKS = 12
WEEK = timedelta(days=7)
ACTIVITY_TTL_S = 600.0


@dataclass(frozen=True)
class Week:
    start: datetime
    statuses: int
    logins: int
    registrations: int


def week_starts(now: datetime, weeks: int = WEEKS) -> list[datetime]:
    """Monday 00:00 UTC of `now`'s week, then of each week before, newest first."""
    monday = (now - timedelta(days=now.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    return [monday - i * WEEK for i in range(weeks)]


def _per_week(
    column: InstrumentedAttribute[Any], bounds: list[tuple[Any, Any]]
) -> list[ColumnElement[int]]:
    return [
        func.coalesce(func.sum(case((and_(column >= lo, column < hi), 1), else_=0)), 0).cast(
            Integer
        )
        for lo, hi in bounds
    ]


async def _count(ctx: AppContext) -> list[Week]:
    starts = week_starts(utcnow())
    spans = [(start, start + WEEK) for start in starts]
    ids = [(id_at(lo.timestamp()), id_at(hi.timestamp())) for lo, hi in spans]
    statuses = select(*_per_week(Status.id, list(ids))).where(Status.id >= ids[-1][0])
    people = select(
        *_per_week(User.last_sign_in_at, list(spans)), *_per_week(User.created_at, list(spans))
    ).where((User.last_sign_in_at >= spans[-1][0]) | (User.created_at >= spans[-1][0]))
    async with ctx.db() as db:
        posted = (await db.execute(statuses)).one()
        seen = (await db.execute(people)).one()
    return [
        Week(start, int(posted[i]), int(seen[i]), int(seen[WEEKS + i]))
        for i, start in enumerate(starts)
    ]


_activity: Memo[list[Week]] = Memo(_count, ttl_s=ACTIVITY_TTL_S)


async def activity(ctx: AppContext) -> list[Week]:
    return await _activity.get(ctx)
