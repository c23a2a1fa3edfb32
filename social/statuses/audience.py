"""Who may see a status, and whose home it enters: the rule, once.

Seeing: public and unlisted to all, private to followers and the mentioned, direct to the
mentioned only; the author always.

Homes: the author's; a direct status only the mentioned accounts' too; any other the homes of
the author's followers, but a reply to someone else only of those who follow that someone as
well (or are them), as Mastodon's; never the home of a reader it is hidden from (a block or a
mute, `social.relations.hidden`). The rule has two forms, kept side by side here: a query
of the statuses one reader's home shows (`home_query`: the database path and feed rebuilds),
and the readers one status reaches (`home_audience`: fan-out and live streams).
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator, Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import bindparam, exists, literal, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement, CompoundSelect, Select
from sqlalchemy.sql.elements import BindParameter

from social.lists.exclusive import excluded_but_tagged, exclusive_authors, exclusive_readers_query
from social.platform.context import AppContext
from social.platform.db.models import Account, Follow, Mention, Status
from social.platform.events.topics import StatusEvent
from social.relations.hidden import (
    blocking_among,
    hiding_query,
    other_languages,
    shown_to,
)
from social.tags.audience import followed_tags_bring, tag_readers

if TYPE_CHECKING:
    from social.statuses.render import CachedStatus

OPEN = ("public", "unlisted")
FOLLOWERS_BATCH = 2000
MEMO_READERS = 2000
"""The largest audience kept for the other consumer group (`AppContext.memo`): a large
account's is worked out again, batch by batch, rather than held."""
T = TypeVar("T")


async def followed_among(db: AsyncSession, viewer_id: int, author_ids: Iterable[int]) -> set[int]:
    ids = set(author_ids)
    if not ids:
        return set()
    query = select(Follow.target_account_id).where(
        Follow.account_id == viewer_id, Follow.target_account_id.in_(ids)
    )
    return set((await db.execute(query)).scalars())


def may_see(status: CachedStatus, viewer_id: int | None, following: set[int]) -> bool:
    if status.visibility in OPEN:
        return True
    if viewer_id is None:
        return False
    if viewer_id == status.account_id or viewer_id in status.mention_ids:
        return True
    return status.visibility == "private" and status.account_id in following


async def filter_visible(
    db: AsyncSession, statuses: list[tuple[T, CachedStatus]], viewer_id: int | None
) -> list[tuple[T, CachedStatus]]:
    """Drop what the viewer may not see: a closed status they are not in the audience of
    (a query, only when one is there), and, for the signed-in, the statuses of authors who
    block them (a query; Mastodon's `StatusPolicy#show?`)."""
    if viewer_id is None:
        return [(k, s) for k, s in statuses if s.visibility in OPEN]
    closed = {s.account_id for _, s in statuses if s.visibility not in OPEN}
    following = await followed_among(db, viewer_id, closed) if closed else set()
    blocking = await blocking_among(db, viewer_id, {s.account_id for _, s in statuses})
    return [
        (k, s)
        for k, s in statuses
        if s.account_id not in blocking and may_see(s, viewer_id, following)
    ]


def home_query(account_id: int, following: Select[int]) -> Select[int, int, int | None]:
    """The statuses a user's home shows (id, author, and the original of a boost): their own,
    non-direct ones of people they follow (their boosts too, unless hidden by the follow),
    and direct ones that mention them. One condition over `statuses`: for a known set of
    statuses (`.where(Status.id.in_(...))`); a page of the home is `home_page.home_page`,
    which reads each source by its own index."""
    mentioned = select(Mention.status_id).where(Mention.account_id == account_id)
    return select(Status.id, Status.account_id, Status.reblog_of_id).where(
        or_(
            Status.account_id == account_id,
            Status.account_id.in_(following)
            & followed_shows(account_id, following, Follow)
            & Status.account_id.not_in(exclusive_authors(account_id)),
            (Status.visibility == "direct") & Status.id.in_(mentioned),
            followed_tags_bring(account_id),  # public ones with a tag they follow
        ),
        shown_to(account_id),
    )


