"""Timelines: home (from Redis), public and hashtag (from the database) (Mastodon)."""

from __future__ import annotations

from pydantic import ConfigDict
from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from social.platform.db.models import Status, StatusTag, Tag
from social.platform.paging import PageQuery, paged
from social.statuses import entities as status_entities
from social.statuses.render import render_raw
from social.statuses.text import normalize_tag
from social.timelines.service import read_home
from social.trends.http import TAG_NAME_RE
from social.web.caller import require_user, viewer_id
from social.web.context import get_context
from social.web.openapi import endpoint
from social.web.paging import link_header
from social.web.params import multi_to_dict, validate
from social.web.responses import json_response, raw_json_list


class PublicQuery(PageQuery):
    model_config = ConfigDict(extra="ignore")

    local: bool = False
    remote: bool = False
    only_media: bool = False


@endpoint(
    "Statuses from you and the accounts you follow",
    auth="user",
    scopes=("read:statuses",),
    query=PageQuery,
    response=status_entities.Status,
    many=True,
)
async def home(request: Request) -> Response:
    caller = require_user(request, "read:statuses")
    ctx = get_context(request)
    page = validate(PageQuery, multi_to_dict(request.query_params))
    entries = await read_home(ctx, caller.account_id, page)
    ids = [status_id for status_id, _ in entries]
    statuses = await render_raw(
        ctx, ids, caller.account_id, check_visibility=False, authors=[a for _, a in entries]
    )
    headers = {"Link": link_header(request, ids)} if ids else {}
    return json_response(raw_json_list(statuses), headers=headers)


async def _public_ids(request: Request, tag: str | None) -> tuple[list[int], PublicQuery]:
    ctx = get_context(request)
    q = validate(PublicQuery, multi_to_dict(request.query_params))
    if q.remote or q.only_media:
        return [], q  # no federation, no media yet
    query = select(Status.id).where(Status.visibility == "public")
    if tag is not None:
        match = TAG_NAME_RE.match(tag)
        if match is None:
            return [], q  # no status carries a tag spelled so
        tagged = select(StatusTag.status_id).join(Tag)
        tagged = tagged.where(Tag.name == normalize_tag(match.group(1)))
        query = query.where(Status.id.in_(tagged))
    async with ctx.db() as db:
        ids = sorted((await db.execute(paged(query, Status.id, q))).scalars(), reverse=True)
    return ids, q


@endpoint(
    "Public statuses",
    auth="optional",
    query=PublicQuery,
    response=status_entities.Status,
    many=True,
)
async def public(request: Request) -> Response:
    ids, _ = await _public_ids(request, None)
    statuses = await render_raw(get_context(request), ids, viewer_id(request))
    headers = {"Link": link_header(request, ids)} if ids else {}
    return json_response(raw_json_list(statuses), headers=headers)


@endpoint(
    "Public statuses with a hashtag",
    auth="optional",
    query=PublicQuery,
    response=status_entities.Status,
    many=True,
)
async def hashtag(request: Request) -> Response:
    ids, _ = await _public_ids(request, request.path_params["hashtag"])
    statuses = await render_raw(get_context(request), ids, viewer_id(request))
    headers = {"Link": link_header(request, ids)} if ids else {}
    return json_response(raw_json_list(statuses), headers=headers)


routes = [
    Route("/api/v1/timelines/home", home, methods=["GET"]),
    Route("/api/v1/timelines/public", public, methods=["GET"]),
    Route("/api/v1/timelines/tag/{hashtag}", hashtag, methods=["GET"]),
]
