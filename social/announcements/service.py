"""Announcements: what people see, what each has dismissed, and what admins write.

An announcement is shown while it is published, has started (no `starts_at`, or one past) and
has not ended (no `ends_at`, or one to come); as Mastodon, a time range has both ends or none.
Every change people should see live is an event in the same transaction (`announcement.*`
topics): the `streaming` consumer tells everyone's `user` stream.

Functions take a session factory, not the app's context, so that `social admin announce`
calls them as the admin API does.
"""

from __future__ import annotations

import enum
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Final

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from social.platform.db.models import (
    Account,
    Announcement,
    AnnouncementReaction,
    AnnouncementRead,
    User,
)
from social.platform.db.types import utcnow
from social.platform.errors import NotFound, invalid
from social.platform.events.topics import (
    AnnouncementPublished,
    AnnouncementWithdrawn,
    publish,
)

TEXT_MAX = 10_000
EARLIEST_YEAR, LATEST_YEAR = 1970, 9998
AUDIENCE_BATCH = 1000
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?\Z")

Sessions = async_sessionmaker[AsyncSession]


def shown_at(now: datetime) -> ColumnElement[bool]:
    """The one rule of what people see, at `now`."""
    return and_(
        Announcement.published.is_(True),
        or_(Announcement.starts_at.is_(None), Announcement.starts_at <= now),
        or_(Announcement.ends_at.is_(None), Announcement.ends_at > now),
    )


def is_shown(row: Announcement, now: datetime) -> bool:
    """`shown_at` of one row already loaded."""
    started = row.starts_at is None or row.starts_at <= now
    return row.published and started and (row.ends_at is None or row.ends_at > now)


def parse_time(field_name: str, raw: str) -> datetime:
    """An RFC 3339 date-time (without a zone: UTC), between 1970 and 9998."""
    written = raw.strip().upper()
    try:
        if not _TIME.match(written):
            raise ValueError(written)
        moment = datetime.fromisoformat(written)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        moment = moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise invalid(field_name, "is not a date and time (RFC 3339)") from None
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise invalid(field_name, f"must be between {EARLIEST_YEAR} and {LATEST_YEAR}")
    return moment


@dataclass(frozen=True)
class Draft:
    """What an admin writes."""

    text: str
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    all_day: bool = False


def _checked(draft: Draft) -> Draft:
    text = draft.text.strip()
    if not text:
        raise invalid("text", "can't be blank", "ERR_BLANK")
    if len(text) > TEXT_MAX:
        raise invalid("text", f"is too long (maximum is {TEXT_MAX} characters)", "ERR_TOO_LONG")
    starts, ends = draft.starts_at, draft.ends_at
    if ends is not None and starts is None:
        raise invalid("starts_at", "can't be blank when ends_at is given", "ERR_BLANK")
    if starts is not None and ends is None:
        raise invalid("ends_at", "can't be blank when starts_at is given", "ERR_BLANK")
    if starts is not None and ends is not None and ends <= starts:
        raise invalid("ends_at", "must be after starts_at")
    return Draft(text, starts, ends, draft.all_day and starts is not None)


@dataclass
class Shown:
    """An announcement as one person sees it."""

    row: Announcement
    read: bool | None  # None: nobody in particular is asking (the streaming payload)
    reactions: list[ReactionCount] = field(default_factory=list)


@dataclass(frozen=True)
class ReactionCount:
    name: str
    count: int
    me: bool | None  # None: nobody in particular is asking (the streaming payload)


async def shown_to(sessions: Sessions, account_id: int) -> list[Shown]:
    """What `account_id` sees now, in Mastodon's order (by start, else publication), with what
    they dismissed and the reactions, theirs marked."""
    order = func.coalesce(Announcement.starts_at, Announcement.published_at)
    now_shown = select(Announcement).where(shown_at(utcnow()))
    async with sessions() as db:
        found = await db.execute(
            now_shown.order_by(order, Announcement.created_at, Announcement.id)
        )
        rows = list(found.scalars())
        if not rows:
            return []
        ids = [r.id for r in rows]
        dismissed = select(AnnouncementRead.announcement_id).where(
            AnnouncementRead.account_id == account_id, AnnouncementRead.announcement_id.in_(ids)
        )
        read = set((await db.execute(dismissed)).scalars())
        counts = await reaction_counts(db, ids, account_id)
    return [Shown(r, r.id in read, counts.get(r.id, [])) for r in rows]


async def reaction_counts(
    db: AsyncSession, ids: list[int], account_id: int | None
) -> dict[int, list[ReactionCount]]:
    """Each announcement's reactions by name, the first given first; `me` when someone asks."""
    mine = func.max(case((AnnouncementReaction.account_id == (account_id or 0), 1), else_=0))
    query = (
        select(
            AnnouncementReaction.announcement_id,
            AnnouncementReaction.name,
            func.count(),
            mine,
        )
        .where(AnnouncementReaction.announcement_id.in_(ids))
        .group_by(AnnouncementReaction.announcement_id, AnnouncementReaction.name)
        .order_by(func.min(AnnouncementReaction.created_at), AnnouncementReaction.name)
    )
    found: dict[int, list[ReactionCount]] = {}
    for announcement_id, reaction, count, me in await db.execute(query):
        found.setdefault(announcement_id, []).append(
            ReactionCount(reaction, int(count), bool(me) if account_id is not None else None)
        )
    return found


