"""Trending tags (Mastodon): public trends, one tag, and the admin review of trends."""

from __future__ import annotations

import orjson
from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from social.statuses.text import tag_in_path
from social.tags.service import following_among
from social.trends.render import AdminTag, TagEntity, render_tag
from social.trends.service import (
    admin_tags,
    review_tag,
    tags_named,
    trend_store,
    trending_page,
)
from social.web.caller import require_admin, viewer_id
from social.web.context import get_context
from social.web.errors import not_found
from social.web.openapi import endpoint
from social.web.params import parse_id, parse_query
from social.web.responses import json_response
from trending import Review


class TrendsQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")

    limit: int = Field(default=10, ge=1, le=1000)
    offset: int = Field(default=0, ge=0, le=10_000)


@endpoint(
    "Tags trending now (approved by an admin)",
    query=TrendsQuery,
    response=TagEntity,
    many=True,
)
async def trending_tags(request: Request) -> Response:
    ctx = get_context(request)
    q = parse_query(request, TrendsQuery)
    page = await trending_page(ctx, min(q.limit, 20), q.offset, viewer_id(request))
    return Response(orjson.dumps(page), media_type="application/json")


@endpoint("A hashtag, with its use in the last days", response=TagEntity, errors=(404,))
async def show_tag(request: Request) -> Response:
    ctx = get_context(request)
    name = tag_in_path(request.path_params["name"])
    tag = (await tags_named(ctx, [name])).get(name) if name is not None else None
    if tag is None:
        raise not_found()
    with trend_store():
        history = await ctx.trends.history(tag.name)
    entity = render_tag(ctx, tag, history)
    entity.following = bool(await following_among(ctx, viewer_id(request), [tag.id]))
    return json_response(entity)


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
    q = parse_query(request, TrendsQuery)
    with trend_store():
        trends = await ctx.trends.top(min(q.limit, 100), public=False, offset=q.offset)
    return json_response(await admin_tags(ctx, trends))


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
