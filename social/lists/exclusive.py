"""Exclusive lists: the statuses of their members stay out of the owner's home (Mastodon 4.2),
in the two forms the home rule needs (`social.statuses.audience`): a query of the authors one
owner's home leaves out, and the readers whose home one author's statuses do not enter."""

from __future__ import annotations

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Select

from social.platform.db.models import AccountList, ListAccount, Tag, TagFollow
from social.platform.events.topics import StatusEvent
from social.relations.hidden import readers_hiding


def exclusive_authors(owner_id: int) -> Select[int]:
    """Members of the owner's exclusive lists (the owner's own statuses always stay home)."""
    return (
        select(ListAccount.account_id)
        .join(AccountList, AccountList.id == ListAccount.list_id)
        .where(
            AccountList.account_id == owner_id,
            AccountList.exclusive.is_(True),
            ListAccount.account_id != owner_id,
        )
    )


async def exclusive_readers(db: AsyncSession, author_id: int) -> set[int]:
    """Those who hold `author_id` in an exclusive list (one query a status: they are few)."""
    return set((await db.execute(exclusive_readers_query(author_id))).scalars())


def exclusive_readers_query(author_id: int | ColumnElement[int]) -> Select[int]:
    return (
        select(AccountList.account_id)
        .join(ListAccount, ListAccount.list_id == AccountList.id)
        .where(
            ListAccount.account_id == author_id,
            AccountList.exclusive.is_(True),
            AccountList.account_id != author_id,
        )
    )


async def excluded_but_tagged(
    db: AsyncSession, status: StatusEvent, excluded: set[int]
) -> list[int]:
    """Of the readers an exclusive list keeps the status from, those a followed tag brings it
    to all the same (as `followed_tags_bring` in the home's query, and Mastodon's tag
    fan-out, which knows no exclusive lists): the tag path skips them as followers."""
    if status.visibility != "public" or not status.tags or status.reblog_of_id is not None:
        return []
    query = (
        select(TagFollow.account_id)
        .join(Tag, Tag.id == TagFollow.tag_id)
        .where(Tag.name.in_(status.tags), TagFollow.account_id.in_(excluded))
        .distinct()
    )
    tagged = set((await db.execute(query)).scalars())
    if not tagged:
        return []
    hiding = await readers_hiding(db, status.account_id, status.hidden_with)
    return sorted(tagged - hiding)
