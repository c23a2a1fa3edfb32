"""Grouped notifications (Mastodon 4.3's API v2): a page holds one entry per group, each group
counted and sampled up to the page's newest notification; one group; a group's senders; and
how many notifications or groups are newer than the notifications marker.

A group is its `group_key` when its kind is grouped in the request (`grouped_types[]`), else
`ungrouped-<id>`, as a notification written without a key (every one before keys were) is.
Statuses the viewer may not see never count, and a group about one never shows."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from social.markers.service import last_read_id
from social.notifications.service import (
    GROUPABLE,
    UNGROUPED,
    Filters,
    browsable,
    by_group_key,
)
from social.platform.context import AppContext
from social.platform.db.models import Notification
from social.platform.errors import NotFound
from social.platform.paging import MAX_ID, PageQuery
from social.statuses.audience import filter_visible
from social.statuses.render import cached_statuses

SAMPLE_ACCOUNTS = 8  # Mastodon's NotificationGroup::SAMPLE_ACCOUNTS_SIZE
SCAN_BATCH_MAX = 1000


@dataclass
class Group:
    """A group as a page shows it: `notification` is its entry on the page (its kind and
    status); `page_min_id` and `latest_at` only when read by page."""

    key: str
    notification: Notification
    count: int
    most_recent_id: int
    sample_account_ids: list[int] = field(default_factory=list)
    page_min_id: int | None = None
    latest_at: datetime | None = None


@dataclass
class GroupPage:
    groups: list[Group]
    cursors: list[int]  # the entries' notification ids: where the next and previous pages start


def grouping(asked: Sequence[str]) -> frozenset[str]:
    """The kinds a request groups: those asked of the groupable ones, or all of them."""
    return frozenset(asked) & GROUPABLE if asked else GROUPABLE


def key_of(notification: Notification, grouped: Collection[str]) -> str:
    """The group a notification is in, for a request that groups the kinds `grouped`."""
    if notification.group_key and notification.type in grouped:
        return notification.group_key
    return f"{UNGROUPED}{notification.id}"


async def page_of_groups(
    ctx: AppContext,
    account_id: int,
    page: PageQuery,
    filters: Filters,
    grouped: frozenset[str],
) -> GroupPage:
    """Up to `page.limit` groups, newest first, each entered by its newest notification in the
    page's range (after `min_id`: by its oldest, as Mastodon pages forward)."""
    query = browsable(account_id, filters)
    ascending = page.min_id is not None
    if page.max_id is not None:
        query = query.where(Notification.id < page.max_id)
    if page.min_id is not None:
        query = query.where(Notification.id > page.min_id)
    elif page.since_id is not None:
        query = query.where(Notification.id > page.since_id)
    async with ctx.db() as db:
        found = await _first_of_each_group(db, query, ascending, page.limit, grouped)
        if not found:
            return GroupPage([], [])
        entries = sorted(found.items(), key=lambda entry: entry[1].id, reverse=True)
        # The range the groups are counted in, as Mastodon's: between the page's first and
        # last entries; a page cut short reaches to the cursor it was asked from.
        full = len(entries) == page.limit
        newest, oldest = entries[0][1].id, entries[-1][1].id
        if ascending:
            low = oldest
            high = newest if full else MAX_ID if page.max_id is None else page.max_id - 1
        else:
            low = oldest if full else 0 if page.since_id is None else page.since_id + 1
            high = newest
        keys = [key for key, _ in entries if not key.startswith(UNGROUPED)]
        data = await _groups(db, account_id, keys, low=low, high=high)
    groups = [_entry(key, n, data.get(key), paged=True) for key, n in entries]
    return GroupPage(groups, [n.id for _, n in entries])


async def _first_of_each_group(
    db: AsyncSession,
    query: Select[Notification],
    ascending: bool,
    limit: int,
    grouped: frozenset[str],
) -> dict[str, Notification]:
    """Walk the notifications in order, in growing batches, keeping the first of each group
    met, until `limit` groups are found or none are left."""
    found: dict[str, Notification] = {}
    batch = max(2 * limit, 40)
    order = Notification.id.asc() if ascending else Notification.id.desc()
    while True:
        rows = list((await db.execute(query.order_by(order).limit(batch))).scalars())
        for notification in rows:
            found.setdefault(key_of(notification, grouped), notification)
            if len(found) == limit:
                return found
        if len(rows) < batch:
            return found
        last = rows[-1].id
        query = query.where(Notification.id > last if ascending else Notification.id < last)
        batch = min(2 * batch, SCAN_BATCH_MAX)


@dataclass
class _Counted:
    """A group's members up to the top of a range: how many, the newest (its id and time),
    its newest senders; and its oldest member from the bottom of the range on."""

    count: int
    most_recent_id: int
    latest_at: datetime
    senders: list[int] = field(default_factory=list)
    oldest_in_range: int | None = None