def followed_shows(
    account_id: int, following: Select[int], follow: type[Follow] | Any
) -> ColumnElement[bool]:
    """The condition on a status of a followed author for `account_id`'s home, `follow` being
    the follow of that author (correlated: `Follow` itself, for which the author is matched
    here, or an alias of it already joined on the author): not direct; a reply only if it
    answers its author, the reader, or someone they follow; not in a language the follow
    leaves out (a status in none passes); not a boost if the follow hides boosts."""
    reply_ok = or_(
        Status.in_reply_to_account_id.is_(None),
        Status.in_reply_to_account_id == Status.account_id,
        Status.in_reply_to_account_id == account_id,
        Status.in_reply_to_account_id.in_(following),
    )
    language_left_out: ColumnElement[bool] = Status.language.is_not(None) & other_languages(
        Status.language, follow
    )
    boost_hidden: ColumnElement[bool] = Status.reblog_of_id.is_not(None) & follow.show_reblogs.is_(
        False
    )
    if follow is Follow:  # not joined: the follow of this status's author, by subquery
        the_follow = (Follow.account_id == account_id) & (
            Follow.target_account_id == Status.account_id
        )
        language_left_out = exists().where(the_follow, language_left_out)
        boost_hidden = exists().where(the_follow, boost_hidden)
    return (Status.visibility != "direct") & reply_ok & ~language_left_out & ~boost_hidden


def following_query(account_id: int) -> Select[int]:
    return select(Follow.target_account_id).where(Follow.account_id == account_id)


def large_followed_query(account_id: int, push_max: int) -> Select[int, bool, str | None]:
    """The accounts of more than `push_max` followers that `account_id` follows, but those in
    an exclusive list of theirs (a home merges these as it is read), with the follow's
    `show_reblogs` and `languages`."""
    return (
        select(Follow.target_account_id, Follow.show_reblogs, Follow.languages)
        .join(Account, Account.id == Follow.target_account_id)
        .where(
            Follow.account_id == account_id,
            Account.followers_count > push_max,
            Follow.target_account_id.not_in(exclusive_authors(account_id)),
        )
    )


async def followers(ctx: AppContext, account_id: int) -> AsyncIterator[list[int]]:
    """The account's followers in batches (keyset paging: huge accounts stay cheap). The next
    batch is read while the caller works on this one (fan-out writes Redis meanwhile)."""
    ahead: asyncio.Future[list[Any]] | None = asyncio.ensure_future(
        _followers_after(ctx, account_id, 0)
    )
    try:
        while ahead is not None:
            rows, ahead = await ahead, None
            if len(rows) == FOLLOWERS_BATCH:  # maybe more: read them meanwhile
                ahead = asyncio.ensure_future(_followers_after(ctx, account_id, rows[-1][0]))
            if rows:
                yield [follower for _, follower in rows]
    finally:  # the caller stopped early (or failed): the batch read ahead is not wanted
        if ahead is not None:
            ahead.add_done_callback(_retrieve)
            ahead.cancel()


async def _followers_after(ctx: AppContext, account_id: int, after: int) -> list[Any]:
    async with ctx.reads() as db:
        query = (
            select(Follow.id, Follow.account_id)
            .where(Follow.target_account_id == account_id, Follow.id > after)
            .order_by(Follow.id)
            .limit(FOLLOWERS_BATCH)
        )
        return list((await db.execute(query)).all())


def _retrieve(task: asyncio.Future[list[Any]]) -> None:
    if not task.cancelled():
        task.exception()  # a read nobody waits for may fail: not "never retrieved"


async def follows_among(db: AsyncSession, account_ids: list[int], target: int) -> set[int]:
    query = select(Follow.account_id).where(
        Follow.target_account_id == target, Follow.account_id.in_(account_ids)
    )
    return set((await db.execute(query)).scalars())


