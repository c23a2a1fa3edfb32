"""Grouped notifications: a page of groups, one group, its accounts, dismissing it, and the
unread count of groups (Mastodon 4.3, API v2)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from social.accounts import entities as account_entities
from social.accounts.render import accounts_page
from social.notifications import entities, groups, service
from social.notifications.groups import grouping
from social.notifications.http.notifications import TypeFilters, UnreadCountQuery
from social.notifications.render import render_groups
from social.platform.db.models import Notification
from social.platform.paging import LongPageQuery
from social.web import entities as web_entities
from social.web.caller import require_user
from social.web.context import get_context
from social.web.errors import ApiError, not_found
from social.web.openapi import endpoint
from social.web.paging import link_header, page_response
from social.web.params import parse_query
from social.web.responses import json_response


class GroupedTypes(BaseModel):
    model_config = ConfigDict(extra="ignore")

    grouped_types: list[str] = Field(
        default_factory=list,
        max_length=20,
        description="the kinds that may be grouped (default: favourite, reblog, follow)",
    )

    @field_validator("grouped_types", mode="before")
    @classmethod
    def _grouped_one_or_many(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value


class GroupedQuery(LongPageQuery, TypeFilters, GroupedTypes):
    model_config = ConfigDict(extra="ignore")

    expand_accounts: Literal["full", "partial_avatars"] = "full"
    include_filtered: bool = Field(default=False, description="nothing is filtered here")


class GroupedUnreadCountQuery(UnreadCountQuery, GroupedTypes):
    pass


class GroupAccountsQuery(LongPageQuery):
    model_config = ConfigDict(extra="ignore")


def _expand_accounts(request: Request) -> None:
    """Mastodon answers an unknown `expand_accounts` with 400, not a validation error."""
    if request.query_params.get("expand_accounts", "full") not in ("full", "partial_avatars"):
        raise ApiError(
            400,
            "Invalid value for 'expand_accounts', allowed values are 'full' and 'partial_avatars'",
        )


@endpoint(
    "Your notifications in groups, newest first (one entry per group)",
    auth="user",
    scopes=("read:notifications",),
    query=GroupedQuery,
    response=entities.GroupedNotificationsResults,
)
async def list_groups(request: Request) -> Response:
    caller = require_user(request, "read:notifications")
    ctx = get_context(request)
    _expand_accounts(request)
    q = parse_query(request, GroupedQuery)
    page = await groups.page_of_groups(
        ctx, caller.account_id, q, q.filters(), grouping(q.grouped_types)
    )
    partial = q.expand_accounts == "partial_avatars"
    body = await render_groups(ctx, page.groups, caller.account_id, partial_avatars=partial)
    headers = {"Link": link_header(request, page.cursors)} if page.cursors else {}
    return json_response(body, headers=headers)


@endpoint(
    "How many groups of notifications are newer than your notifications marker",
    auth="user",
    scopes=("read:notifications",),
    query=GroupedUnreadCountQuery,
    response=entities.UnreadCount,
)
async def unread_count(request: Request) -> Response:
    caller = require_user(request, "read:notifications")
    q = parse_query(request, GroupedUnreadCountQuery)
    count = await groups.unread_count(
        get_context(request),
        caller.account_id,
        q.filters(),
        limit=q.limit,
        grouped=grouping(q.grouped_types),
    )
    return json_response({"count": count})


@endpoint(
    "One group of your notifications",
    auth="user",
    scopes=("read:notifications",),
    response=entities.GroupedNotificationsResults,
    errors=(404,),
)
async def show_group(request: Request) -> Response:
    caller = require_user(request, "read:notifications")
    ctx = get_context(request)
    group = await groups.one_group(ctx, caller.account_id, request.path_params["group_key"])
    body = await render_groups(ctx, [group], caller.account_id)
    if not body["notification_groups"]:
        raise not_found()
    return json_response(body)


@endpoint(
    "The accounts whose notifications make up a group, newest first",
    auth="user",
    scopes=("read:notifications",),
    query=GroupAccountsQuery,
    response=account_entities.Account,
    many=True,
)
async def group_accounts(request: Request) -> Response:
    caller = require_user(request, "read:notifications")
    ctx = get_context(request)
    page = parse_query(request, GroupAccountsQuery)
    query = groups.senders(caller.account_id, request.path_params["group_key"])
    if query is None:
        return json_response([])
    cursors, accounts = await accounts_page(ctx, query, Notification.id, page)
    return page_response(request, cursors, accounts)


@endpoint(
    "Dismiss a group of your notifications (every one in it)",
    auth="user",
    scopes=("write:notifications",),
    response=web_entities.Empty,
)
async def dismiss_group(request: Request) -> Response:
    caller = require_user(request, "write:notifications")
    group_key = request.path_params["group_key"]
    await service.dismiss_group(get_context(request), caller.account_id, group_key)
    return json_response({})


routes = [
    Route("/api/v2/notifications", list_groups, methods=["GET"]),
    Route("/api/v2/notifications/unread_count", unread_count, methods=["GET"]),
    Route("/api/v2/notifications/{group_key}", show_group, methods=["GET"]),
    Route("/api/v2/notifications/{group_key}/accounts", group_accounts, methods=["GET"]),
    Route("/api/v2/notifications/{group_key}/dismiss", dismiss_group, methods=["POST"]),
]
