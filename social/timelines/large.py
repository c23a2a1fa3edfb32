"""Bounded fan-out: an author with more followers than `fanout_push_max` is not pushed into
every follower's feed. Their statuses (and boosts) go to one recent set of theirs
(`author_recent`); each home keeps, beside its feed, the large authors it follows with that
follow's options (`home_large`); a home read merges the two (`merge_page`) with the rules a
pushed entry met at fan-out: the hidden guard (the author, the accounts it mentions, a boost's
original author), the follow's `reblogs` and `languages`, and a reply to someone else only
for who follows them too (the one rule the read cannot settle from Redis alone when that
someone is not a large author: `settle_replies` asks the database, only then).

On one Redis node the feed script reads the recent sets too (one round trip); under Redis
Cluster they sit in other slots, so the client reads them in a pipeline after the script.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from redis.asyncio.cluster import RedisCluster
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from social.lists.exclusive import exclusive_readers
from social.platform.context import AppContext
from social.platform.db.models import Account, Follow, Mention, Status
from social.platform.paging import PageQuery
from social.statuses.audience import followed_among, followers, large_followed_query

SENTINEL = "0"
BATCH = 500

PageEntry = Sequence[int]


@dataclass(frozen=True, slots=True)
class Recent:
    """One member of an author's recent set (`member()`; `merge_page` splits it alike)."""

    status_id: int
    author_id: int
    original_author: int  # 0: not a boost
    replied_to: int  # 0: not a reply
    language: str
    hidden_with: tuple[int, ...]

    def member(self) -> str:
        hidden = ",".join(map(str, self.hidden_with))
        return (
            f"{self.status_id}:{self.author_id}:{self.original_author}:{self.replied_to}:"
            f"{self.language}:{hidden}"
        )


def options(show_reblogs: bool, languages: str | None) -> str:
    """A follow's options as `home_large` holds them."""
    return f"{1 if show_reblogs else 0}|{languages or ''}"


def recent(
    status_id: int,
    author_id: int,
    *,
    original_author: int | None,
    replied_to: int | None,
    language: str | None,
    hidden_with: Iterable[int],
) -> Recent:
    return Recent(
        status_id,
        author_id,
        original_author or 0,
        replied_to or 0,
        language or "",
        tuple(hidden_with),
    )


async def is_large(ctx: AppContext, author_id: int) -> bool:
    async with ctx.reads() as db:
        count = await db.scalar(select(Account.followers_count).where(Account.id == author_id))
    return (count or 0) > ctx.settings.fanout_push_max


async def was_large(ctx: AppContext, author_id: int) -> bool:
    """`is_large`, as known up to `memo.MEMO_TTL_S` ago: for a choice between two ways to the
    same result (the `streaming` group's followers among the watchers, or every follower's
    watched channel), where a moment's staleness costs time, never a delivery."""
    key = ("is_large", author_id)
    known: bool | None = ctx.memo.get(key)
    if known is None:
        known = await is_large(ctx, author_id)
        ctx.memo.put(key, known)
    return known


async def has_recent_set(ctx: AppContext, author_id: int) -> bool:
    return await ctx.redis.zscore(ctx.keys.author_recent(author_id), SENTINEL) is not None


async def add_recent(ctx: AppContext, entry: Recent) -> None:
    await _keep_recent(ctx, entry.author_id, {entry.member(): entry.status_id})


async def _keep_recent(ctx: AppContext, author_id: int, members: dict[str, int]) -> None:
    """Members into the author's recent set, capped as a feed (the sentinel, rank 0, stays)."""
    key = ctx.keys.author_recent(author_id)
    async with ctx.redis.pipeline(transaction=True) as pipe:
        pipe.zadd(key, members)
        pipe.zremrangebyrank(key, 1, -(ctx.settings.home_feed_max + 1))
        await pipe.execute()


async def remove_recent(ctx: AppContext, author_id: int, status_id: int) -> None:
    await ctx.redis.zremrangebyscore(ctx.keys.author_recent(author_id), status_id, status_id)