async def shown_to_anyone(sessions: Sessions, announcement_id: int) -> Shown | None:
    """The announcement as the streaming payload has it (`read` and `me` for nobody), if
    people see it now."""
    async with sessions() as db:
        row = await db.get(Announcement, announcement_id)
        if row is None or not is_shown(row, utcnow()):
            return None
        counts = await reaction_counts(db, [row.id], None)
    return Shown(row, read=None, reactions=counts.get(row.id, []))


async def shown_one(db: AsyncSession, announcement_id: int) -> Announcement:
    """The announcement, if people see it now; else it is not found (as Mastodon's 404)."""
    row = await db.get(Announcement, announcement_id)
    if row is None or not is_shown(row, utcnow()):
        raise NotFound()
    return row


async def dismiss(sessions: Sessions, announcement_id: int, account_id: int) -> None:
    """Mark it read for `account_id` (again: nothing changes)."""
    async with sessions() as db:
        await shown_one(db, announcement_id)
        if await db.get(AnnouncementRead, (announcement_id, account_id)) is not None:
            return
        db.add(AnnouncementRead(announcement_id=announcement_id, account_id=account_id))
        try:
            await db.commit()
        except IntegrityError:  # dismissed by a request beside this one
            await db.rollback()


async def everyone(sessions: Sessions) -> AsyncIterator[list[int]]:
    """Who hears of announcements: every local account but the suspended, in batches."""
    after = -1
    while True:
        batch_after = (
            select(Account.id)
            .join(User, User.account_id == Account.id)
            .where(Account.id > after, Account.suspended.is_(False))
            .order_by(Account.id)
            .limit(AUDIENCE_BATCH)
        )
        async with sessions() as db:
            batch = list((await db.execute(batch_after)).scalars())
        if not batch:
            return
        yield batch
        after = batch[-1]


# What admins do (the admin API and `social admin announce`).


async def all_announcements(sessions: Sessions) -> list[Announcement]:
    """Every announcement, the newest first."""
    async with sessions() as db:
        found = await db.execute(select(Announcement).order_by(Announcement.id.desc()))
        return list(found.scalars())


async def create(sessions: Sessions, draft: Draft, *, published: bool = True) -> Announcement:
    draft = _checked(draft)
    async with sessions() as db:
        row = Announcement(
            text=draft.text,
            starts_at=draft.starts_at,
            ends_at=draft.ends_at,
            all_day=draft.all_day,
            published=published,
            published_at=utcnow() if published else None,
        )
        db.add(row)
        await db.flush()
        if published:
            publish(db, AnnouncementPublished(announcement_id=row.id))
        await db.commit()
        return row


async def _admin_one(db: AsyncSession, announcement_id: int) -> Announcement:
    row = await db.get(Announcement, announcement_id)
    if row is None:
        raise NotFound()
    return row


class Keep(enum.Enum):
    """A field `change` leaves as it is."""

    KEEP = "keep"


KEEP: Final = Keep.KEEP


async def change(
    sessions: Sessions,
    announcement_id: int,
    *,
    text: str | None = None,
    starts_at: datetime | Keep | None = KEEP,
    ends_at: datetime | Keep | None = KEEP,
    all_day: bool | None = None,
) -> Announcement:
    """Change what is given (None for a time: remove it); a published one is sent to everyone
    again, as Mastodon does."""
    async with sessions() as db:
        row = await _admin_one(db, announcement_id)
        draft = _checked(
            Draft(
                row.text if text is None else text,
                row.starts_at if starts_at is KEEP else starts_at,
                row.ends_at if ends_at is KEEP else ends_at,
                row.all_day if all_day is None else all_day,
            )
        )
        row.text, row.starts_at, row.ends_at = draft.text, draft.starts_at, draft.ends_at
        row.all_day, row.updated_at = draft.all_day, utcnow()
        if row.published:
            publish(db, AnnouncementPublished(announcement_id=row.id))
        await db.commit()
        return row


async def set_published(sessions: Sessions, announcement_id: int, published: bool) -> Announcement:
    """Publish (from now) or take back; doing what is already done changes nothing."""
    async with sessions() as db:
        row = await _admin_one(db, announcement_id)
        if row.published == published:
            return row
        row.published, row.updated_at = published, utcnow()
        if published:
            row.published_at = row.updated_at
            publish(db, AnnouncementPublished(announcement_id=row.id))
        else:
            publish(db, AnnouncementWithdrawn(announcement_id=row.id))
        await db.commit()
        return row


async def end(sessions: Sessions, announcement_id: int) -> Announcement:
    """End it now: its range ends now (and starts when it was published, if it had none)."""
    async with sessions() as db:
        row = await _admin_one(db, announcement_id)
        now = utcnow()
        if row.ends_at is not None and row.ends_at <= now:
            return row
        starts = row.starts_at or row.published_at or row.created_at
        row.starts_at = min(starts, now - timedelta(seconds=1))  # a range ends after it starts
        row.ends_at = row.updated_at = now
        if row.published:
            publish(db, AnnouncementWithdrawn(announcement_id=row.id))
        await db.commit()
        return row


async def remove(sessions: Sessions, announcement_id: int) -> None:
    """Delete it, with its reactions and dismissals."""
    async with sessions() as db:
        row = await _admin_one(db, announcement_id)
        if row.published:
            publish(db, AnnouncementWithdrawn(announcement_id=row.id))
        await db.delete(row)
        await db.commit()
