"""Who is hidden from whom: the rule of blocks and mutes, once, in the forms the read paths
need (SQL for the database's answers, sets for what is checked in Python).

For a viewer:
- hidden authors: those the viewer blocks, those who block the viewer, those the viewer mutes
  (while the mute lasts). Their statuses reach the viewer nowhere: home, public and hashtag
  timelines, threads, streams.
- hidden mentions: those the viewer blocks or mutes. A status mentioning one of them is hidden
  from the viewer's home and streams too (Mastodon's `FeedManager#filter_from_home`), unless
  the viewer wrote it.
- silenced senders: those the viewer blocks, who block the viewer, or whom the viewer mutes
  with `notifications`: their notifications do not reach the viewer.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, String, and_, bindparam, exists, false, or_, select, union
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql import CompoundSelect, Select
from sqlalchemy.sql.elements import BindParameter

from social.platform.db.models import Block, Follow, Mention, Mute, Status
from social.platform.db.types import UTCDateTime


def _now() -> datetime:
    return datetime.now(UTC)


def active_mute(now: datetime | ColumnElement[datetime] | None = None) -> ColumnElement[bool]:
    """A mute not over at `now` (a time, a bound parameter; the present if None)."""
    return or_(Mute.expires_at.is_(None), Mute.expires_at > (_now() if now is None else now))


def blocked_by_viewer(viewer_id: int) -> Select[int]:
    return select(Block.target_account_id).where(Block.account_id == viewer_id)


def blocking_viewer(viewer_id: int) -> Select[int]:
    return select(Block.account_id).where(Block.target_account_id == viewer_id)


def muted_by_viewer(viewer_id: int, *, notifications: bool = False) -> Select[int]:
    query = select(Mute.target_account_id).where(Mute.account_id == viewer_id, active_mute())
    return query.where(Mute.hide_notifications.is_(True)) if notifications else query


async def blocking_among(db: AsyncSession, viewer_id: int, account_ids: Iterable[int]) -> set[int]:
    """Of `account_ids`, those who block the viewer."""
    ids = set(account_ids) - {viewer_id}
    if not ids:
        return set()
    query = blocking_viewer(viewer_id).where(Block.account_id.in_(ids))
    return set((await db.execute(query)).scalars())


def hidden_authors_query(viewer_id: int) -> Select[int]:
    query = union(
        blocked_by_viewer(viewer_id), blocking_viewer(viewer_id), muted_by_viewer(viewer_id)
    )
    return select(query.subquery().c[0])


def silenced_senders_query(viewer_id: int) -> Select[int]:
    query = union(
        blocked_by_viewer(viewer_id),
        blocking_viewer(viewer_id),
        muted_by_viewer(viewer_id, notifications=True),
    )
    return select(query.subquery().c[0])


def shown_to(viewer_id: int | None) -> ColumnElement[bool]:
    """The SQL condition on `Status` rows the viewer may be shown (an author not hidden, no
    hidden account mentioned); true for the signed-out."""
    if viewer_id is None:
        return ~false()
    hidden_mention = exists().where(
        Mention.status_id == Status.id,
        Mention.account_id.in_(
            union(blocked_by_viewer(viewer_id), muted_by_viewer(viewer_id)).subquery().select()
        ),
    )
    own = Status.account_id == viewer_id
    shown = and_(Status.account_id.not_in(hidden_authors_query(viewer_id)), ~hidden_mention)
    # a boost: its original too (of an author not hidden, mentioning none hidden)
    original = aliased(Status)
    original_hidden = exists().where(
        original.id == Status.reblog_of_id,
        or_(
            original.account_id.in_(hidden_authors_query(viewer_id)),
            exists().where(
                Mention.status_id == original.id,
                Mention.account_id.in_(
                    union(blocked_by_viewer(viewer_id), muted_by_viewer(viewer_id))
                    .subquery()
                    .select()
                ),
            ),
        ),
    )
    return or_(own, shown) & or_(Status.reblog_of_id.is_(None), ~original_hidden)


@dataclass(frozen=True)
class Hidden:
    """One viewer's hidden accounts, loaded (`load`) for checks in Python."""

    viewer_id: int | None = None
    authors: frozenset[int] = field(default_factory=frozenset)
    mentions: frozenset[int] = field(default_factory=frozenset)

    def __bool__(self) -> bool:
        return bool(self.authors)

    def hides(self, author_ids: Iterable[int], mention_ids: Iterable[int] = ()) -> bool:
        """Whether a status by `author_ids` (a boost: the booster, then the original's
        author) mentioning `mention_ids` is hidden from the viewer (never their own)."""
        authors = list(author_ids)
        if not self.authors or authors[0] == self.viewer_id:
            return False
        return not self.authors.isdisjoint(authors) or not self.mentions.isdisjoint(mention_ids)

    @classmethod
    async def load(cls, db: AsyncSession, viewer_id: int | None) -> Hidden:
        if viewer_id is None:
            return cls()
        rows = await db.execute(
            union(
                select(Block.target_account_id, false().label("by")).where(
                    Block.account_id == viewer_id
                ),
                select(Mute.target_account_id, false()).where(
                    Mute.account_id == viewer_id, active_mute()
                ),
                select(Block.account_id, ~false()).where(Block.target_account_id == viewer_id),
            )
        )
        authors: set[int] = set()
        mentions: set[int] = set()
        for account_id, blocks_viewer in rows:
            authors.add(account_id)
            if not blocks_viewer:
                mentions.add(account_id)
        return cls(viewer_id, frozenset(authors), frozenset(mentions))