async def recent_from_db(ctx: AppContext, author_id: int) -> list[Recent]:
    """The author's newest statuses that reach followers (not direct), as the set holds them."""
    async with ctx.db() as db:
        rows = (
            await db.execute(
                select(
                    Status.id,
                    Status.reblog_of_id,
                    Status.in_reply_to_account_id,
                    Status.language,
                )
                .where(Status.account_id == author_id, Status.visibility != "direct")
                .order_by(Status.id.desc())
                .limit(ctx.settings.home_feed_max)
            )
        ).all()
        originals = {r[1] for r in rows if r[1] is not None}
        authors: dict[int, int] = {}
        if originals:
            query = select(Status.id, Status.account_id).where(Status.id.in_(originals))
            authors = {i: a for i, a in await db.execute(query)}  # noqa: C416
        about = [r[1] if r[1] is not None else r[0] for r in rows]
        mentions: dict[int, list[int]] = {}
        if about:
            query = select(Mention.status_id, Mention.account_id).where(
                Mention.status_id.in_(about)
            )
            for status_id, account_id in await db.execute(query):
                mentions.setdefault(status_id, []).append(account_id)
    out = []
    for status_id, original, replied_to, language in rows:
        if original is not None and original not in authors:
            continue  # the original is gone
        original_author = authors[original] if original is not None else None
        hidden = [original_author] if original_author is not None else []
        hidden += sorted(mentions.get(original if original is not None else status_id, []))
        out.append(
            recent(
                status_id,
                author_id,
                original_author=original_author,
                replied_to=replied_to,
                language=language,
                hidden_with=hidden,
            )
        )
    return out


async def fill_recent(ctx: AppContext, author_id: int) -> None:
    """The author's recent set from the database (when they became large, or after Redis lost
    it), then the author into every follower's `home_large`: from now on their homes merge
    it. Pushed entries of theirs already in a feed stay (a read keeps one of each status)."""
    entries = await recent_from_db(ctx, author_id)
    await _keep_recent(ctx, author_id, {SENTINEL: 0, **{e.member(): e.status_id for e in entries}})
    async with ctx.reads() as db:
        excluded = await exclusive_readers(db, author_id)
    async for batch in followers(ctx, author_id):
        readers = [r for r in batch if r not in excluded]
        await register(ctx, readers, author_id)


async def register(ctx: AppContext, readers: Sequence[int], author_id: int) -> None:
    """`author_id` into the `home_large` of `readers` (their follows' options read here)."""
    if not readers:
        return
    from social.timelines.service import FEED_TTL_S

    async with ctx.reads() as db:
        rows = (
            await db.execute(
                select(Follow.account_id, Follow.show_reblogs, Follow.languages).where(
                    Follow.target_account_id == author_id, Follow.account_id.in_(readers)
                )
            )
        ).all()
    for start in range(0, len(rows), BATCH):
        async with ctx.redis.pipeline(transaction=False) as pipe:
            for reader, show_reblogs, languages in rows[start : start + BATCH]:
                key = ctx.keys.home_large(reader)
                pipe.hset(key, str(author_id), options(show_reblogs, languages))
                pipe.expire(key, FEED_TTL_S)
            await pipe.execute()


async def unregister(ctx: AppContext, readers: Sequence[int], author_id: int) -> None:
    for start in range(0, len(readers), BATCH):
        async with ctx.redis.pipeline(transaction=False) as pipe:
            for reader in readers[start : start + BATCH]:
                pipe.hdel(ctx.keys.home_large(reader), str(author_id))
            await pipe.execute()


async def drain_recent(ctx: AppContext, author_id: int) -> None:
    """The author fell to `fanout_push_max` or below: pushes resume. Their recent statuses
    are first merged into each follower's feed (by the rule of a rebuild), then the homes stop
    merging them, then the set goes: no read meanwhile misses one."""
    from social.timelines.service import merge_author

    async for batch in followers(ctx, author_id):
        for reader in batch:
            await merge_author(ctx, reader, author_id)
        await unregister(ctx, batch, author_id)
    await ctx.redis.delete(ctx.keys.author_recent(author_id))


async def large_of(db: AsyncSession, reader: int, push_max: int) -> dict[str, str]:
    """`home_large` for a rebuild: the large authors the reader follows (none held in an
    exclusive list of theirs), with the follow's options."""
    rows = (await db.execute(large_followed_query(reader, push_max))).all()
    return {str(a): options(r, langs) for a, r, langs in rows}


def page_bounds(page: PageQuery) -> tuple[str, str, bool]:
    """(high, low, oldest first) of a page, as the feed script takes them."""
    high = f"({page.max_id}" if page.max_id else "+inf"
    if page.min_id is not None:
        return high, f"({page.min_id}", True
    return high, f"({page.since_id}" if page.since_id else f"({SENTINEL}", False


