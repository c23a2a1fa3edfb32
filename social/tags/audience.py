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

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

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
    db: AsyncSession, status: StatusEvent, *, written: bool = True
) -> AsyncIterator[list[int]]:
    """The followers of the status's tags, in batches (keyset paging on the account, so one
    following several of the tags comes once), but the author and those the author's
    followers path reaches (left out by the same query); with `written`, those it is hidden
    from left out too. With `written=False` (a deletion): every such home it may have
    entered."""
    if status.visibility != "public" or not status.tags or status.reblog_of_id is not None:
        return  # a boost carries no tags of its own (as Mastodon's), so it never comes here
    # a deletion went to the mentioned already (`home_audience`'s first batch)
    skip = {status.account_id} if written else {status.account_id, *status.mention_ids}
    after = 0
    hiding: set[int] | None = None
    while True:
        query = (
            select(TagFollow.account_id)
            .join(Tag, Tag.id == TagFollow.tag_id)
            .where(
                Tag.name.in_(status.tags),
                TagFollow.account_id > after,
                TagFollow.account_id.not_in(skip),
                ~_reached_as_follower(status, written=written),
            )
            .distinct()
            .order_by(TagFollow.account_id)
            .limit(READERS_BATCH)
        )
        batch = list((await db.execute(query)).scalars())
        if not batch:
            return
        if hiding is None:  # asked once a status, and only when someone follows its tags
            hiding = await _hiding(db, status, written=written)
        readers = [r for r in batch if r not in hiding]
        if readers:
            yield readers
        if len(batch) < READERS_BATCH:
            return
        after = batch[-1]


async def _hiding(db: AsyncSession, status: StatusEvent, *, written: bool) -> set[int]:
    """Whom the status is hidden from (blocks and mutes; not a follow's languages); nobody
    for a deletion, which goes to every home it may have entered."""
    if not written:
        return set()
    return await readers_hiding(db, status.account_id, status.hidden_with)


def _reached_as_follower(status: StatusEvent, *, written: bool) -> ColumnElement[bool]:
    """The SQL condition that the tag follow's account gets the status from `home_audience`
    as a follower of its author: any follower for a deletion; else one the reply rule and the
    follow's languages let through (what else that path checks, this one checks too)."""
    author, reader = status.account_id, TagFollow.account_id
    follows = exists().where(Follow.account_id == reader, Follow.target_account_id == author)
    if not written:
        return follows
    if status.language:
        follows = follows.where(~other_languages(status.language))
    replied = status.in_reply_to_account_id
    if not replied or replied == author:
        return follows
    theirs = aliased(Follow)
    also_theirs = exists().where(theirs.account_id == reader, theirs.target_account_id == replied)
    return follows & ((reader == replied) | also_theirs)
