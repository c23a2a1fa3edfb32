"""Lists (Mastodon): an account's named lists of accounts it follows, each with its own
timeline (`social.lists.feeds`). Written in the database in one transaction, all or nothing;
the feeds follow after the commit: a member added has their recent statuses merged into the
list, a member removed leaves it, and an exclusive list keeps its members out of the owner's
home (`social.lists.exclusive`)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from dataclasses import dataclass

from redis.exceptions import RedisClusterException, RedisError
from sqlalchemy import delete, func, select

from social.lists.feeds import back_home, drop_from, leave_home, merge_into
from social.platform.context import AppContext
from social.platform.db.models import Account, AccountList, Follow, ListAccount
from social.platform.db.models.lists import REPLIES_POLICIES
from social.platform.errors import Invalid, NotFound, invalid
from social.platform.paging import PageQuery, paged

log = logging.getLogger(__name__)

PER_ACCOUNT_LIMIT = 50  # Mastodon's List::PER_ACCOUNT_LIMIT
TITLE_MAX_CHARS = 256  # the column's width


@dataclass(frozen=True)
class ListChange:
    """What a create or an update sets (None: left as it is)."""

    title: str | None = None
    replies_policy: str | None = None
    exclusive: bool | None = None

    def check(self, *, creating: bool) -> None:
        if self.title is not None or creating:
            title = (self.title or "").strip()
            if not title:
                raise invalid("Title", "can't be blank", "ERR_BLANK")
            if len(title) > TITLE_MAX_CHARS:
                problem = f"is too long (maximum is {TITLE_MAX_CHARS} characters)"
                raise invalid("Title", problem, "ERR_TOO_LONG")
        if self.replies_policy is not None and self.replies_policy not in REPLIES_POLICIES:
            raise invalid("Replies policy", "is not included in the list", "ERR_INCLUSION")


async def owned_lists(ctx: AppContext, owner_id: int) -> list[AccountList]:
    async with ctx.db() as db:
        query = select(AccountList).where(AccountList.account_id == owner_id)
        return list((await db.execute(query.order_by(AccountList.id))).scalars())


async def owned_list(ctx: AppContext, owner_id: int, list_id: int) -> AccountList:
    """The owner's list; another's is not found, as one that does not exist."""
    async with ctx.db() as db:
        row = await db.get(AccountList, list_id)
    if row is None or row.account_id != owner_id:
        raise NotFound()
    return row


async def create_list(ctx: AppContext, owner_id: int, change: ListChange) -> AccountList:
    change.check(creating=True)
    async with ctx.db() as db:
        count = await db.scalar(
            select(func.count()).select_from(AccountList).where(AccountList.account_id == owner_id)
        )
        if (count or 0) >= PER_ACCOUNT_LIMIT:
            raise Invalid("Validation failed: You have reached the maximum number of lists")
        row = AccountList(
            account_id=owner_id,
            title=(change.title or "").strip(),
            replies_policy=change.replies_policy or "list",
            exclusive=bool(change.exclusive),
        )
        db.add(row)
        await db.commit()
        await db.refresh(row)
    return row


async def update_list(
    ctx: AppContext, owner_id: int, list_id: int, change: ListChange
) -> AccountList:
    """A new replies policy rebuilds the list's feed (on its next read); a list made
    exclusive takes its members out of the owner's home, and the reverse brings them back."""
    change.check(creating=False)
    async with ctx.db() as db:
        row = await db.get(AccountList, list_id)
        if row is None or row.account_id != owner_id:
            raise NotFound()
        policy_changed = change.replies_policy not in (None, row.replies_policy)
        exclusive_changed = change.exclusive not in (None, row.exclusive)
        if change.title is not None:
            row.title = change.title.strip()
        if change.replies_policy is not None:
            row.replies_policy = change.replies_policy
        if change.exclusive is not None:
            row.exclusive = change.exclusive
        await db.commit()
        await db.refresh(row)
        members = await _members(ctx, list_id) if exclusive_changed else set()
    if policy_changed:
        await _after(ctx.redis.delete(ctx.keys.list_feed(owner_id, list_id)))
    members.discard(owner_id)
    if members:
        moved = leave_home if row.exclusive else back_home
        await _after(moved(ctx, owner_id, members))
    return row