async def read_sets(
    ctx: AppContext, large: Sequence[Any], hidden: Sequence[Any], page: PageQuery
) -> list[Any]:
    """Under Redis Cluster, what the feed script reads on one node: the first 2 x limit of
    the members in the page's window of the large authors not hidden, in the page's order
    (one pipeline after the script: the sets sit in other slots than the feed)."""
    high, low, oldest = page_bounds(page)
    wanted = 2 * page.limit
    now_s = time.time()
    hidden_until = {int(a): float(s) for a, s in _pairs(hidden)}
    authors = [int(a) for a, _ in _pairs(large) if hidden_until.get(int(a), 0.0) <= now_s]
    async with ctx.redis.pipeline(transaction=False) as pipe:
        for author in authors:
            key = ctx.keys.author_recent(author)
            if oldest:
                pipe.zrangebyscore(key, low, high, start=0, num=wanted)
            else:
                pipe.zrevrangebyscore(key, high, low, start=0, num=wanted)
        found = [m for members in await pipe.execute() for m in members]
    found.sort(key=_status_of, reverse=not oldest)
    return found[:wanted]


def reads_sets_in_script(ctx: AppContext) -> bool:
    return not isinstance(ctx.redis, RedisCluster)


def _pairs(flat: Sequence[Any]) -> Iterable[tuple[Any, Any]]:
    return zip(flat[0::2], flat[1::2], strict=True)


def merge_page(
    reader: int,
    pushed: list[PageEntry],
    large: Sequence[Any],
    hidden: Sequence[Any],
    found: Sequence[Any],
    *,
    limit: int,
    oldest: bool,
    now_s: float,
) -> tuple[list[PageEntry], dict[int, int]]:
    """The page from the pushed entries and the large authors' members found (the feed
    script's, or `read_sets'`), both in the page's order already: up to `limit` entries, plus
    the replies to someone else among them (returned with whom they answer) that
    `settle_replies` keeps or drops. The two are merged as the page reaches them, and a
    member is parsed only then: most are never needed."""
    follows = {int(a): _Options.of(o) for a, o in _pairs(large)}
    hidden_until = {int(a): float(s) for a, s in _pairs(hidden)}
    hiding = {a for a, until in hidden_until.items() if until > now_s}
    seen: set[int] = set()
    out: list[PageEntry] = []
    unsure_of: dict[int, int] = {}
    sure = i = j = 0
    while sure < limit:
        head = _status_of(found[j]) if j < len(found) else None
        if i < len(pushed) and (head is None or (pushed[i][0] < head) == oldest):
            status_id, author = int(pushed[i][0]), int(pushed[i][1])
            i += 1
            replied = 0
        elif head is not None:
            status_id, parts = head, found[j].split(b":", 5)
            j += 1
            author, replied = int(parts[1]), int(parts[3])
            if author in hiding or not follows[author].shows(
                int(parts[2]), parts[4], hiding, parts[5]
            ):
                continue
            if replied in (author, reader) or replied in follows:
                replied = 0  # a reply to the author, the reader or a large follow: known here
        else:
            break
        if status_id in seen:
            continue
        seen.add(status_id)
        out.append((status_id, author))
        if replied:
            unsure_of[status_id] = replied  # whether the reader follows them: the database's
        else:
            sure += 1
    return out, unsure_of


@dataclass(frozen=True, slots=True)
class _Options:
    """A large follow's options, as the merge applies them to that author's members."""

    reblogs: bool
    languages: frozenset[bytes]

    @classmethod
    def of(cls, raw: bytes | str) -> _Options:
        text = raw.decode() if isinstance(raw, bytes) else raw
        reblogs, _, langs = text.partition("|")
        return cls(reblogs != "0", frozenset(lang.encode() for lang in langs.split(",") if lang))

    def shows(self, original: int, language: bytes, hiding: set[int], hidden: bytes) -> bool:
        """What a push would have let in: the author is checked by the caller."""
        if original and (not self.reblogs or original in hiding):
            return False
        if self.languages and language and language not in self.languages:
            return False
        return not hidden or not any(int(h) in hiding for h in hidden.split(b","))


def _status_of(raw: bytes) -> int:
    return int(raw[: raw.index(b":")])


async def settle_replies(
    ctx: AppContext, reader: int, entries: list[PageEntry], unsure_of: dict[int, int], limit: int
) -> list[PageEntry]:
    """Drop the merged replies to accounts the reader does not follow (a database query, only
    for a page holding such a reply: Redis knows the reader's large follows only)."""
    if unsure_of:
        async with ctx.db() as db:
            followed = await followed_among(db, reader, set(unsure_of.values()))
        entries = [e for e in entries if unsure_of.get(int(e[0]), 0) in followed | {0}]
    return entries[:limit]
