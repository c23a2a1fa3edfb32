"""The prefix index of accounts and hashtags in Redis: one sorted set per kind, every score 0,
members `<term>\\x00<id>`, so ZRANGEBYLEX finds the ids whose term begins with a prefix.

Terms are normalised as `normalise` says (compatibility forms, no accents, case folded). An
account's terms are its username, its display name, and each word of the display name; a
tag's, its name. The index only proposes: every candidate is checked against the database
(suspended, blocks, the terms of its current row) before it is shown, so a member left behind
by a race costs a lookup, never a wrong answer.

Kept current after each commit that changes what it holds (sign-up, profile update,
suspension, tag creation). Lost (a flush, an eviction, a new Redis): the marker key is gone,
searches answer from the database, and one process rebuilds the index under a lock, then
sets the marker."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable, Sequence

from redis.exceptions import RedisError
from sqlalchemy import Select, select

from social.platform.context import AppContext
from social.platform.db.models import Account, Tag

ACCOUNTS = "accounts"
TAGS = "tags"
REBUILD_BATCH = 2000
REBUILD_LOCK_S = 300
SEP = "\x00"
WORD = re.compile(r"\w+")

log = logging.getLogger(__name__)


def normalise(text: str) -> str:
    """What a term and a prefix are compared as: NFKD without combining marks, case folded,
    spaces collapsed (`Zoë` and `zoe` are one term)."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def account_terms(username: str, display_name: str) -> set[str]:
    name = normalise(display_name)
    return {t for t in (normalise(username), name, *WORD.findall(name)) if t}


def matches(terms: Iterable[str], prefix: str) -> bool:
    return any(term.startswith(prefix) for term in terms)


def _members(terms: Iterable[str], item_id: int) -> list[str]:
    return [f"{term}{SEP}{item_id}" for term in terms]


async def index_account(
    ctx: AppContext, account: Account, previous_display_name: str | None = None
) -> None:
    """Put the account's current terms in the index (none when suspended), dropping those of
    `previous_display_name`. After the commit; a Redis failure leaves it for the rebuild."""
    key = ctx.keys.search_index(ACCOUNTS)
    current = set() if account.suspended else account_terms(account.username, account.display_name)
    stale = account_terms(account.username, previous_display_name or "") - current
    if account.suspended:
        stale |= account_terms(account.username, account.display_name)
    try:
        async with ctx.redis.pipeline(transaction=False) as pipe:
            if stale:
                pipe.zrem(key, *_members(stale, account.id))
            if current:
                pipe.zadd(key, dict.fromkeys(_members(current, account.id), 0))
            await pipe.execute()
    except RedisError as exc:
        _lost(exc)


async def index_tags(ctx: AppContext, tags: Sequence[Tag]) -> None:
    """Put new tags in the index (after the commit that created them)."""
    if not tags:
        return
    members = {m: 0 for t in tags for m in _members([normalise(t.name)], t.id)}
    try:
        await ctx.redis.zadd(ctx.keys.search_index(TAGS), members)
    except RedisError as exc:
        _lost(exc)


def _lost(exc: RedisError) -> None:
    log.warning("search index write failed (%s); the next rebuild restores it", type(exc).__name__)


def _id_of(member: bytes | str) -> int:
    raw = member.decode() if isinstance(member, bytes) else member
    return int(raw.rpartition(SEP)[2])


async def candidates(ctx: AppContext, kind: str, prefix: str, count: int) -> list[int] | None:
    """The ids of up to `count` items with a term beginning with `prefix`, in the terms'
    order (one round trip: the marker and the range). None when the index is not whole: the
    caller asks the database, and a rebuild is started."""
    key = ctx.keys.search_index(kind)
    try:
        async with ctx.redis.pipeline(transaction=False) as pipe:
            pipe.exists(ctx.keys.search_index_ready())
            # every member of a term starting with `prefix` sorts between these two
            pipe.zrangebylex(key, f"[{prefix}", f"[{prefix}\U0010ffff", start=0, num=count * 3)
            ready, members = await pipe.execute()
    except RedisError as exc:
        _lost(exc)
        return None
    if not ready:
        ctx.spawn(rebuild(ctx))
        return None
    return list(dict.fromkeys(_id_of(m) for m in members))[:count]


async def rebuild(ctx: AppContext) -> bool:
    """Fill both indexes from the database, then set the marker; one process at a time (the
    lock). Returns whether this call rebuilt them."""
    lock = ctx.keys.search_index_rebuild_lock()
    try:
        if not await ctx.redis.set(lock, "1", nx=True, ex=REBUILD_LOCK_S):
            return False
        await _fill(ctx, ACCOUNTS)
        await _fill(ctx, TAGS)
        await ctx.redis.set(ctx.keys.search_index_ready(), "1")
        await ctx.redis.delete(lock)
    except RedisError as exc:
        _lost(exc)
        return False
    return True


async def _fill(ctx: AppContext, kind: str) -> None:
    key = ctx.keys.search_index(kind)
    after = 0
    while True:
        async with ctx.db() as db:
            rows = (await db.execute(_batch(kind, after))).all()
        if not rows:
            return
        members: dict[str, float] = {}
        for item_id, first, second in rows:
            terms = account_terms(first, second) if kind == ACCOUNTS else {normalise(first)}
            members.update(dict.fromkeys(_members(terms, item_id), 0))
        await ctx.redis.zadd(key, members)
        after = rows[-1][0]


def _batch(kind: str, after: int) -> Select[int, str, str]:
    """The next rows to index: (id, username, display name) or (id, name, name)."""
    if kind == ACCOUNTS:
        query = select(Account.id, Account.username, Account.display_name).where(
            Account.id > after, Account.suspended.is_(False)
        )
        return query.order_by(Account.id).limit(REBUILD_BATCH)
    tags = select(Tag.id, Tag.name, Tag.name).where(Tag.id > after)
    return tags.order_by(Tag.id).limit(REBUILD_BATCH)
