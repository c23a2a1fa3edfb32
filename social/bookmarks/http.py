"""Bookmarks: bookmark and unbookmark a status, and the statuses you bookmarked (Mastodon)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from social.bookmarks import service
from social.platform.paging import PageQuery
from social.statuses import entities, marks
from social.statuses.render import marked_page, render_one, render_raw
from social.web.caller import require_user
from social.web.context import get_context
from social.web.errors import ApiError
from social.web.openapi import endpoint
from social.web.paging import page_response
from social.web.params import parse_id, parse_query
from social.web.responses import json_response


@endpoint(
    "Statuses you bookmarked, most recently bookmarked first (paged by the bookmark)",
    auth="user",
    scopes=("read:bookmarks",),
    query=PageQuery,
    response=entities.Status,
    many=True,
)
async def bookmarks(request: Request) -> Response:
    caller = require_user(request, "read:bookmarks")
    page = parse_query(request, PageQuery)
    ctx = get_context(request)
    cursors, statuses = await marked_page(ctx, marks.BOOKMARKS, caller.account_id, page)
    return page_response(request, cursors, statuses)


@endpoint(
    "Bookmark a status",
    auth="user",
    scopes=("write:bookmarks",),
    response=entities.Status,
    errors=(404,),
)
async def bookmark(request: Request) -> Response:
    caller = require_user(request, "write:bookmarks")
    ctx = get_context(request)
    status_id = parse_id(request.path_params["id"])
    await service.bookmark(ctx, caller.account_id, status_id)
    return json_response(await render_one(ctx, status_id, caller.account_id))


@endpoint(
    "Take a bookmark back",
    auth="user",
    scopes=("write:bookmarks",),
    response=entities.Status,
    errors=(404,),
)
async def unbookmark(request: Request) -> Response:
    caller = require_user(request, "write:bookmarks")
    ctx = get_context(request)
    status_id = parse_id(request.path_params["id"])
    had = await service.unbookmark(ctx, caller.account_id, status_id)
    # what was bookmarked is shown again, as Mastodon, even if no longer visible
    found = await render_raw(ctx, [status_id], caller.account_id, check_visibility=not had)
    if not found:
        raise ApiError(404, "Record not found")
    return json_response(found[0])


routes = [
    Route("/api/v1/bookmarks", bookmarks, methods=["GET"]),
    Route("/api/v1/statuses/{id}/bookmark", bookmark, methods=["POST"]),
    Route("/api/v1/statuses/{id}/unbookmark", unbookmark, methods=["POST"]),
]
