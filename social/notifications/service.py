"""Notifications: written once per cause (a dedupe key), in the group Mastodon would give them,
and announced to live streams; read by page, one, and dismissed. A follow's notification goes
with the follow, as Mastodon's: unfollowing withdraws it, following again notifies anew."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from social.conversations.muted import muted_pairs
from social.platform.context import AppContext
from social.platform.db.models import (
    Account,
    Favourite,
    Follow,
    FollowRequest,
    Notification,
    Status,
)
from social.platform.db.models.notifications import TYPES
from social.platform.errors import NotFound
from social.platform.events.topics import NotificationCreated, publish
from social.platform.ids import id_at, next_id
from social.platform.paging import MAX_ID, PageQuery, paged
from social.relations.hidden import silenced_pairs, silenced_senders_query

GROUPABLE = frozenset({"favourite", "reblog", "follow"})  # Mastodon's
MAX_GROUP_SPAN_H = 12  # Mastodon's MAXIMUM_GROUP_SPAN_HOURS
UNGROUPED = "ungrouped-"
NOTIFY_BATCH = 1000
SELF_NOTIFIED = frozenset({"poll"})  # Mastodon's too: an author is told their poll ended


@dataclass(frozen=True)
class Filters:
    """What a person asks their notifications for: `types[]`, `exclude_types[]`,
    `account_id` (unknown `types` match none)."""

    types: Sequence[str] = ()
    exclude_types: Sequence[str] = ()
    from_account_id: int | None = None


def dedupe_key(kind: str, from_account_id: int, cause: int, account_id: int) -> str:
    """One notification per cause: the status (a mention), the favourite or the follow."""
    return f"{kind}:{from_account_id}:{cause}:{account_id}"


async def notify(
    ctx: AppContext, rows: list[dict[str, Any]], *, now_s: float | None = None
) -> None:
    """Insert one notification per row (`account_id`, `from_account_id`, `type`, and
    `status_id`; for a follow its `follow_id`, for a request its `request_id`, for a favourite
    its `favourite_id`, for a boost its `boost_id` too) unless it is there already, notifies
    its own cause, or the recipient silences the sender (one's own doings notify nobody but
    a `poll`'s end, which its author is told of). An `update` names its `edit_id`. `now_s`:
    the time its group is chosen by (the clock's, but in tests)."""
    now_s = time.time() if now_s is None else now_s
    wanted = [
        {
            "id": next_id(),
            "account_id": r["account_id"],
            "from_account_id": r["from_account_id"],
            "type": r["type"],
            "status_id": r.get("status_id"),
            "dedupe_key": dedupe_key(
                r["type"],
                r["from_account_id"],
                r.get("follow_id")
                or r.get("edit_id")
                or r.get("request_id")
                or r.get("boost_id")
                or r.get("favourite_id")
                or r.get("status_id")
                or 0,
                r["account_id"],
            ),
        }
        for r in rows
        if r["account_id"] != r["from_account_id"] or r["type"] in SELF_NOTIFIED
    ]
    if not wanted:
        return
    async with ctx.db() as db:
        # Skip recipients that no longer exist (deleted between the event and now).
        existing = set(
            (
                await db.execute(
                    select(Account.id).where(Account.id.in_({r["account_id"] for r in wanted}))
                )
            ).scalars()
        )
        wanted = [r for r in wanted if r["account_id"] in existing]
        # Nor those who block or are blocked by the sender, or mute their notifications.
        silenced = await silenced_pairs(
            db, {(r["account_id"], r["from_account_id"]) for r in wanted}
        )
        wanted = [r for r in wanted if (r["account_id"], r["from_account_id"]) not in silenced]
        # Nor from a thread the recipient muted.
        muted = await muted_pairs(
            db, {(r["account_id"], r["status_id"]) for r in wanted if r["status_id"] is not None}
        )
        wanted = [r for r in wanted if (r["account_id"], r["status_id"]) not in muted]
        if not wanted:
            return
        for row in wanted:
            row["group_key"] = await _group_key(db, row, now_s)
        dialect = ctx.engine.dialect.name
        stmt = (pg_insert if dialect == "postgresql" else sqlite_insert)(Notification)
        inserted = await db.execute(
            stmt.on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(Notification.id),
            wanted,
        )
        # Announced in the same transaction (live streams), only for rows inserted just now.
        for notification_id in inserted.scalars():
            publish(db, NotificationCreated(notification_id))
        await db.commit()
    ctx.events.wake()


async def _group_key(db: AsyncSession, row: dict[str, Any], now_s: float) -> str | None:
    """Mastodon's `set_group_key!`: favourites of one status (or follows) gather under
    `<kind>[-<status>]-<hour>`, the hour the group began; a notification joins the group of
    the previous one of its kind if that came within `MAX_GROUP_SPAN_H` (Mastodon keeps that
    hour in Redis for as long) and the group began less than that long ago. Other kinds stay
    ungrouped (NULL, read as `ungrouped-<id>`)."""
    kind = row["type"]
    if kind not in GROUPABLE:
        return None
    status_id = row["status_id"] if kind != "follow" else None
    prefix = kind if status_id is None else f"{kind}-{status_id}"
    hour = int(now_s // 3600)
    same_status = (
        Notification.status_id.is_(None)
        if status_id is None
        else Notification.status_id == status_id
    )
    previous = (
        await db.execute(
            select(Notification.group_key)
            .where(
                Notification.account_id == row["account_id"],
                Notification.id >= id_at(now_s - MAX_GROUP_SPAN_H * 3600),
                Notification.type == kind,
                same_status,
                Notification.group_key.is_not(None),
            )
            .order_by(Notification.id.desc())
            .limit(1)
        )
    ).scalar()
    began = previous.rpartition("-")[2] if previous else ""
    if began.isdigit() and hour < int(began) + MAX_GROUP_SPAN_H:
        hour = int(began)
    return f"{prefix}-{hour}"


async def _follow_id(db: AsyncSession, follower_id: int, target_id: int) -> int | None:
    query = select(Follow.id).where(
        Follow.account_id == follower_id, Follow.target_account_id == target_id
    )
    found: int | None = (await db.execute(query)).scalar()
    return found


async def current_follow(ctx: AppContext, follower_id: int, target_id: int) -> int | None:
    """The id of the follow from one account to another, if it is still there."""
    async with ctx.db() as db:
        return await _follow_id(db, follower_id, target_id)


async def notified_followers(ctx: AppContext, author_id: int) -> AsyncIterator[list[int]]:
    """The followers who asked to be notified of the author's statuses, in batches."""
    after = 0
    while True:
        async with ctx.db() as db:
            rows = (
                await db.execute(
                    select(Follow.id, Follow.account_id)
                    .where(
                        Follow.target_account_id == author_id,
                        Follow.notify.is_(True),
                        Follow.id > after,
                    )
                    .order_by(Follow.id)
                    .limit(NOTIFY_BATCH)
                )
            ).all()
        if not rows:
            return
        yield [r.account_id for r in rows]
        after = rows[-1].id


async def boosters_of(ctx: AppContext, status_id: int) -> list[int]:
    """The accounts that boosted a status."""
    async with ctx.db() as db:
        query = select(Status.account_id).where(Status.reblog_of_id == status_id)
        return list((await db.execute(query)).scalars())


async def current_request(ctx: AppContext, requester_id: int, target_id: int) -> int | None:
    """The id of the pending follow request between the two, if there is one."""
    query = select(FollowRequest.id).where(
        FollowRequest.account_id == requester_id, FollowRequest.target_account_id == target_id
    )
    async with ctx.db() as db:
        found: int | None = (await db.execute(query)).scalar()
    return found


async def withdraw_request(ctx: AppContext, requester_id: int, target_id: int) -> None:
    """Delete the request notifications of requests that ended: all but the pending one's."""
    query = delete(Notification).where(
        Notification.account_id == target_id,
        Notification.from_account_id == requester_id,
        Notification.type == "follow_request",
    )
    current = await current_request(ctx, requester_id, target_id)
    if current is not None:
        query = query.where(
            Notification.dedupe_key
            != dedupe_key("follow_request", requester_id, current, target_id)
        )
    async with ctx.db() as db:
        await db.execute(query)
        await db.commit()


async def withdraw_boost(ctx: AppContext, booster_id: int, boost_id: int, author_id: int) -> None:
    """Delete the notification of a boost taken back."""
    key = dedupe_key("reblog", booster_id, boost_id, author_id)
    async with ctx.db() as db:
        await db.execute(delete(Notification).where(Notification.dedupe_key == key))
        await db.commit()


async def withdraw_follow(ctx: AppContext, follower_id: int, target_id: int) -> None:
    """Delete the follow notifications of follows from `follower_id` that ended: all of
    them but the current follow's (events may come late, or twice)."""
    query = delete(Notification).where(
        Notification.account_id == target_id,
        Notification.from_account_id == follower_id,
        Notification.type == "follow",
    )
    async with ctx.db() as db:
        current = await _follow_id(db, follower_id, target_id)
        if current is not None:
            kept = dedupe_key("follow", follower_id, current, target_id)
            query = query.where(Notification.dedupe_key != kept)
        await db.execute(query)
        await db.commit()


def browsable(account_id: int, filters: Filters = Filters()) -> Select[Notification]:
    """The account's notifications a page may show: none from a suspended account, nor from
    one it blocks, is blocked by, or mutes with notifications."""
    query = (
        select(Notification)
        .join(Account, Account.id == Notification.from_account_id)
        .where(
            Notification.account_id == account_id,
            Account.suspended.is_(False),
            Notification.from_account_id.not_in(silenced_senders_query(account_id)),
        )
    )
    if filters.types:
        query = query.where(Notification.type.in_([t for t in filters.types if t in TYPES]))
    if filters.exclude_types:
        query = query.where(Notification.type.not_in(filters.exclude_types))
    if filters.from_account_id is not None:
        query = query.where(Notification.from_account_id == filters.from_account_id)
    return query


def by_group_key(key: str) -> ColumnElement[bool] | None:
    """The notifications of a group (`ungrouped-<id>`: that one); None for a key no group
    can have."""
    if key.startswith(UNGROUPED):
        raw = key.removeprefix(UNGROUPED)
        if raw.isascii() and raw.isdigit() and len(raw) <= 19 and int(raw) <= MAX_ID:
            return Notification.id == int(raw)
        return None
    if not key or len(key) > 64 or "\x00" in key:
        return None
    return Notification.group_key == key


async def page_of(
    ctx: AppContext, account_id: int, page: PageQuery, filters: Filters = Filters()
) -> list[Notification]:
    """A page of the account's notifications, newest first."""
    async with ctx.db() as db:
        query = paged(browsable(account_id, filters), Notification.id, page)
        rows = list((await db.execute(query)).scalars())
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


async def dismiss_group(ctx: AppContext, account_id: int, group_key: str) -> None:
    """Dismiss every notification of one of the account's groups (none such: nothing)."""
    matching = by_group_key(group_key)
    if matching is None:
        return
    async with ctx.db() as db:
        await db.execute(
            delete(Notification).where(Notification.account_id == account_id, matching)
        )
        await db.commit()


async def _favourite_id(db: AsyncSession, account_id: int, status_id: int) -> int | None:
    query = select(Favourite.id).where(
        Favourite.account_id == account_id, Favourite.status_id == status_id
    )
    found: int | None = (await db.execute(query)).scalar()
    return found


async def current_favourite(ctx: AppContext, account_id: int, status_id: int) -> int | None:
    """The id of an account's favourite of a status, if it is still there."""
    async with ctx.db() as db:
        return await _favourite_id(db, account_id, status_id)


async def withdraw_favourite(
    ctx: AppContext, account_id: int, status_id: int, author_id: int
) -> None:
    """Delete the notifications of `account_id`'s favourites of the status that ended: all but
    the current favourite's (events may come late, or twice)."""
    query = delete(Notification).where(
        Notification.account_id == author_id,
        Notification.from_account_id == account_id,
        Notification.type == "favourite",
        Notification.status_id == status_id,
    )
    async with ctx.db() as db:
        current = await _favourite_id(db, account_id, status_id)
        if current is not None:
            kept = dedupe_key("favourite", account_id, current, author_id)
            query = query.where(Notification.dedupe_key != kept)
        await db.execute(query)
        await db.commit()
