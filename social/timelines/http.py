"""Timelines: home (from Redis); public, hashtag and an account's statuses (from the database)
(Mastodon)."""

from __future__ import annotations

from operator import itemgetter

from pydantic import ConfigDict, Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from social.accounts.render import account_or_404
from social.filters.apply import filtered
from social.pins.service import pinned_ids
from social.platform.paging import PageQuery
from social.relations.blocks import blocks_viewer
from social.statuses import entities as status_entities
from social.statuses.render import render_raw
from social.timelines.queries import account_status_ids, public_ids
from social.timelines.service import read_home
from social.web.caller import require_user, viewer_id
from social.web.context import get_context
from social.web.openapi import endpoint
from social.web.paging import page_response
from social.web.params import parse_id, parse_query
from social.web.responses import json_response


class PublicQuery(PageQuery):
    model_config = ConfigDict(extra="ignore")

    local: bool = False
    remote: bool = False
    only_media: bool = False


class StatusesQuery(PageQuery):
    model_config = ConfigDict(extra="ignore")

    exclude_replies: bool = False
    exclude_reblogs: bool = False
    only_media: bool = False
    pinned: bool = False
    tagged: str | None = Field(default=None, max_length=100)


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
    page = parse_query(request, PageQuery)
    entries = await read_home(ctx, caller.account_id, page)
    ids = list(map(itemgetter(0), entries))
    authors = list(map(itemgetter(1), entries))
    rendering = render_raw(ctx, ids, caller.account_id, check_visibility=False, authors=authors)
    statuses = await filtered(ctx, caller.account_id, "home", rendering)
    return page_response(request, ids, statuses)


@endpoint(
    "Public statuses",
    auth="optional",
    query=PublicQuery,
    response=status_entities.Status,
    many=True,
)
async def public(request: Request) -> Response:
    q = parse_query(request, PublicQuery)
    viewer = viewer_id(request)
    # nothing is remote (no federation), nothing has media (no uploads yet)
    ids = [] if q.remote or q.only_media else await public_ids(get_context(request), q, viewer)
    # public statuses, those hidden from the viewer left out by the query: nothing to check
    rendering = render_raw(get_context(request), ids, viewer, check_visibility=False)
    statuses = await filtered(get_context(request), viewer, "public", rendering)
    return page_response(request, ids, statuses)


@endpoint(
    "Public statuses with a hashtag",
    auth="optional",
    query=PublicQuery,
    response=status_entities.Status,
    many=True,
)
async def hashtag(request: Request) -> Response:
    q = parse_query(request, PublicQuery)
    tag = request.path_params["hashtag"]
    ctx = get_context(request)
    viewer = viewer_id(request)
    # nothing is remote (no federation), nothing has media (no uploads yet)
    ids = [] if q.remote or q.only_media else await public_ids(ctx, q, viewer, tag=tag)
    # public statuses, those hidden from the viewer left out by the query: nothing to check
    rendering = render_raw(get_context(request), ids, viewer, check_visibility=False)
    statuses = await filtered(get_context(request), viewer, "public", rendering)
    return page_response(request, ids, statuses)


@endpoint(
    "Statuses posted by an account",
    auth="optional",
    query=StatusesQuery,
    response=status_entities.Status,
    many=True,
    errors=(404,),
)
async def account_statuses(request: Request) -> Response:
    ctx = get_context(request)
    account_id = parse_id(request.path_params["id"])
    await account_or_404(ctx, account_id)
    q = parse_query(request, StatusesQuery)
    viewer = viewer_id(request)
    if q.only_media:
        return json_response([])  # no media attachments yet
    if viewer is not None and await blocks_viewer(ctx, account_id, viewer):
        return json_response([])  # as Mastodon: an account that blocks you shows you none
    if q.pinned:  # the few pinned: those the viewer may see, most recently pinned first
        ids = await pinned_ids(ctx, account_id, q)
    else:
        ids = await account_status_ids(
            ctx,
            account_id,
            viewer,
            q,
            exclude_replies=q.exclude_replies,
            exclude_reblogs=q.exclude_reblogs,
            tagged=q.tagged,
        )
    raw = await filtered(ctx, viewer, "account", render_raw(ctx, ids, viewer))
    return page_response(request, ids, raw)


routes = [
    Route("/api/v1/timelines/home", home, methods=["GET"]),
    Route("/api/v1/timelines/public", public, methods=["GET"]),
    Route("/api/v1/timelines/tag/{hashtag}", hashtag, methods=["GET"]),
    Route("/api/v1/accounts/{id}/statuses", account_statuses, methods=["GET"]),
]