async def delete_list(ctx: AppContext, owner_id: int, list_id: int) -> None:
    row = await owned_list(ctx, owner_id, list_id)
    members = await _members(ctx, list_id) if row.exclusive else set()
    async with ctx.db() as db:
        await db.execute(delete(AccountList).where(AccountList.id == list_id))
        await db.commit()
    await _after(ctx.redis.delete(ctx.keys.list_feed(owner_id, list_id)))
    members.discard(owner_id)
    if members:
        await _after(back_home(ctx, owner_id, members))


async def member_ids(ctx: AppContext, row: AccountList, page: PageQuery | None) -> list[int]:
    """The list's members by account id, newest first, a page of them (None: all)."""
    query = select(ListAccount.account_id).where(ListAccount.list_id == row.id)
    async with ctx.db() as db:
        if page is None:
            found = (await db.execute(query.order_by(ListAccount.account_id.desc()))).scalars()
        else:
            found = (await db.execute(paged(query, ListAccount.account_id, page))).scalars()
        return sorted(found, reverse=True)


async def add_members(ctx: AppContext, owner_id: int, list_id: int, account_ids: list[int]) -> None:
    """Every account must exist (else 404, as Mastodon's `Account.find`), be followed by the
    owner (or be the owner) and not be a member yet; otherwise nothing is written."""
    row = await owned_list(ctx, owner_id, list_id)
    ids = list(dict.fromkeys(account_ids))
    async with ctx.db() as db:
        found = set(
            (
                await db.execute(
                    select(Account.id).where(Account.id.in_(ids), Account.suspended.is_(False))
                )
            ).scalars()
        )
        if len(found) != len(ids):
            raise NotFound()
        followed = select(Follow.target_account_id, Follow.id).where(
            Follow.account_id == owner_id, Follow.target_account_id.in_(ids)
        )
        follows: dict[int, int] = {r[0]: r[1] for r in await db.execute(followed)}
        if any(a not in follows and a != owner_id for a in ids):
            raise invalid("Account", "follow relationship missing")
        taken = (
            await db.execute(
                select(ListAccount.account_id).where(
                    ListAccount.list_id == list_id, ListAccount.account_id.in_(ids)
                )
            )
        ).first()
        if taken is not None or len(ids) != len(account_ids):
            raise invalid("Account", "has already been taken", "ERR_TAKEN")
        db.add_all(
            ListAccount(list_id=list_id, account_id=a, follow_id=follows.get(a)) for a in ids
        )
        await db.commit()
    await _after(merge_into(ctx, row, ids))
    others = set(ids) - {owner_id}
    if row.exclusive and others:
        await _after(leave_home(ctx, owner_id, others))


async def remove_members(
    ctx: AppContext, owner_id: int, list_id: int, account_ids: list[int]
) -> None:
    """Those of `account_ids` who are members leave; others are ignored (as Mastodon)."""
    row = await owned_list(ctx, owner_id, list_id)
    async with ctx.db() as db:
        gone = set(
            (
                await db.execute(
                    delete(ListAccount)
                    .where(ListAccount.list_id == list_id, ListAccount.account_id.in_(account_ids))
                    .returning(ListAccount.account_id)
                )
            ).scalars()
        )
        await db.commit()
    if not gone:
        return
    await _after(drop_from(ctx, [(owner_id, list_id)], gone))
    gone.discard(owner_id)
    if row.exclusive and gone:
        await _after(back_home(ctx, owner_id, gone))


async def lists_with(ctx: AppContext, owner_id: int, account_id: int) -> list[AccountList]:
    """The owner's lists holding `account_id` (the account must exist)."""
    async with ctx.db() as db:
        account = await db.get(Account, account_id)
        if account is None or account.suspended:
            raise NotFound()
        query = (
            select(AccountList)
            .join(ListAccount, ListAccount.list_id == AccountList.id)
            .where(AccountList.account_id == owner_id, ListAccount.account_id == account_id)
            .order_by(AccountList.id)
        )
        return list((await db.execute(query)).scalars())


async def _members(ctx: AppContext, list_id: int) -> set[int]:
    async with ctx.db() as db:
        query = select(ListAccount.account_id).where(ListAccount.list_id == list_id)
        return set((await db.execute(query)).scalars())


async def _after(work: Awaitable[object]) -> None:
    """Feed work after a commit, best effort: should Redis fail meanwhile, a feed keeps what
    it held until it is rebuilt (after its TTL, or a Redis loss), as a home feed does."""
    try:
        await work
    except (RedisError, RedisClusterException) as exc:
        log.warning("lists: feeds not updated now: %r", exc)
