"""Search, as Mastodon's SearchService: accounts and hashtags by prefix (the Redis index,
checked against the database), statuses by their words (the database's full-text index),
a URL of this server resolved to its status or profile.

What each kind of query searches (Mastodon's rules): one beginning with `#` no accounts;
one with `@` no hashtags; one of a single word beginning with `#` or holding `@` (`#tag`,
`@name`, `name@domain`) no statuses; one with `@` and a space no accounts. Statuses only for
the signed-in.

Accounts are ranked: the exact username first, then those the viewer follows, then by
followers, then by username; among the `POOL` first matches in the index's order (and every
followed match). Neither blocked nor blocking accounts, nor suspended ones, are found.
Hashtags: the exact name first, then shorter names first, then by name; with
`exclude_unreviewed` only those an admin reviewed, and the exact name.

A status is found (Mastodon's StatusesSearchService) when the viewer wrote it, is mentioned
in it, favourited, bookmarked or boosted it, or it is public and its author `indexable`; and
only when the viewer may see it now (its visibility, `shown_to`): never a boost itself,
newest first."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from sqlalchemy import ColumnElement, and_, exists, func, literal, or_, select, text
from sqlalchemy.orm import InstrumentedAttribute, aliased
from sqlalchemy.sql.selectable import ScalarSelect

from social.accounts.service import find_by_acct
from social.platform.context import AppContext
from social.platform.db.models import Account, Bookmark, Favourite, Follow, Mention, Status, Tag
from social.relations.hidden import blocked_by_viewer, blocking_viewer, shown_to
from social.search import fulltext, index
from social.statuses.audience import OPEN
from social.trends.service import trend_store
from trending import Review

POOL = 200
POOL_MAX = 1000
KINDS = ("accounts", "hashtags", "statuses")


@dataclass(frozen=True)
class Query:
    q: str
    type: str | None = None
    resolve: bool = False
    following: bool = False
    account_id: int | None = None
    exclude_unreviewed: bool = False
    min_id: int | None = None
    max_id: int | None = None
    limit: int = 20
    offset: int = 0


@dataclass
class Results:
    accounts: list[int] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    hashtags: list[Tag] = field(default_factory=list)


async def search(ctx: AppContext, viewer_id: int | None, query: Query) -> Results:
    q = query.q.strip()
    results = Results()
    if not q or query.limit == 0:
        return results
    wanted = set(KINDS) if query.type is None else {query.type}
    # Mastodon pages only within one kind: without a type the offset is ignored
    offset = query.offset if query.type is not None else 0
    if query.resolve and re.match(r"https?://", q):
        if offset == 0:
            await _resolve_url(ctx, viewer_id, q, wanted, results)
        return results
    tagged = q.startswith("#")
    one_name = (tagged or "@" in q) and " " not in q  # `#tag`, `@name`: no full text
    if "accounts" in wanted and not tagged and not ("@" in q and " " in q):
        results.accounts = await search_accounts(
            ctx, viewer_id, q, limit=query.limit, offset=offset, following=query.following
        )
    if "hashtags" in wanted and "@" not in q:
        results.hashtags = await search_tags(
            ctx, q, limit=query.limit, offset=offset, exclude_unreviewed=query.exclude_unreviewed
        )
    if "statuses" in wanted and viewer_id is not None and not one_name:
        results.statuses = await search_statuses(ctx, viewer_id, query, offset)
    return results


async def _resolve_url(
    ctx: AppContext, viewer_id: int | None, url: str, wanted: set[str], results: Results
) -> None:
    """A URL of this server: its status (`/@name/<id>`, `/users/name/statuses/<id>`) or
    profile (`/@name`, `/users/name`). Another server's: nothing (no federation here)."""
    base = urlsplit(ctx.settings.base_url)
    parts = urlsplit(url)
    if (parts.scheme, parts.netloc.lower()) != (base.scheme, base.netloc.lower()):
        return
    path = parts.path.rstrip("/")
    found = re.fullmatch(r"/@(\w+)/(\d{1,19})|/users/(\w+)/statuses/(\d{1,19})", path)
    if found:
        if "statuses" in wanted:
            status_id = int(found[2] or found[4])
            results.statuses = [status_id]  # the renderer leaves it out if not visible
        return
    profile = re.fullmatch(r"/@(\w+)|/users/(\w+)", path)
    if profile and "accounts" in wanted:
        account_id = await find_by_acct(ctx, profile[1] or profile[2])
        if account_id is not None:
            results.accounts = await _visible_accounts(ctx, viewer_id, [account_id])


def _like(prefix: str) -> str:
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _not_blocked(viewer_id: int | None) -> ColumnElement[bool]:
    if viewer_id is None:
        return Account.suspended.is_(False)
    return and_(
        Account.suspended.is_(False),
        Account.id.not_in(blocked_by_viewer(viewer_id)),
        Account.id.not_in(blocking_viewer(viewer_id)),
    )


async def _visible_accounts(ctx: AppContext, viewer_id: int | None, ids: list[int]) -> list[int]:
    async with ctx.db() as db:
        query = select(Account.id).where(Account.id.in_(ids), _not_blocked(viewer_id))
        return list((await db.execute(query)).scalars())


def _name_like(prefix: str) -> ColumnElement[bool]:
    like = _like(prefix)
    return or_(
        func.lower(Account.username).like(like, escape="\\"),
        func.lower(Account.display_name).like(like, escape="\\"),
        func.lower(Account.display_name).like("% " + like, escape="\\"),
    )


