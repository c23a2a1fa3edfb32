"""Direct conversations (`/api/v1/conversations`: list, mark read, delete) and muted threads
(`/api/v1/statuses/:id/mute`, `/unmute`), as Mastodon."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from social.conversations import entities, service
from social.conversations.mutes import set_thread_mute
from social.conversations.render import render_conversations
from social.platform.paging import PageQuery
from social.statuses import entities as status_entities
from social.statuses.render import render_one
from social.web.caller import require_user
from social.web.context import get_context
from social.web.openapi import endpoint
from social.web.paging import page_response
from social.web.params import parse_id, parse_query
from social.web.responses import json_response


@endpoint(
    "Your direct conversations, the most recently active first (paged by their last status)",
    auth="user",
    scopes=("read:statuses",),
    query=PageQuery,
    response=entities.Conversation,
    many=True,
)
async def conversations(request: Request) -> Response:
    caller = require_user(request, "read:statuses")
    ctx = get_context(request)
    page = parse_query(request, PageQuery)
    entries = await service.page_of(ctx, caller.account_id, page)
    rendered = await render_conversations(ctx, entries, caller.account_id)
    cursors = [e.last_status_id for e in entries if e.last_status_id is not None]
    return page_response(request, cursors, rendered)


@endpoint(
    "Mark a conversation read",
    auth="user",
    scopes=("write:conversations",),
    response=entities.Conversation,
    errors=(404,),
)
async def read(request: Request) -> Response:
    caller = require_user(request, "write:conversations")
    ctx = get_context(request)
    entry = await service.mark_read(ctx, caller.account_id, parse_id(request.path_params["id"]))
    rendered = await render_conversations(ctx, [entry], caller.account_id)
    return json_response(rendered[0])


@endpoint(
    "Remove a conversation from your list (its statuses stay)",
    auth="user",
    scopes=("write:conversations",),
    errors=(404,),
)
async def remove(request: Request) -> Response:
    caller = require_user(request, "write:conversations")
    await service.remove(
        get_context(request), caller.account_id, parse_id(request.path_params["id"])
    )
    return json_response({})


async def _thread_mute(request: Request, on: bool) -> Response:
    caller = require_user(request, "write:mutes")
    ctx = get_context(request)
    status_id = parse_id(request.path_params["id"])
    await set_thread_mute(ctx, caller.account_id, status_id, on)
    return json_response(await render_one(ctx, status_id, caller.account_id))


@endpoint(
    "Mute the thread of a status: no notifications from it",
    auth="user",
    scopes=("write:mutes",),
    response=status_entities.Status,
    errors=(404, 422),
)
async def mute_thread(request: Request) -> Response:
    return await _thread_mute(request, True)


@endpoint(
    "Unmute the thread of a status",
    auth="user",
    scopes=("write:mutes",),
    response=status_entities.Status,
    errors=(404, 422),
)
async def unmute_thread(request: Request) -> Response:
    return await _thread_mute(request, False)


routes = [
    Route("/api/v1/conversations", conversations, methods=["GET"]),
    Route("/api/v1/conversations/{id}/read", read, methods=["POST"]),
    Route("/api/v1/conversations/{id}", remove, methods=["DELETE"]),
    Route("/api/v1/statuses/{id}/mute", mute_thread, methods=["POST"]),
    Route("/api/v1/statuses/{id}/unmute", unmute_thread, methods=["POST"]),
]
