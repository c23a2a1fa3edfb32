"""Statuses: post, show, delete, context, favourite, unfavourite, favourited_by (Mastodon)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from redis.exceptions import RedisError
from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from social.accounts import entities as account_entities
from social.accounts.service import accounts_json
from social.platform.context import AppContext
from social.platform.db.models import Favourite, Status
from social.platform.paging import PageQuery, paged
from social.statuses import entities
from social.statuses.render import render_one, render_statuses
from social.statuses.service import (
    NewStatus,
    check_text,
    create_status,
    delete_status,
    idempotency_digest,
    set_favourite,
)
from social.web.caller import require_user, viewer_id
from social.web.context import get_context
from social.web.errors import ApiError
from social.web.openapi import endpoint
from social.web.paging import link_header
from social.web.params import parse, parse_id, parse_query
from social.web.responses import json_response, raw_json_list

IDEMPOTENCY_TTL_S = 3600
CONTEXT_MAX = 4096


class StatusForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    status: str = Field(default="", max_length=100_000)
    spoiler_text: str = Field(default="", max_length=1000)
    sensitive: bool = False
    visibility: Literal["public", "unlisted", "private", "direct"] = "public"
    language: str | None = Field(default=None, pattern=r"^[a-z]{2,3}$")
    in_reply_to_id: int | None = Field(default=None, ge=1, le=(1 << 63) - 1)
    media_ids: list[str] = Field(default_factory=list, max_length=0)


async def _claim_idempotency(ctx: AppContext, account_id: int, key: str) -> tuple[str, int | None]:
    """Returns (redis key, id of the status this key already made, if any)."""
    redis_key = ctx.keys.idempotency(account_id, idempotency_digest(key))
    if await ctx.redis.set(redis_key, "pending", nx=True, ex=60):
        return redis_key, None
    existing = await ctx.redis.get(redis_key)
    if existing in (None, b"pending"):
        raise ApiError(409, "A request with this Idempotency-Key is still being processed")
    return redis_key, int(existing)


@endpoint(
    "Post a status",
    auth="user",
    scopes=("write:statuses",),
    body=StatusForm,
    response=entities.Status,
    errors=(404, 409),
)
async def post_status(request: Request) -> Response:
    caller = require_user(request, "write:statuses")
    ctx = get_context(request)
    form = await parse(request, StatusForm)
    new = NewStatus(
        text=form.status,
        spoiler_text=form.spoiler_text,
        sensitive=form.sensitive,
        visibility=form.visibility,
        language=form.language,
        in_reply_to_id=form.in_reply_to_id,
    )
    check_text(new, ctx.settings.max_status_chars)
    key = request.headers.get("idempotency-key")
    redis_key = None
    if key:
        redis_key, existing = await _claim_idempotency(ctx, caller.account_id, key[:256])
        if existing is not None:
            return json_response(await render_one(ctx, existing, caller.account_id))
    try:
        status_id = await create_status(ctx, caller.account_id, new)
    except BaseException:
        if redis_key:
            await ctx.redis.delete(redis_key)
        raise
    if redis_key:
        try:
            await ctx.redis.set(redis_key, str(status_id), ex=IDEMPOTENCY_TTL_S)
        except RedisError:
            ctx.metrics.redis_errors.labels("idempotency").inc()
    return json_response(await render_one(ctx, status_id, caller.account_id))


@endpoint("A status", auth="optional", response=entities.Status, errors=(404,))
async def show(request: Request) -> Response:
    status_id = parse_id(request.path_params["id"])
    ctx = get_context(request)
    return json_response(await render_one(ctx, status_id, viewer_id(request)))


@endpoint(
    "Delete one of your statuses; returns it with its source text",
    auth="user",
    scopes=("write:statuses",),
    response=entities.Status,
    errors=(404,),
)
async def delete(request: Request) -> Response:
    caller = require_user(request, "write:statuses")
    ctx = get_context(request)
    status_id = parse_id(request.path_params["id"])
    entity = await render_one(ctx, status_id, caller.account_id)
    if entity["account"]["id"] != str(caller.account_id):
        raise ApiError(404, "Record not found")
    source = await delete_status(ctx, caller.account_id, status_id)
    entity.update(source)
    return json_response(entity)


async def _thread_ids(ctx: AppContext, status_id: int) -> tuple[list[int], list[int]]:
    async with ctx.db() as db:
        ancestors: list[int] = []
        parent = (
            await db.execute(select(Status.in_reply_to_id).where(Status.id == status_id))
        ).scalar()
        while parent is not None and len(ancestors) < CONTEXT_MAX and parent not in ancestors:
            ancestors.append(parent)
            parent = (
                await db.execute(select(Status.in_reply_to_id).where(Status.id == parent))
            ).scalar()
        descendants: list[int] = []
        frontier = [status_id]
        while frontier and len(descendants) < CONTEXT_MAX:
            children = list(
                (
                    await db.execute(
                        select(Status.id)
                        .where(Status.in_reply_to_id.in_(frontier))
                        .order_by(Status.id)
                    )
                ).scalars()
            )
            descendants += children
            frontier = children
    return list(reversed(ancestors)), sorted(descendants)


@endpoint(
    "Ancestors and descendants of a status",
    auth="optional",
    response=entities.Context,
    errors=(404,),
)
async def context(request: Request) -> Response:
    ctx = get_context(request)
    status_id = parse_id(request.path_params["id"])
    viewer = viewer_id(request)
    await render_one(ctx, status_id, viewer)  # 404 unless the viewer may see it
    ancestors, descendants = await _thread_ids(ctx, status_id)
    return json_response(
        {
            "ancestors": await render_statuses(ctx, ancestors, viewer),
            "descendants": await render_statuses(ctx, descendants, viewer),
        }
    )


async def _set_favourite(request: Request, on: bool) -> Response:
    caller = require_user(request, "write:favourites")
    ctx = get_context(request)
    status_id = parse_id(request.path_params["id"])
    await set_favourite(ctx, caller.account_id, status_id, on)
    return json_response(await render_one(ctx, status_id, caller.account_id))


@endpoint(
    "Favourite a status",
    auth="user",
    scopes=("write:favourites",),
    response=entities.Status,
    errors=(404,),
)
async def favourite(request: Request) -> Response:
    return await _set_favourite(request, True)


@endpoint(
    "Undo a favourite",
    auth="user",
    scopes=("write:favourites",),
    response=entities.Status,
    errors=(404,),
)
async def unfavourite(request: Request) -> Response:
    return await _set_favourite(request, False)


@endpoint(
    "Accounts that favourited a status",
    auth="optional",
    query=PageQuery,
    response=account_entities.Account,
    many=True,
    errors=(404,),
)
async def favourited_by(request: Request) -> Response:
    ctx = get_context(request)
    status_id = parse_id(request.path_params["id"])
    page = parse_query(request, PageQuery)
    await render_one(ctx, status_id, viewer_id(request))
    query = select(Favourite.id, Favourite.account_id).where(Favourite.status_id == status_id)
    async with ctx.db() as db:
        rows = sorted((await db.execute(paged(query, Favourite.id, page))).all(), reverse=True)
    accounts = await accounts_json(ctx, [r.account_id for r in rows])
    body = raw_json_list([accounts[r.account_id] for r in rows if r.account_id in accounts])
    headers = {"Link": link_header(request, [r.id for r in rows])} if rows else {}
    return json_response(body, headers=headers)


routes = [
    Route("/api/v1/statuses", post_status, methods=["POST"]),
    Route("/api/v1/statuses/{id}", show, methods=["GET"]),
    Route("/api/v1/statuses/{id}", delete, methods=["DELETE"]),
    Route("/api/v1/statuses/{id}/context", context, methods=["GET"]),
    Route("/api/v1/statuses/{id}/favourite", favourite, methods=["POST"]),
    Route("/api/v1/statuses/{id}/unfavourite", unfavourite, methods=["POST"]),
    Route("/api/v1/statuses/{id}/favourited_by", favourited_by, methods=["GET"]),
]
