"""Trending tags (Mastodon): public trends, one tag, and the admin review of trends."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Iterator, Sequence
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from social.platform.context import AppContext
from social.platform.db.models import Tag
from social.statuses.text import TAG_MAX, normalize_tag
from social.web.caller import require_admin
from social.web.context import get_context
from social.web.errors import not_found, unavailable
from social.web.openapi import endpoint
from social.web.params import multi_to_dict, parse_id, validate
from social.web.responses import json_response
from trending import History, Review, Trend, TrendStoreError

TAG_NAME_RE = re.compile(r"#?(\w*[^\W\d]\w*)\Z")


class TrendsQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")

    limit: int = Field(default=10, ge=1, le=1000)
    offset: int = Field(default=0, ge=0, le=10_000)


class TagHistory(BaseModel):
    day: str = Field(description="Start of the day, seconds since the epoch (UTC)")
    uses: str
    accounts: str


class TagEntity(BaseModel):
    id: str
    name: str
    url: str
    history: list[TagHistory]
    following: bool = False


class AdminTag(TagEntity):
    trendable: bool
    usable: bool = True
    requires_review: bool
    score: float = Field(description="Velocity score, decayed from its peak")
    uses: int = Field(description="Uses in the recent window")
    accounts: int = Field(description="Distinct authors in the recent window")
    review: Review


@contextlib.contextmanager
def trend_store() -> Iterator[None]:
    """The trend store failing is an outage: 503 with Retry-After."""
    try:
        yield
    except TrendStoreError:
        raise unavailable() from None


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


def render_tag(ctx: AppContext, tag: Tag, history: History) -> TagEntity:
    return TagEntity(
        id=str(tag.id),
        name=tag.display_name or tag.name,
        url=f"{ctx.settings.base_url}/tags/{quote(tag.name)}",
        history=[TagHistory(**day) for day in history.mastodon()],
    )


def render_admin_tag(ctx: AppContext, tag: Tag, trend: Trend, history: History) -> AdminTag:
    public = render_tag(ctx, tag, history)
    shown = ctx.settings.trendable_by_default and trend.review is not Review.REJECTED
    return AdminTag(
        **public.model_dump(),
        trendable=trend.review is Review.APPROVED or shown,
        requires_review=trend.review is Review.PENDING,
        score=round(trend.score, 3),
        uses=trend.uses,
        accounts=trend.accounts,
        review=trend.review,
    )


async def admin_tags(ctx: AppContext, trends: list[Trend]) -> list[AdminTag]:
    names = [t.tag for t in trends]
    rows, history = await tags_named(ctx, names), await histories(ctx, names)
    return [render_admin_tag(ctx, rows[t.tag], t, history[t.tag]) for t in trends if t.tag in rows]


@endpoint(
    "Tags trending now (approved by an admin)", query=TrendsQuery, response=TagEntity, many=True
)
async def trending_tags(request: Request) -> Response:
    ctx = get_context(request)
    q = validate(TrendsQuery, multi_to_dict(request.query_params))
    with trend_store():
        trends = await ctx.trends.top(min(q.limit, 20), offset=q.offset)
    names = [t.tag for t in trends]
    rows, history = await tags_named(ctx, names), await histories(ctx, names)
    return json_response([render_tag(ctx, rows[n], history[n]) for n in names if n in rows])


@endpoint("A hashtag, with its use in the last days", response=TagEntity, errors=(404,))
async def show_tag(request: Request) -> Response:
    ctx = get_context(request)
    match = TAG_NAME_RE.match(request.path_params["name"])
    if match is None or len(match.group(1)) > TAG_MAX:
        raise not_found()
    name = normalize_tag(match.group(1))
    tag = (await tags_named(ctx, [name])).get(name)
    if tag is None:
        raise not_found()
    with trend_store():
        history = await ctx.trends.history(name)
    return json_response(render_tag(ctx, tag, history))


@endpoint(
    "Trending tags for review: every state, with scores",
    auth="user",
    scopes=("admin:read",),
    query=TrendsQuery,
    response=AdminTag,
    many=True,
    errors=(403,),
)
async def admin_trending_tags(request: Request) -> Response:
    await require_admin(request, "admin:read")
    ctx = get_context(request)
    q = validate(TrendsQuery, multi_to_dict(request.query_params))
    with trend_store():
        trends = await ctx.trends.top(min(q.limit, 100), public=False, offset=q.offset)
    return json_response(await admin_tags(ctx, trends))


async def review_tag(ctx: AppContext, tag_id: int, state: Review) -> AdminTag:
    """Approve or reject the tag with this `tags` id; 404 when there is none."""
    async with ctx.db() as db:
        tag = await db.get(Tag, tag_id)
    if tag is None:
        raise not_found()
    with trend_store():
        await ctx.trends.set_review(tag.name, state)
        trend = await ctx.trends.trend(tag.name)
        history = await ctx.trends.history(tag.name)
    return render_admin_tag(ctx, tag, trend, history)


@endpoint(
    "Allow a tag to trend",
    auth="user",
    scopes=("admin:write",),
    response=AdminTag,
    errors=(403, 404),
)
async def approve(request: Request) -> Response:
    await require_admin(request, "admin:write")
    tag_id = parse_id(request.path_params["id"])
    return json_response(await review_tag(get_context(request), tag_id, Review.APPROVED))


@endpoint(
    "Keep a tag out of trends",
    auth="user",
    scopes=("admin:write",),
    response=AdminTag,
    errors=(403, 404),
)
async def reject(request: Request) -> Response:
    await require_admin(request, "admin:write")
    tag_id = parse_id(request.path_params["id"])
    return json_response(await review_tag(get_context(request), tag_id, Review.REJECTED))


routes = [
    Route("/api/v1/trends/tags", trending_tags, methods=["GET"]),
    Route("/api/v1/trends", trending_tags, methods=["GET"]),
    Route("/api/v1/tags/{name}", show_tag, methods=["GET"]),
    Route("/api/v1/admin/trends/tags", admin_trending_tags, methods=["GET"]),
    Route("/api/v1/admin/trends/tags/{id}/approve", approve, methods=["POST"]),
    Route("/api/v1/admin/trends/tags/{id}/reject", reject, methods=["POST"]),
]
