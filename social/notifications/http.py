"""Notifications: list, show, clear, dismiss (Mastodon)."""

from __future__ import annotations

from pydantic import ConfigDict, Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from social.notifications import entities, service
from social.notifications.render import render_notifications
from social.platform.paging import PageQuery
from social.web import entities as web_entities
from social.web.caller import require_user
from social.web.context import get_context
from social.web.errors import not_found
from social.web.openapi import endpoint
from social.web.paging import link_header
from social.web.params import multi_to_dict, parse_id, validate
from social.web.responses import json_response


class NotificationsQuery(PageQuery):
    model_config = ConfigDict(extra="ignore")

    types: list[str] = Field(default_factory=list, max_length=20)
    exclude_types: list[str] = Field(default_factory=list, max_length=20)
    account_id: int | None = Field(default=None, ge=0)


@endpoint(
    "Your notifications, newest first",
    auth="user",
    scopes=("read:notifications",),
    query=NotificationsQuery,
    response=entities.Notification,
    many=True,
)
async def list_notifications(request: Request) -> Response:
    caller = require_user(request, "read:notifications")
    ctx = get_context(request)
    params = multi_to_dict(request.query_params)
    for name in ("types", "exclude_types"):
        if isinstance(params.get(name), str):
            params[name] = [params[name]]
    q = validate(NotificationsQuery, params)
    rows = await service.page_of(
        ctx,
        caller.account_id,
        q,
        types=q.types,
        exclude_types=q.exclude_types,
        from_account_id=q.account_id,
    )
    headers = {"Link": link_header(request, [n.id for n in rows])} if rows else {}
    return json_response(await render_notifications(ctx, rows, caller.account_id), headers=headers)


@endpoint(
    "One notification",
    auth="user",
    scopes=("read:notifications",),
    response=entities.Notification,
    errors=(404,),
)
async def show(request: Request) -> Response:
    caller = require_user(request, "read:notifications")
    ctx = get_context(request)
    row = await service.one(ctx, caller.account_id, parse_id(request.path_params["id"]))
    rendered = await render_notifications(ctx, [row], caller.account_id)
    if not rendered:
        raise not_found()
    return json_response(rendered[0])


@endpoint(
    "Dismiss every notification",
    auth="user",
    scopes=("write:notifications",),
    response=web_entities.Empty,
)
async def clear(request: Request) -> Response:
    caller = require_user(request, "write:notifications")
    await service.dismiss(get_context(request), caller.account_id)
    return json_response({})


@endpoint(
    "Dismiss one notification",
    auth="user",
    scopes=("write:notifications",),
    response=web_entities.Empty,
    errors=(404,),
)
async def dismiss(request: Request) -> Response:
    caller = require_user(request, "write:notifications")
    notification_id = parse_id(request.path_params["id"])
    await service.dismiss(get_context(request), caller.account_id, notification_id)
    return json_response({})


routes = [
    Route("/api/v1/notifications", list_notifications, methods=["GET"]),
    Route("/api/v1/notifications/clear", clear, methods=["POST"]),
    Route("/api/v1/notifications/{id}", show, methods=["GET"]),
    Route("/api/v1/notifications/{id}/dismiss", dismiss, methods=["POST"]),
]
