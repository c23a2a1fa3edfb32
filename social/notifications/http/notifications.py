"""Notifications one by one: list, show, clear, dismiss, unread count (Mastodon API v1)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from social.notifications import entities, groups, service
from social.notifications.render import render_notifications
from social.notifications.service import Filters
from social.platform.paging import MAX_ID, LongPageQuery
from social.web import entities as web_entities
from social.web.caller import require_user
from social.web.context import get_context
from social.web.errors import not_found
from social.web.openapi import endpoint
from social.web.paging import link_header
from social.web.params import parse_id, parse_query
from social.web.responses import json_response


class TypeFilters(BaseModel):
    """`types[]`, `exclude_types[]` (a list, or one plain value) and `account_id`."""

    model_config = ConfigDict(extra="ignore")

    types: list[str] = Field(default_factory=list, max_length=20)
    exclude_types: list[str] = Field(default_factory=list, max_length=20)
    account_id: int | None = Field(default=None, ge=0, le=MAX_ID)

    @field_validator("types", "exclude_types", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value

    def filters(self) -> Filters:
        return Filters(self.types, self.exclude_types, self.account_id)


class NotificationsQuery(LongPageQuery, TypeFilters):
    model_config = ConfigDict(extra="ignore")


class UnreadCountQuery(TypeFilters):
    limit: int = Field(default=100, ge=1, description="at most 1000")

    @field_validator("limit")
    @classmethod
    def _clamp(cls, value: int) -> int:
        return min(value, 1000)  # Mastodon clamps rather than refusing


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
    q = parse_query(request, NotificationsQuery)
    rows = await service.page_of(ctx, caller.account_id, q, q.filters())
    headers = {"Link": link_header(request, [n.id for n in rows])} if rows else {}
    return json_response(await render_notifications(ctx, rows, caller.account_id), headers=headers)


@endpoint(
    "How many notifications are newer than your notifications marker (at most `limit`)",
    auth="user",
    scopes=("read:notifications",),
    query=UnreadCountQuery,
    response=entities.UnreadCount,
)
async def unread_count(request: Request) -> Response:
    caller = require_user(request, "read:notifications")
    q = parse_query(request, UnreadCountQuery)
    count = await groups.unread_count(
        get_context(request), caller.account_id, q.filters(), limit=q.limit
    )
    return json_response({"count": count})


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
    Route("/api/v1/notifications/unread_count", unread_count, methods=["GET"]),
    Route("/api/v1/notifications/{id}", show, methods=["GET"]),
    Route("/api/v1/notifications/{id}/dismiss", dismiss, methods=["POST"]),
]
