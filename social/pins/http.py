"""Pins: pin and unpin one of your statuses on your profile (Mastodon). The pinned statuses are
read at `GET /api/v1/accounts/:id/statuses?pinned=true` (timelines)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from social.pins import service
from social.statuses import entities
from social.statuses.render import render_one
from social.web.caller import require_user
from social.web.context import get_context
from social.web.openapi import endpoint
from social.web.params import parse_id
from social.web.responses import json_response


@endpoint(
    "Pin one of your public, unlisted or private statuses to your profile (at most five)",
    auth="user",
    scopes=("write:accounts",),
    response=entities.Status,
    errors=(404, 422),
)
async def pin(request: Request) -> Response:
    caller = require_user(request, "write:accounts")
    ctx = get_context(request)
    status_id = parse_id(request.path_params["id"])
    await service.pin(ctx, caller.account_id, status_id)
    return json_response(await render_one(ctx, status_id, caller.account_id))


@endpoint(
    "Unpin a status from your profile",
    auth="user",
    scopes=("write:accounts",),
    response=entities.Status,
    errors=(404,),
)
async def unpin(request: Request) -> Response:
    caller = require_user(request, "write:accounts")
    ctx = get_context(request)
    status_id = parse_id(request.path_params["id"])
    await service.unpin(ctx, caller.account_id, status_id)
    return json_response(await render_one(ctx, status_id, caller.account_id))


routes = [
    Route("/api/v1/statuses/{id}/pin", pin, methods=["POST"]),
    Route("/api/v1/statuses/{id}/unpin", unpin, methods=["POST"]),
]