async def search_accounts(
    ctx: AppContext,
    viewer_id: int | None,
    q: str,
    *,
    limit: int,
    offset: int = 0,
    following: bool = False,
) -> list[int]:
    """Account ids for `q` (`name`, `@name`, `name@this.domain`, words of a display name)."""
    username, _, domain = q.strip().removeprefix("@").partition("@")
    if domain and domain.lower() != ctx.settings.domain.lower():
        return []  # another server's account: not resolvable here
    prefix = index.normalise(username)
    if not prefix:
        return []
    pool = min(max(POOL, offset + limit), POOL_MAX)
    ids = await index.candidates(ctx, index.ACCOUNTS, prefix, pool)
    followed = (
        exists().where(Follow.account_id == viewer_id, Follow.target_account_id == Account.id)
        if viewer_id is not None
        else literal(False)
    )
    async with ctx.db() as db:
        extra: list[int] = []
        if viewer_id is not None:  # the followed matches the pool may have missed
            mine = (
                select(Follow.target_account_id)
                .join(Account, Account.id == Follow.target_account_id)
                .where(Follow.account_id == viewer_id, _name_like(prefix))
                .limit(pool)
            )
            extra = list((await db.execute(mine)).scalars())
        found: ColumnElement[bool] = Account.id.in_([*(ids or []), *extra])
        if ids is None:  # the index is being rebuilt: the database finds them (slower)
            found = or_(found, _name_like(prefix))
        if following:
            found = and_(found, followed)
        query = (
            select(
                Account.id,
                Account.username,
                Account.display_name,
                Account.followers_count,
                followed.label("followed"),
            )
            .where(found, _not_blocked(viewer_id))
            .order_by(Account.username)
            .limit(pool * 2)
        )
        rows = (await db.execute(query)).all()
    matching = [r for r in rows if index.matches(index.account_terms(r[1], r[2]), prefix)]
    matching.sort(key=lambda r: (index.normalise(r[1]) != prefix, not r[4], -r[3], r[1].lower()))
    return [r[0] for r in matching[offset : offset + limit]]


async def search_tags(
    ctx: AppContext, q: str, *, limit: int, offset: int = 0, exclude_unreviewed: bool = False
) -> list[Tag]:
    prefix = index.normalise(q.strip().removeprefix("#"))
    if not prefix or not re.fullmatch(r"\w+", prefix):
        return []
    pool = min(max(POOL, offset + limit), POOL_MAX)
    ids = await index.candidates(ctx, index.TAGS, prefix, pool)
    found = Tag.name.like(_like(prefix), escape="\\") if ids is None else Tag.id.in_(ids)
    async with ctx.db() as db:
        tags = list((await db.execute(select(Tag).where(found).limit(pool * 2))).scalars())
    tags = [t for t in tags if index.normalise(t.name).startswith(prefix)]
    tags.sort(key=lambda t: (index.normalise(t.name) != prefix, len(t.name), t.name))
    if exclude_unreviewed and tags:
        with trend_store():
            states = await ctx.trends.review_states([t.name for t in tags])
        # as Mastodon's `Tag.search_for`: the exact name stays, reviewed or not
        tags = [
            t
            for t in tags
            if states.get(t.name, Review.PENDING) is not Review.PENDING
            or index.normalise(t.name) == prefix
        ]
    return tags[offset : offset + limit]


def findable_by(viewer_id: int) -> ColumnElement[bool]:
    """The statuses full-text search may return to the viewer (Mastodon's `searchable_by`
    and its public opt-in), restricted to what the viewer may see now."""
    mentioned = select(Mention.status_id).where(Mention.account_id == viewer_id)
    boost = aliased(Status)
    reached = or_(
        Status.account_id == viewer_id,
        Status.id.in_(mentioned),
        Status.id.in_(select(Favourite.status_id).where(Favourite.account_id == viewer_id)),
        Status.id.in_(select(Bookmark.status_id).where(Bookmark.account_id == viewer_id)),
        Status.id.in_(select(boost.reblog_of_id).where(boost.account_id == viewer_id)),
        (Status.visibility == "public") & _author(Account.indexable).is_(True),
    )
    followed = select(Follow.target_account_id).where(Follow.account_id == viewer_id)
    visible = or_(
        Status.visibility.in_(OPEN),
        Status.account_id == viewer_id,
        Status.id.in_(mentioned),
        (Status.visibility == "private") & Status.account_id.in_(followed),
    )
    return and_(reached, visible, _author(Account.suspended).is_(False), shown_to(viewer_id))


def _author(column: InstrumentedAttribute[bool]) -> ScalarSelect[bool]:
    """A flag of the status's author, looked up by primary key for each hit: the planner
    cannot turn a correlated scalar subquery into a join, which would hash every account."""
    return select(column).where(Account.id == Status.account_id).scalar_subquery()


async def search_statuses(ctx: AppContext, viewer_id: int, query: Query, offset: int) -> list[int]:
    dialect = ctx.engine.dialect.name
    words = fulltext.matching(dialect, query.q)
    if words is None:
        return []
    conditions = [words, findable_by(viewer_id)]
    if query.account_id is not None:
        conditions.append(Status.account_id == query.account_id)
    if query.min_id is not None:
        conditions.append(Status.id > query.min_id)
    if query.max_id is not None:
        conditions.append(Status.id < query.max_id)
    statement = (
        select(Status.id)
        .where(*conditions)
        .order_by(Status.id.desc())
        .offset(offset)
        .limit(query.limit)
    )
    async with ctx.db() as db:
        if dialect == "postgresql":
            # The planner costs every hit's checks by its guess of the hits (thousands for
            # a word it has no statistics of) and would compile the query (JIT: seconds)
            await db.execute(text("SET LOCAL jit = off"))
        return list((await db.execute(statement)).scalars())