async def home_audience(
    ctx: AppContext,
    status: StatusEvent,
    *,
    written: bool = True,
    with_followers: bool = True,
    among: Sequence[int] | None = None,
) -> AsyncIterator[list[int]]:
    """The accounts whose home `status` enters, in batches: the author first, then the
    mentioned (a direct status) or the followers. With `written=False` (a deletion): every
    home it may have entered, the mentioned and every follower (who follows whom may have
    changed since). Without `with_followers` (a large author's status, which their homes
    merge as they are read), the followers are left out. With `among`, only the followers
    among those accounts (a large account's status to the watched `user` channels: the cost is
    theirs, not the followers'); such an audience is not kept for the other group.

    The `timelines` and `streaming` groups both ask, moments (or, one group behind, seconds)
    apart: an audience of up to `MEMO_READERS` is kept for `memo.MEMO_TTL_S`, and the same
    event asked again in that time (the same fields: an edit is another event) gets it
    without a query. Who followed or blocked whom in those seconds is the same race as a
    status handled a moment earlier; a home's read still leaves out what its guard hides."""
    key = ("home_audience", status, written, with_followers)
    known: tuple[tuple[int, ...], ...] | None = None if among is not None else ctx.memo.get(key)
    if known is not None:  # the other group of this process has just worked it out
        for readers in known:
            yield list(readers)
        return
    kept: list[tuple[int, ...]] | None = []
    size = 0
    async with ctx.reads() as db:  # one session for the status's own queries
        async for batch in _home_audience(ctx, db, status, written, with_followers, among):
            size += len(batch)
            if kept is not None and size <= MEMO_READERS and among is None:
                kept.append(tuple(batch))
            else:
                kept = None
            yield batch
    if kept is not None:
        ctx.memo.put(key, tuple(kept), weight=1 + size)


async def _home_audience(
    ctx: AppContext,
    db: AsyncSession,
    status: StatusEvent,
    written: bool,
    with_followers: bool,
    among: Sequence[int] | None,
) -> AsyncIterator[list[int]]:
    author = status.account_id
    if not written:
        yield list(dict.fromkeys([author, *status.mention_ids]))
    elif status.visibility == "direct":
        hiding = await _hiding(db, status)
        mentioned = dict.fromkeys(m for m in status.mention_ids if m != author)
        yield [author, *(m for m in mentioned if m not in hiding)]
        return
    else:
        yield [author]
    replied_to = status.in_reply_to_account_id if written else None
    hiding, excluded = await _hiding_and_excluded(db, status) if written else (set(), set())
    hiding |= excluded  # their exclusive lists take it instead (but a tag they follow may bring it)
    if not with_followers:
        source = _none()
    elif among is not None:
        source = _followers_among(db, among, author)
    else:
        source = followers(ctx, author)
    async for batch in source:
        if replied_to and replied_to != author:
            both = await follows_among(db, batch, replied_to)
            batch = [f for f in batch if f in both or f == replied_to]
        if hiding:
            batch = [f for f in batch if f not in hiding]
        if batch:
            yield batch
    # then those following one of its tags, if public (the author's followers came above)
    async for batch in tag_readers(db, status, written=written):
        yield batch
    if excluded and (tagged := await excluded_but_tagged(db, status, excluded)):
        yield tagged


async def _followers_among(
    db: AsyncSession, accounts: Sequence[int], author: int
) -> AsyncIterator[list[int]]:
    for start in range(0, len(accounts), FOLLOWERS_BATCH):
        batch = list(accounts[start : start + FOLLOWERS_BATCH])
        if found := await follows_among(db, batch, author):
            yield sorted(found)


async def _none() -> AsyncIterator[list[int]]:
    return
    yield


async def _hiding_and_excluded(db: AsyncSession, status: StatusEvent) -> tuple[set[int], set[int]]:
    """The readers the status is hidden from (`_hiding`), and those who hold its author in an
    exclusive list (`exclusive_readers`): one statement."""
    hidden, values = _hiding_query(status)
    hiding: set[int] = set()
    excluded: set[int] = set()
    for reader, kind in await db.execute(_with_exclusive(hidden), values):
        (excluded if kind else hiding).add(reader)
    hiding.discard(status.account_id)
    return hiding, excluded


@functools.cache
def _with_exclusive(hidden: CompoundSelect[int]) -> CompoundSelect[int, int]:
    """`hidden`'s readers (kind 0) and the exclusive-list holders of its `author` (kind 1),
    built once for each form of `hiding_query`'s statement."""
    author: BindParameter[int] = bindparam("author")
    exclusive = exclusive_readers_query(author).subquery()
    inner = hidden.subquery()
    return union_all(select(inner.c[0], literal(0)), select(exclusive.c[0], literal(1)))


def _hiding_query(status: StatusEvent) -> tuple[CompoundSelect[int], dict[str, Any]]:
    return hiding_query(
        status.account_id,
        status.hidden_with,
        status.language,
        original_author=status.reblog_account_id,
    )


async def _hiding(db: AsyncSession, status: StatusEvent) -> set[int]:
    """The readers the status is hidden from (one query; the author never is)."""
    statement, values = _hiding_query(status)
    return set((await db.execute(statement, values)).scalars()) - {status.account_id}