async def _groups(
    db: AsyncSession, account_id: int, keys: list[str], *, low: int | None, high: int
) -> dict[str, _Counted]:
    """Each group counted up to `high` (and, with `low`, its oldest member from `low` on):
    one query whatever the number of groups."""
    if not keys:
        return {}
    by_key = Notification.group_key
    columns = [
        Notification.group_key,
        Notification.id,
        Notification.from_account_id,
        Notification.created_at,
        func.row_number().over(partition_by=by_key, order_by=Notification.id.desc()).label("rank"),
        func.count().over(partition_by=by_key).label("total"),
    ]
    if low is not None:
        oldest = func.min(case((Notification.id >= low, Notification.id)))
        columns.append(oldest.over(partition_by=by_key).label("oldest"))
    ranked = (
        browsable(account_id)  # what a page may show: counts and samples agree with it
        .with_only_columns(*columns)
        .where(Notification.group_key.in_(keys), Notification.id <= high)
        .subquery()
    )
    rows = await db.execute(
        select(ranked)
        .where(ranked.c.rank <= SAMPLE_ACCOUNTS)
        .order_by(ranked.c.group_key, ranked.c.rank)
    )
    groups: dict[str, _Counted] = {}
    for row in rows:
        counted = groups.get(row.group_key)
        if counted is None:
            counted = groups[row.group_key] = _Counted(
                row.total,
                row.id,
                row.created_at,
                oldest_in_range=row.oldest if low is not None else None,
            )
        if row.from_account_id not in counted.senders:
            counted.senders.append(row.from_account_id)
    return groups


def _entry(key: str, notification: Notification, counted: _Counted | None, *, paged: bool) -> Group:
    """The group `notification` enters a page for (`counted`: None for a group of one)."""
    if counted is None:
        counted = _Counted(
            1, notification.id, notification.created_at, [notification.from_account_id]
        )
    return Group(
        key=key,
        notification=notification,
        count=counted.count,
        most_recent_id=counted.most_recent_id,
        sample_account_ids=counted.senders,
        page_min_id=(counted.oldest_in_range or notification.id) if paged else None,
        latest_at=counted.latest_at if paged else None,
    )


async def one_group(ctx: AppContext, account_id: int, group_key: str) -> Group:
    """The account's group of that key, counted whole (NotFound if it has none)."""
    matching = by_group_key(group_key)
    if matching is None:
        raise NotFound()
    async with ctx.db() as db:
        query = browsable(account_id).where(matching).order_by(Notification.id.desc()).limit(1)
        notification = (await db.execute(query)).scalar()
        if notification is None:
            raise NotFound()
        key = key_of(notification, GROUPABLE)
        data = (
            {}
            if key.startswith(UNGROUPED)
            else await _groups(db, account_id, [key], low=None, high=MAX_ID)
        )
    return _entry(key, notification, data.get(key), paged=False)


def senders(account_id: int, group_key: str) -> Select[int, int] | None:
    """(notification id, sender) of each notification in the group, for a page of accounts;
    None for a key no group can have."""
    matching = by_group_key(group_key)
    if matching is None:
        return None
    shown = browsable(account_id).where(matching)
    return shown.with_only_columns(Notification.id, Notification.from_account_id)


async def unread_count(
    ctx: AppContext,
    account_id: int,
    filters: Filters,
    *,
    limit: int,
    grouped: frozenset[str] | None = None,
) -> int:
    """How many notifications (given `grouped`: groups) are newer than the account's
    notifications marker (all, without one), counting at most `limit`."""
    marker = await last_read_id(ctx, account_id, "notifications")
    query = browsable(account_id, filters)
    if marker is not None:
        query = query.where(Notification.id > marker)
    async with ctx.db() as db:
        if grouped is None:
            rows = await db.execute(query.order_by(Notification.id).limit(limit))
            found = list(rows.scalars())
        else:
            found = list((await _first_of_each_group(db, query, True, limit, grouped)).values())
    # after the marker's round trip, the statuses' own: which they are, the count's query says
    visible = await visible_statuses(ctx, account_id, {n.status_id for n in found if n.status_id})
    return sum(1 for n in found if n.status_id is None or n.status_id in visible)


async def visible_statuses(ctx: AppContext, viewer_id: int, ids: set[int]) -> set[int]:
    """Which of the statuses the viewer may see (deleted ones: none)."""
    if not ids:
        return set()
    cached = await cached_statuses(ctx, list(ids))
    async with ctx.db() as db:
        return {i for i, _ in await filter_visible(db, list(cached.items()), viewer_id)}
