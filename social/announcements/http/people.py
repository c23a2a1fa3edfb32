"""`/api/v1/announcements` (Mastodon): the announcements shown now, dismissing one, reacting."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from social.announcements import entities, reactions, service
from social.announcements.render import render_announcement
from social.web import entities as web_entities
from social.web.caller import require_user
from social.web.context import get_context
from social.web.openapi import endpoint
from social.web.params import parse_id
from social.web.responses import json_response


@endpoint(
    "The announcements shown now, with what you read and how you reacted",
    auth="user",
    response=entities.Announcement,
    many=True,
)
async def list_announcements(request: Request) -> Response:
    caller = require_user(request)
    ctx = get_context(request)
    shown = await service.shown_to(ctx.db, caller.account_id)
    return json_response([render_announcement(ctx, s.row, s.reactions, s.read) for s in shown])


@endpoint(
    "Mark an announcement read",
    auth="user",
    scopes=("write:accounts",),
    response=web_entities.Empty,
    errors=(404,),
)
async def dismiss(request: Request) -> Response:
    caller = require_user(request, "write:accounts")
    announcement_id = parse_id(request.path_params["id"])
    await service.dismiss(get_context(request).db, announcement_id, caller.account_id)
    return json_response({})


@endpoint(
    "React to an announcement with an emoji",
    auth="user",
    scopes=("write:favourites",),
    response=web_entities.Empty,
    errors=(404, 422),
)
async def add_reaction(request: Request) -> Response:
    caller = require_user(request, "write:favourites")
    ctx = get_context(request)
    announcement_id = parse_id(request.path_params["id"])
    await reactions.react(ctx.db, announcement_id, caller.account_id, request.path_params["name"])
    ctx.events.wake()
    return json_response({})


@endpoint(
    "Take back a reaction",
    auth="user",
    scopes=("write:favourites",),
    response=web_entities.Empty,
    errors=(404,),
)
async def remove_reaction(request: Request) -> Response:
    caller = require_user(request, "write:favourites")
    ctx = get_context(request)
    announcement_id = parse_id(request.path_params["id"])
    name = request.path_params["name"]
    await reactions.unreact(ctx.db, announcement_id, caller.account_id, name)
    ctx.events.wake()
    return json_response({})


routes = [
    Route("/api/v1/announcements", list_announcements, methods=["GET"]),
    Route("/api/v1/announcements/{id}/dismiss", dismiss, methods=["POST"]),
    Route("/api/v1/announcements/{id}/reactions/{name}", add_reaction, methods=["PUT"]),
    Route("/api/v1/announcements/{id}/reactions/{name}", remove_reaction, methods=["DELETE"]),
]
