"""Whose home a status enters for its hashtags (Mastodon's `deliver_to_hashtag_followers!`):
of a public status, the homes of those following one of its tags. Unlisted, private and direct
statuses reach nobody this way, as Mastodon (it delivers to tag followers only what it would
broadcast on the hashtag's public timeline).

Only what is hidden from the reader keeps such a status out (a block either way, a mute, of
the author or of someone mentioned: Mastodon's `filter_from_tags?`); the reply rule and the
languages of a follow, which govern what follows bring, do not apply.

The two forms of `social.statuses.audience`, for this source: the statuses a reader's
followed tags bring (`followed_tags_bring`, a branch of `home_query`), and the readers a
status reaches that way and not already through the author's followers (`tag_readers`, a
source of `home_audience`)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from social.platform.context import AppContext
from social.platform.db.models import Follow, Status, StatusTag, Tag, TagFollow
from social.platform.events.topics import StatusEvent
from social.relations.hidden import other_languages, readers_hiding

READERS_BATCH = 1000


def followed_tags_bring(account_id: int) -> ColumnElement[bool]:
    """The SQL condition on `Status` rows: public, carrying a tag the account follows."""
    followed = select(TagFollow.tag_id).where(TagFollow.account_id == account_id)
    carrying = select(StatusTag.status_id).where(StatusTag.tag_id.in_(followed))
    return (Status.visibility == "public") & Status.id.in_(carrying)


async def tag_readers(
    ctx: AppContext, status: StatusEvent, *, written: bool = True
) -> AsyncIterator[list[int]]:
    """The followers of the status's tags, in batches (keyset paging on the account, so one
    following several of the tags comes once), but the author and those the author's
    followers path reaches; with `written`, those it is hidden from left out too. With
    `written=False` (a deletion): every such home it may have entered."""
    if status.visibility != "public" or not status.tags:
        return
    after = 0
    while True:
        async with ctx.db() as db:
            batch = list(
                (
                    await db.execute(
                        select(TagFollow.account_id)
                        .join(Tag, Tag.id == TagFollow.tag_id)
                        .where(
                            Tag.name.in_(status.tags),
                            TagFollow.account_id > after,
                            TagFollow.account_id != status.account_id,
                        )
                        .distinct()
                        .order_by(TagFollow.account_id)
                        .limit(READERS_BATCH)
                    )
                ).scalars()
            )
            if not batch:
                return
            after = batch[-1]
            reached = await _reached_as_followers(db, status, batch, written=written)
            readers = [r for r in batch if r not in reached]
            if not written:
                readers = [r for r in readers if r not in status.mention_ids]
            elif readers:
                hiding = await readers_hiding(db, readers, status.account_id, status.mention_ids)
                readers = [r for r in readers if r not in hiding]
        if readers:
            yield readers
        if len(batch) < READERS_BATCH:
            return


async def _reached_as_followers(
    db: AsyncSession, status: StatusEvent, readers: list[int], *, written: bool
) -> set[int]:
    """Of `readers`, those `home_audience` gives the status as the author's followers (one
    query): every follower for a deletion; else those the reply rule and the follow's
    languages let through (what else it checks, the tag path checks too)."""
    author = status.account_id
    query = select(Follow.account_id).where(
        Follow.target_account_id == author, Follow.account_id.in_(readers)
    )
    if written:
        if status.language:
            query = query.where(~other_languages(status.language))
        replied = status.in_reply_to_account_id
        if replied and replied != author:
            theirs = aliased(Follow)
            query = query.where(
                or_(
                    Follow.account_id == replied,
                    Follow.account_id.in_(
                        select(theirs.account_id).where(theirs.target_account_id == replied)
                    ),
                )
            )
    return set((await db.execute(query)).scalars())
