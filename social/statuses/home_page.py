"""A page of one reader's home from the database, read source by source, each by its index.

The home's statuses come from four sources: the reader's own, those of the accounts they
follow, direct ones that mention them, and public ones carrying a tag they follow
(`audience.home_query` is the same rule as one condition). One condition over `statuses`
ordered by id makes the database walk the table's newest rows back, testing each, until a
page is found: a reader whose follows post rarely costs a walk through everyone else's
statuses, so the read grows with the instance, not with the reader.

Here each source is its own query, bounded by the page's cursors, ordered by the id its
index holds and limited to the page; their union, ordered and limited once more, is the
page. On PostgreSQL the followed accounts and the followed tags are each read by a `LATERAL`
join, an index scan an account (a tag) that stops at the page's size: the cost is the
reader's follows times the page, whatever the size of the table. SQLite has no `LATERAL`: it
reads the followed accounts' statuses by the author index (`IN`), sorted, which grows with
what those accounts wrote, not with the table.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, select, true, union
from sqlalchemy.orm import aliased

from social.lists.exclusive import exclusive_authors
from social.platform.db.models import Follow, Mention, Status, StatusTag, TagFollow
from social.platform.paging import PageQuery
from social.relations.hidden import shown_to
from social.statuses.audience import followed_shows, following_query

Row3 = Select[int, int, int | None]


def home_page(account_id: int, page: PageQuery, *, lateral: bool) -> Row3:
    """(id, author, original of a boost) of the page of `account_id`'s home: newest first,
    or, after `min_id`, oldest first (the caller puts them back). `lateral`: the database
    has `LATERAL` joins (PostgreSQL)."""
    following = following_query(account_id)
    shown = shown_to(account_id)
    columns = (Status.id, Status.account_id, Status.reblog_of_id)

    def bounded(query: Row3, by: Any) -> Row3:
        if page.max_id is not None:
            query = query.where(by < page.max_id)
        for after in (page.since_id, page.min_id):
            if after is not None:
                query = query.where(by > after)
        order = by.asc() if page.min_id is not None else by.desc()
        return query.order_by(order).limit(page.limit)

    own = bounded(select(*columns).where(Status.account_id == account_id, shown), Status.id)
    mention = aliased(Mention, name="mentioned")  # not the one `shown` correlates to
    mentioned = bounded(
        select(*columns)
        .join(mention, mention.status_id == Status.id)
        .where(mention.account_id == account_id, Status.visibility == "direct", shown),
        mention.status_id,
    )
    public = (Status.visibility == "public", shown)
    if lateral:
        follow = aliased(Follow, name="followed")
        theirs = bounded(
            select(*columns)
            .where(
                Status.account_id == follow.target_account_id,
                followed_shows(account_id, following, follow),
                shown,
            )
            .correlate(follow),
            Status.id,
        ).lateral("theirs")
        followed = _for_each(
            follow,
            theirs,
            follow.account_id == account_id,
            follow.target_account_id.not_in(exclusive_authors(account_id)),
        )
        tag_follow = aliased(TagFollow, name="followed_tag")
        tagged = bounded(
            select(*columns)
            .join(StatusTag, StatusTag.status_id == Status.id)
            .where(StatusTag.tag_id == tag_follow.tag_id, *public)
            .correlate(tag_follow),
            StatusTag.status_id,
        ).lateral("tagged")
        by_tags = _for_each(tag_follow, tagged, tag_follow.account_id == account_id)
    else:
        followed = bounded(
            select(*columns).where(
                Status.account_id.in_(following),
                followed_shows(account_id, following, Follow),
                Status.account_id.not_in(exclusive_authors(account_id)),
                shown,
            ),
            Status.id,
        )
        tags = select(TagFollow.tag_id).where(TagFollow.account_id == account_id)
        by_tags = bounded(
            select(*columns)
            .join(StatusTag, StatusTag.status_id == Status.id)
            .where(StatusTag.tag_id.in_(tags), *public),
            StatusTag.status_id,
        )
    sources = [_rows(q) for q in (own, mentioned, followed, by_tags)]
    every = union(*sources).subquery("home")
    newest_first = page.min_id is None
    return (
        select(every.c.id, every.c.account_id, every.c.reblog_of_id)
        .order_by(every.c.id.desc() if newest_first else every.c.id.asc())
        .limit(page.limit)
    )


def _for_each(source: Any, rows: Any, *which: ColumnElement[bool]) -> Row3:
    """The `LATERAL` subquery `rows` for each of the `source` rows `which` selects."""
    return select(*rows.c).select_from(source).join(rows, true()).where(*which)


def _rows(query: Row3) -> Row3:
    """A source as a member of the union (SQLite takes no ORDER BY or LIMIT in one)."""
    inner = query.subquery()
    return select(inner.c.id, inner.c.account_id, inner.c.reblog_of_id)
