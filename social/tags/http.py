"""Followed hashtags (Mastodon): follow and unfollow a tag, and the tags you follow."""

from __future__ import annotations

from pydantic import Field, field_validator
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from social.platform.paging import PageQuery
from social.tags import service
from social.trends.render import TagEntity
from social.trends.service import tag_entities
from social.web.caller import require_user
from social.web.context import get_context
from social.web.openapi import endpoint
from social.web.paging import link_header
from social.web.params import parse_query
from social.web.responses import json_response

TAGS_LIMIT = 100  # Mastodon's FollowedTagsController: 100 by default, at most twice that


class FollowedTagsQuery(PageQuery):
    limit: int = Field(default=TAGS_LIMIT, ge=1)

    @field_validator("limit")
    @classmethod
    def _clamp(cls, value: int) -> int:
        return min(value, 2 * TAGS_LIMIT)


@endpoint(
    "Follow a hashtag: public statuses carrying it enter your home",
    auth="user",
    scopes=("write:follows",),
    response=TagEntity,
    errors=(404,),
)
async def follow(request: Request) -> Response:
    caller = require_user(request, "write:follows")
    tag = await service.follow_tag(
        get_context(request), caller.account_id, request.path_params["name"]
    )
    return json_response((await tag_entities(get_context(request), [tag], {tag.id}))[0])


@endpoint(
    "Unfollow a hashtag",
    auth="user",
    scopes=("write:follows",),
    response=TagEntity,
    errors=(404,),
)
async def unfollow(request: Request) -> Response:
    caller = require_user(request, "write:follows")
    ctx = get_context(request)
    tag = await service.unfollow_tag(ctx, caller.account_id, request.path_params["name"])
    return json_response((await tag_entities(ctx, [tag], set()))[0])


@endpoint(
    "Hashtags you follow, most recently followed first (paged by the follow)",
    auth="user",
    scopes=("read:follows",),
    query=FollowedTagsQuery,
    response=TagEntity,
    many=True,
)
async def followed_tags(request: Request) -> Response:
    caller = require_user(request, "read:follows")
    page = parse_query(request, FollowedTagsQuery)
    cursors, tags = await service.followed_tags(get_context(request), caller.account_id, page)
    body = await tag_entities(get_context(request), tags, {t.id for t in tags})
    headers = {"Link": link_header(request, cursors)} if cursors else {}
    return json_response(body, headers=headers)


routes = [
    Route("/api/v1/tags/{name}/follow", follow, methods=["POST"]),
    Route("/api/v1/tags/{name}/unfollow", unfollow, methods=["POST"]),
    Route("/api/v1/followed_tags", followed_tags, methods=["GET"]),
]
