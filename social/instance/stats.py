"""How many people and posts the instance has, and how many people were active, counted in the
database (every account here is local: there is no federation).

"Active" is what the data can show: a person who signed in (the password grant and the
sign-in page set `users.last_sign_in_at`) or posted (`accounts.last_status_at`) within the
window, 30 days for a month and 180 for half a year, as NodeInfo defines them. Someone who
only reads, with a token issued before the window, is not counted: Mastodon also counts each
day's first authenticated request, and nothing here records those. Suspended accounts count
for nothing.

Counting scans the accounts, so the figures are kept for a minute in each process (Mastodon's
are cached for minutes too).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import ColumnElement, case, func, or_, select

from social.instance.memo import Memo
from social.platform.context import AppContext
from social.platform.db.models import Account, User
from social.platform.db.types import utcnow

MONTH = timedelta(days=30)
HALF_YEAR = timedelta(days=180)
STATS_TTL_S = 60.0


@dataclass(frozen=True)
class Stats:
    users: int
    statuses: int
    active_month: int
    active_halfyear: int


async def _count(ctx: AppContext) -> Stats:
    now = utcnow()

    def active_since(window: timedelta) -> ColumnElement[int]:
        since = now - window
        signed_in_or_posted = or_(User.last_sign_in_at >= since, Account.last_status_at >= since)
        return func.coalesce(func.sum(case((signed_in_or_posted, 1), else_=0)), 0)

    query = (
        select(
            func.count(),
            func.coalesce(func.sum(Account.statuses_count), 0),
            active_since(MONTH),
            active_since(HALF_YEAR),
        )
        .select_from(User)
        .join(Account, Account.id == User.account_id)
        .where(Account.suspended.is_(False))
    )
    async with ctx.db() as db:
        users, statuses, month, halfyear = (await db.execute(query)).one()
    return Stats(int(users), int(statuses), int(month), int(halfyear))


_stats: Memo[Stats] = Memo(_count, ttl_s=STATS_TTL_S)


async def stats(ctx: AppContext) -> Stats:
    return await _stats.get(ctx)