async def readers_hiding(
    db: AsyncSession,
    author_id: int,
    mention_ids: Collection[int],
    language: str | None = None,
    *,
    original_author: int | None = None,
) -> set[int]:
    """The readers from whom a status by `author_id` is hidden (`hiding_query`'s, but the
    author)."""
    statement, values = hiding_query(
        author_id, mention_ids, language, original_author=original_author
    )
    return set((await db.execute(statement, values)).scalars()) - {author_id}


def hiding_query(
    author_id: int,
    mention_ids: Collection[int],
    language: str | None = None,
    *,
    original_author: int | None = None,
) -> tuple[CompoundSelect[int], dict[str, Any]]:
    """The readers from whom a status by `author_id` mentioning `mention_ids` is hidden, as a
    statement and the values it runs with: who blocks or mutes one of them, whom the author
    blocks, whose follow of the author takes only other languages than the status's; for a
    boost (`original_author` given, the original's author and mentioned among
    `mention_ids`), also whom the original's author blocks and who hides the booster's
    boosts. Asked once a status, not a batch of readers: these are few beside the followers,
    and none of them depends on which batch it is."""
    values: dict[str, Any] = {
        "shown": sorted({author_id, *mention_ids}),
        "author": author_id,
        "now": _now(),
    }
    if language:
        values["language"] = language
    if original_author is not None:
        values["original"] = original_author
    return _hiding_statement(bool(language), original_author is not None), values


@functools.cache
def _hiding_statement(language: bool, boost: bool) -> CompoundSelect[int]:
    """`hiding_query`'s statement, built once for each of its four forms: building such a
    statement anew for every status cost a consumer more than running it."""
    shown: BindParameter[int] = bindparam("shown", expanding=True)
    author: BindParameter[int] = bindparam("author")
    return union(
        select(Block.account_id).where(Block.target_account_id.in_(shown)),
        select(Mute.account_id).where(
            Mute.target_account_id.in_(shown),
            active_mute(bindparam("now", type_=UTCDateTime())),
        ),
        select(Block.target_account_id).where(Block.account_id == author),
        *(
            [
                select(Follow.account_id).where(
                    Follow.target_account_id == author,
                    other_languages(bindparam("language", type_=String)),
                )
            ]
            if language
            else []
        ),
        *(
            [
                select(Block.target_account_id).where(Block.account_id == bindparam("original")),
                select(Follow.account_id).where(
                    Follow.target_account_id == author, Follow.show_reblogs.is_(False)
                ),
            ]
            if boost
            else []
        ),
    )


def other_languages(language: Any, follow: type[Follow] | Any = Follow) -> ColumnElement[bool]:
    """The follow (`Follow`, or an alias of it) takes only languages other than `language`
    (a code, or the status's column), as Mastodon's follow option."""
    return follow.languages.is_not(None) & ("," + follow.languages + ",").not_like(
        "%," + language + ",%"
    )


async def home_guard(db: AsyncSession, viewer_id: int) -> dict[str, float]:
    """The authors hidden from the viewer's home, each with when that ends (epoch seconds,
    `inf` for a block or a mute without end): what `keys.home_hidden` holds."""
    inf = float("inf")
    guard: dict[str, float] = {}
    for (account_id,) in await db.execute(
        union(blocked_by_viewer(viewer_id), blocking_viewer(viewer_id))
    ):
        guard[str(account_id)] = inf
    for account_id, expires_at in await db.execute(
        select(Mute.target_account_id, Mute.expires_at).where(
            Mute.account_id == viewer_id, active_mute()
        )
    ):
        until = inf if expires_at is None else expires_at.timestamp()
        guard[str(account_id)] = max(guard.get(str(account_id), 0.0), until)
    return guard


async def silenced_pairs(
    db: AsyncSession, pairs: Collection[tuple[int, int]]
) -> set[tuple[int, int]]:
    """Of (recipient, sender) pairs, those whose notifications are silenced: a block either
    way, or a mute of the sender with `notifications` (one query)."""
    if not pairs:
        return set()
    recipients = {r for r, _ in pairs}
    senders = {s for _, s in pairs}
    query = union(
        select(Block.account_id, Block.target_account_id).where(
            Block.account_id.in_(recipients), Block.target_account_id.in_(senders)
        ),
        select(Block.target_account_id, Block.account_id).where(
            Block.target_account_id.in_(recipients), Block.account_id.in_(senders)
        ),
        select(Mute.account_id, Mute.target_account_id).where(
            Mute.account_id.in_(recipients),
            Mute.target_account_id.in_(senders),
            Mute.hide_notifications.is_(True),
            active_mute(),
        ),
    )
    found = {(r, s) for r, s in await db.execute(query)}
    return found & set(pairs)
