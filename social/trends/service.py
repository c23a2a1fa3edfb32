"""Trending tags: reading the trend engine and the tags table, and an admin's review."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator, Sequence

from sqlalchemy import select

from social.platform.context import AppContext
from social.platform.db.models import Tag
from social.platform.errors import NotFound, Unavailable
from social.trends.render import AdminTag, render_admin_tag
from trending import History, Review, Trend, TrendStoreError


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


async def tags_named(ctx: AppContext, names: Sequence[str]) -> dict[str, Tag]:
    if not names:
        return {}
    async with ctx.db() as db:
        rows = (await db.execute(select(Tag).where(Tag.name.in_(names)))).scalars()
        return {tag.name: tag for tag in rows}


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
        trend = await ctx.trends.trend(tag.name)
        history = await ctx.trends.history(tag.name)
    return render_admin_tag(ctx, tag, trend, history)
