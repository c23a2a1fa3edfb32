"""Trending tags: reading the trend engine and the tags table, and an admin's review."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator, Sequence
from typing import Any

import orjson
from redis.exceptions import RedisError
from sqlalchemy import select

from social.platform.context import AppContext
from social.platform.db.models import Tag
from social.platform.errors import NotFound, Unavailable
from social.statuses import marks
from social.tags.service import following_among
from social.trends.render import AdminTag, TagEntity, render_admin_tag, render_tag
from trending import History, Review, Trend, TrendStoreError

log = logging.getLogger(__name__)

PAGE_TTL_S = 60
"""How long a rendered page of public trends is served before it is read again from the
trend engine (Mastodon refreshes its trends every few minutes); a review drops it at once."""


@contextlib.contextmanager
def trend_store() -> Iterator[None]:
    """The trend store failing is an outage: 503 with Retry-After."""
    try:
        yield
    except TrendStoreError:
        raise Unavailable() from None


async def histories(ctx: AppContext, names: Sequence[str]) -> dict[str, History]:
    # One round trip per tag, issued concurrently: the engine reads one tag's history at a time.
    with trend_store():
        found = await asyncio.gather(*(ctx.trends.history(name) for name in names))
    return {h.tag: h for h in found}


async def tag_entities(
    ctx: AppContext, tags: Sequence[Tag], following: set[int]
) -> list[TagEntity]:
    """Tag entities with their histories (one round trip a tag, concurrently), `following`
    where the tag's id is in `following`."""
    history = await histories(ctx, [t.name for t in tags])
    rendered = []
    for tag in tags:
        entity = render_tag(ctx, tag, history[tag.name])
        entity.following = tag.id in following
        rendered.append(entity)
    return rendered


async def tags_named(ctx: AppContext, names: Sequence[str]) -> dict[str, Tag]:
    if not names:
        return {}
    async with ctx.db() as db:
        rows = (await db.execute(select(Tag).where(Tag.name.in_(names)))).scalars()
        return {tag.name: tag for tag in rows}


async def trending_page(
    ctx: AppContext, limit: int, offset: int, viewer: int | None
) -> list[dict[str, Any]]:
    """A page of public trends as `viewer` sees it: one Redis round trip for the rendered page
    (kept for `PAGE_TTL_S`; all pages expire together, from the first one written) and the
    tags the viewer follows (their set, filled from the database when not complete)."""
    key, field = ctx.keys.trend_pages(), f"{offset}:{limit}"
    replies: list[Any] = [None, None]
    try:
        async with ctx.redis.pipeline(transaction=False) as pipe:
            pipe.hget(key, field)
            if viewer is not None:
                pipe.smembers(ctx.keys.followed_tags(viewer))
            answers = await pipe.execute()
        replies[: len(answers)] = answers
    except RedisError as exc:
        ctx.metrics.redis_errors.labels("trends.page").inc()
        log.warning("reading the trends page failed: %r", exc)
    kept, followed = replies
    page: list[dict[str, Any]] = (
        orjson.loads(kept) if kept is not None else await _render_page(ctx, limit, offset)
    )
    if viewer is None or not page:
        return page
    ids = {int(m) for m in followed or ()}
    if int(marks.COMPLETE) not in ids:
        ids = await following_among(ctx, viewer, [int(t["id"]) for t in page])
        ctx.spawn(marks.fill(ctx, viewer, [marks.FOLLOWED_TAGS]))
    return [{**t, "following": int(t["id"]) in ids} for t in page]


async def _render_page(ctx: AppContext, limit: int, offset: int) -> list[dict[str, Any]]:
    with trend_store():
        trends = await ctx.trends.top(limit, offset=offset)
    names = [t.tag for t in trends]
    rows, history = await tags_named(ctx, names), await histories(ctx, names)
    page = [render_tag(ctx, rows[n], history[n]).model_dump() for n in names if n in rows]
    key = ctx.keys.trend_pages()
    try:
        async with ctx.redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, f"{offset}:{limit}", orjson.dumps(page))
            pipe.expire(key, PAGE_TTL_S, nx=True)
            await pipe.execute()
    except RedisError as exc:
        log.warning("keeping the trends page failed: %r", exc)
    return page


async def admin_tags(ctx: AppContext, trends: list[Trend]) -> list[AdminTag]:
    names = [t.tag for t in trends]
    rows, history = await tags_named(ctx, names), await histories(ctx, names)
    return [render_admin_tag(ctx, rows[t.tag], t, history[t.tag]) for t in trends if t.tag in rows]


async def review_tag(ctx: AppContext, tag_id: int, state: Review) -> AdminTag:
    """Approve or reject the tag with this `tags` id; 404 when there is none."""
    async with ctx.db() as db:
        tag = await db.get(Tag, tag_id)
    if tag is None:
        raise NotFound()
    with trend_store():
        await ctx.trends.set_review(tag.name, state)
        await ctx.redis.delete(ctx.keys.trend_pages())  # the public pages as they were
        trend = await ctx.trends.trend(tag.name)
        history = await ctx.trends.history(tag.name)
    return render_admin_tag(ctx, tag, trend, history)
