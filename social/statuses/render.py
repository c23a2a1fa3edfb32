"""Status JSON: the viewer-independent part cached in Redis, accounts and the viewer's flags
added per request. Batch reads: one round trip for statuses, one for their accounts."""

from __future__ import annotations

import itertools
import logging
from collections import defaultdict
from typing import Any, NamedTuple

import orjson
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from social.accounts.render import accounts_json
from social.platform.cache import EntityCache, get_together
from social.platform.context import AppContext
from social.platform.db.models import Account, Favourite, Mention, Status, StatusTag, Tag
from social.platform.errors import NotFound
from social.statuses.audience import OPEN, filter_visible

log = logging.getLogger(__name__)


def iso(ts: Any) -> str:
    return str(ts.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts.microsecond // 1000:03d}Z")


class CachedStatus(NamedTuple):
    """What the status cache holds: who may see it, and its finished public JSON (everything
    but the account and the viewer's flags), so a timeline is spliced, not re-serialised.
    (A tuple: twenty are decoded a timeline page, and a frozen dataclass costs twice as much
    to build.)"""

    account_id: int
    mention_ids: tuple[int, ...]
    visibility: str
    public: bytes

    def encode(self) -> bytes:
        meta = orjson.dumps([self.account_id, list(self.mention_ids), self.visibility])
        return meta + b"\n" + self.public

    @classmethod
    def decode(cls, raw: bytes) -> CachedStatus:
        meta, _, public = raw.partition(b"\n")
        account_id, mention_ids, visibility = orjson.loads(meta)
        return cls(account_id, tuple(mention_ids), visibility, public)


def cached_form(
    status: Status, username: str, tags: list[Tag], mentioned: list[Account], base: str
) -> CachedStatus:
    public = {
        "id": str(status.id),
        "uri": f"{base}/users/{username}/statuses/{status.id}",
        "url": f"{base}/@{username}/{status.id}",
        "created_at": iso(status.created_at),
        "edited_at": iso(status.edited_at) if status.edited_at else None,
        "content": status.content,
        "visibility": status.visibility,
        "sensitive": status.sensitive,
        "spoiler_text": status.spoiler_text,
        "language": status.language,
        "in_reply_to_id": str(status.in_reply_to_id) if status.in_reply_to_id else None,
        "in_reply_to_account_id": str(status.in_reply_to_account_id)
        if status.in_reply_to_account_id
        else None,
        "reblog": None,
        "replies_count": status.replies_count,
        "reblogs_count": status.reblogs_count,
        "favourites_count": status.favourites_count,
        "media_attachments": [],
        "mentions": [
            {
                "id": str(a.id),
                "username": a.username,
                "url": f"{base}/@{a.username}",
                "acct": a.username,
            }
            for a in mentioned
        ],
        "tags": [{"name": t.name, "url": f"{base}/tags/{t.name}"} for t in tags],
        "emojis": [],
        "card": None,
        "poll": None,
    }
    return CachedStatus(
        status.account_id, tuple(a.id for a in mentioned), status.visibility, orjson.dumps(public)
    )


async def load_cached_forms(db: AsyncSession, ids: list[int], base: str) -> dict[int, bytes]:
    """Render statuses from the database: three queries whatever the number."""
    query = select(Status, Account.username).join(Account).where(Status.id.in_(ids))
    rows = [(status, username) for status, username in await db.execute(query)]
    if not rows:
        return {}
    found = [status.id for status, _ in rows]
    tags: dict[int, list[Tag]] = defaultdict(list)
    for status_id, tag in await db.execute(
        select(StatusTag.status_id, Tag).join(Tag).where(StatusTag.status_id.in_(found))
    ):
        tags[status_id].append(tag)
    mentioned: dict[int, list[Account]] = defaultdict(list)
    for status_id, account in await db.execute(
        select(Mention.status_id, Account).join(Account).where(Mention.status_id.in_(found))
    ):
        mentioned[status_id].append(account)
    return {
        s.id: cached_form(s, name, tags[s.id], mentioned[s.id], base).encode() for s, name in rows
    }


async def cached_statuses(
    ctx: AppContext, ids: list[int], *, cached: dict[int, bytes] | None = None
) -> dict[int, CachedStatus]:
    found = dict(cached) if cached is not None else await ctx.statuses.get_many(ids)
    missing = [i for i in ids if i not in found]
    if missing:
        async with ctx.db() as db:
            loaded = await load_cached_forms(db, missing, ctx.settings.base_url)
        await ctx.statuses.fill(loaded)
        found.update(loaded)
    return {i: CachedStatus.decode(raw) for i, raw in found.items()}


FAVOURITES_TTL_S = 3600
COMPLETE = "0"  # sentinel member: the set holds every favourite of the user


async def favourited_by(db: AsyncSession, viewer_id: int, status_ids: list[int]) -> set[int]:
    query = select(Favourite.status_id).where(
        Favourite.account_id == viewer_id, Favourite.status_id.in_(status_ids)
    )
    return set((await db.execute(query)).scalars())


async def rebuild_favourites(ctx: AppContext, viewer_id: int) -> None:
    """The viewer's favourited status ids into Redis, marked complete; best effort."""
    try:
        async with ctx.db() as db:
            ids = list(
                (
                    await db.execute(
                        select(Favourite.status_id).where(Favourite.account_id == viewer_id)
                    )
                ).scalars()
            )
        key = ctx.keys.favourites(viewer_id)
        async with ctx.redis.pipeline(transaction=True) as pipe:
            pipe.delete(key)
            pipe.sadd(key, COMPLETE, *[str(i) for i in ids])
            pipe.expire(key, FAVOURITES_TTL_S)
            await pipe.execute()
    except Exception as exc:
        log.warning("rebuilding favourites of %d failed: %r", viewer_id, exc)


def _favourite_flags(flags: list[bool] | None, ids: list[int]) -> set[int] | None:
    """From SMISMEMBER over [COMPLETE, *ids]: the favourited ids, or None if the set is not
    known to be complete (missing, expired, or Redis failed)."""
    if not flags or not flags[0]:
        return None
    return set(itertools.compress(ids, flags[1:]))


FLAGS_TAIL = b',"reblogged":false,"muted":false,"bookmarked":false,"pinned":false}'
ACCOUNT = b',"account":'
FAVOURITED = b',"favourited":true' + FLAGS_TAIL
NOT_FAVOURITED = b',"favourited":false' + FLAGS_TAIL
FLAGS = (NOT_FAVOURITED, FAVOURITED)  # by whether the viewer favourited it


async def render_raw(
    ctx: AppContext,
    ids: list[int],
    viewer_id: int | None,
    *,
    check_visibility: bool = True,
    authors: list[int] | None = None,
) -> list[bytes]:
    """Status entities (JSON) for `ids`, in that order, leaving out deleted and invisible
    ones. Given the `authors` too (home feeds know them), statuses, accounts and the viewer's
    favourites are read in one round trip; otherwise the accounts take a second."""
    if not ids:
        return []
    fav_query: tuple[str, list[str | int]] | None = None
    if viewer_id:
        fav_query = (ctx.keys.favourites(viewer_id), [COMPLETE, *ids])
    lookups: list[tuple[EntityCache, list[int]]] = [(ctx.statuses, ids)]
    if authors is not None:
        lookups.append((ctx.accounts, authors))
    found, flags = await get_together(lookups, members_of=fav_query)
    cached_accounts = found[1] if authors is not None else None
    favourites = _favourite_flags(flags, ids) if viewer_id else set()
    statuses: list[tuple[int, int, bytes]]  # id, author, public JSON without its last "}"
    if authors is not None and not check_visibility and len(found[0]) == len(set(ids)):
        # A home page, every status cached: the feed names the authors and chose what the
        # viewer sees when it was written, so only the JSON is needed, not the metadata.
        cached = found[0]
        cut = _public_head if ctx.near is not None and ctx.near.enabled else _cut_head
        accounts = cached_accounts
        if favourites is not None and accounts is not None and accounts.keys() >= set(authors):
            # and every account and flag known: spliced at once
            return [
                b"".join((cut(i, cached[i]), ACCOUNT, accounts[a], FLAGS[i in favourites]))
                for i, a in zip(ids, authors, strict=True)
            ]
        statuses = [(i, author, cut(i, cached[i])) for i, author in zip(ids, authors, strict=True)]
        author_ids: list[int] = authors
    else:
        by_id = await cached_statuses(ctx, ids, cached=found[0])
        visible = [(i, by_id[i]) for i in ids if i in by_id]
        if (
            check_visibility
            and visible
            and (viewer_id is not None or any(s.visibility not in OPEN for _, s in visible))
        ):
            async with ctx.db() as db:
                visible = await filter_visible(db, visible, viewer_id)
        statuses = [(i, s.account_id, s.public[:-1]) for i, s in visible]
        author_ids = list({author for _, author, _ in statuses})
    if favourites is None and viewer_id is not None:
        async with ctx.db() as db:
            favourites = await favourited_by(db, viewer_id, [i for i, _, _ in statuses])
        ctx.spawn(rebuild_favourites(ctx, viewer_id))
    accounts = await accounts_json(ctx, author_ids, cached=cached_accounts)
    liked = favourites or ()
    return [
        b"".join((head, ACCOUNT, account, FLAGS[status_id in liked]))
        for status_id, author, head in statuses
        if (account := accounts.get(author)) is not None  # else suspended or gone
    ]


_HEADS: dict[int, tuple[bytes, bytes]] = {}
HEADS_KEPT = 10_000


def _public_head(status_id: int, cached: bytes) -> bytes:
    """The public JSON of a cached status (`meta\\npublic`) without its closing brace, ready
    to splice. Cut once per cached value: the near cache hands out the same object on every
    read, so the cut is remembered with that very object (`is`: never a stale one) and only
    that object's reads skip the two copies. Cleared when `HEADS_KEPT` statuses are held."""
    entry = _HEADS.get(status_id)
    if entry is not None and entry[0] is cached:
        return entry[1]
    if len(_HEADS) >= HEADS_KEPT:
        _HEADS.clear()
    head = _cut_head(status_id, cached)
    _HEADS[status_id] = (cached, head)
    return head


def _cut_head(status_id: int, cached: bytes) -> bytes:
    return cached.partition(b"\n")[2][:-1]


async def render_statuses(
    ctx: AppContext, ids: list[int], viewer_id: int | None, **options: Any
) -> list[dict[str, Any]]:
    return [orjson.loads(raw) for raw in await render_raw(ctx, ids, viewer_id, **options)]


async def render_one(ctx: AppContext, status_id: int, viewer_id: int | None) -> dict[str, Any]:
    found = await render_statuses(ctx, [status_id], viewer_id)
    if not found:
        raise NotFound()
    return found[0]
