"""Scheduled statuses: list, show, move, cancel (Mastodon). They are made by
`POST /api/v1/statuses` with `scheduled_at` (social/statuses/http.py)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from social.platform.paging import PageQuery
from social.scheduled import entities, service
from social.scheduled.render import render_many
from social.web.caller import require_user
from social.web.context import get_context
from social.web.openapi import endpoint
from social.web.paging import link_header
from social.web.params import parse, parse_id, parse_query
from social.web.responses import json_response


@endpoint(
    "Your scheduled statuses, newest first",
    auth="user",
    scopes=("read:statuses",),
    query=PageQuery,
    response=entities.ScheduledStatus,
    many=True,
)
async def index(request: Request) -> Response:
    caller = require_user(request, "read:statuses")
    query = parse_query(request, PageQuery)
    ctx = get_context(request)
    found = await service.page(ctx, caller.account_id, query)
    ids = [s.id for s in found]
    headers = {"Link": link_header(request, ids)} if ids else {}
    return json_response(await render_many(ctx, found), headers=headers)


@endpoint(
    "One of your scheduled statuses",
    auth="user",
    scopes=("read:statuses",),
    response=entities.ScheduledStatus,
    errors=(404,),
)
async def show(request: Request) -> Response:
    caller = require_user(request, "read:statuses")
    scheduled_id = parse_id(request.path_params["id"])
    ctx = get_context(request)
    found = await service.get(ctx, caller.account_id, scheduled_id)
    return json_response((await render_many(ctx, [found]))[0])


class MoveForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    scheduled_at: str = Field(max_length=64, description="ISO 8601, at least 5 minutes ahead")


@endpoint(
    "Move a scheduled status to another time",
    auth="user",
    scopes=("write:statuses",),
    body=MoveForm,
    response=entities.ScheduledStatus,
    errors=(404,),
)
async def update(request: Request) -> Response:
    caller = require_user(request, "write:statuses")
    scheduled_id = parse_id(request.path_params["id"])
    ctx = get_context(request)
    await service.get(ctx, caller.account_id, scheduled_id)  # 404 before the body's 422
    form = await parse(request, MoveForm)
    at = service.parse_time(form.scheduled_at)
    moved = await service.move(ctx, caller.account_id, scheduled_id, at)
    return json_response((await render_many(ctx, [moved]))[0])


@endpoint(
    "Cancel a scheduled status",
    auth="user",
    scopes=("write:statuses",),
    errors=(404,),
)
async def cancel(request: Request) -> Response:
    caller = require_user(request, "write:statuses")
    scheduled_id = parse_id(request.path_params["id"])
    await service.cancel(get_context(request), caller.account_id, scheduled_id)
    return json_response({})


routes = [
    Route("/api/v1/scheduled_statuses", index, methods=["GET"]),
    Route("/api/v1/scheduled_statuses/{id}", show, methods=["GET"]),
    Route("/api/v1/scheduled_statuses/{id}", update, methods=["PUT"]),
    Route("/api/v1/scheduled_statuses/{id}", cancel, methods=["DELETE"]),
]
