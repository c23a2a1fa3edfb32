"""Statuses: post, show, delete, context, favourite, unfavourite, favourited_by; the caller's
favourites (Mastodon)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from social.accounts import entities as account_entities
from social.accounts.render import accounts_page
from social.filters.apply import filtered_dicts, filtered_one
from social.media.service import Description, Focus, media_ids_of, parse_focus
from social.platform.db.models import Favourite, Status
from social.platform.paging import LongPageQuery, PageQuery
from social.polls.rules import checked_options, refuse_with_media
from social.scheduled import service as scheduled
from social.scheduled.render import render_many as render_scheduled
from social.statuses import entities, marks
from social.statuses.boosts import BOOSTABLE, reblog, unreblog
from social.statuses.edits import Edit, check_editable, edit_status, source
from social.statuses.history import render_history
from social.statuses.idempotency import post_once
from social.statuses.render import marked_page, render_one, render_raw, render_statuses
from social.statuses.service import (
    NewPoll,
    NewStatus,
    check_text,
    delete_status,
    set_favourite,
)
from social.statuses.thread import thread_of
from social.web.caller import require_user, viewer_id
from social.web.context import get_context
from social.web.errors import ApiError
from social.web.openapi import endpoint
from social.web.paging import page_response
from social.web.params import Id, IdsQuery, parse, parse_id, parse_query
from social.web.responses import json_response, raw_json_list


class PollForm(BaseModel):
    """`poll[options][]`, `poll[expires_in]`, `poll[multiple]`, `poll[hide_totals]`; checked
    as Mastodon checks them (`social.polls.rules`)."""

    model_config = ConfigDict(extra="ignore")

    options: list[str] = Field(default_factory=list, max_length=100)
    expires_in: int | None = Field(default=None, description="seconds")
    multiple: bool = False
    hide_totals: bool = False


class StatusBody(BaseModel):
    """What a post and an edit both state: text, spoiler, media, poll."""

    model_config = ConfigDict(extra="ignore")

    status: str = Field(default="", max_length=100_000)
    spoiler_text: str = Field(default="", max_length=1000)
    media_ids: list[str | int] = Field(
        default_factory=list, max_length=100, description="at most 4, your processed uploads"
    )
    poll: PollForm | None = None


class StatusForm(StatusBody):
    sensitive: bool | None = Field(default=None, description="default: the author's preference")
    visibility: Literal["public", "unlisted", "private", "direct"] | None = Field(
        default=None, description="default: the author's preference"
    )
    language: str | None = Field(
        default=None, pattern=r"^[a-z]{2,3}$", description="default: the author's preference"
    )
    in_reply_to_id: int | None = Field(default=None, ge=1, le=(1 << 63) - 1)
    scheduled_at: str | None = Field(
        default=None,
        max_length=64,
        description="ISO 8601, at least 5 minutes ahead: a ScheduledStatus is returned "
        "(a time already past posts now, as Mastodon)",
    )


def _poll_of(form: PollForm | None, has_media: bool) -> NewPoll | None:
    """The poll a post or an edit carries, checked as Mastodon checks it."""
    if form is None or not form.model_fields_set:
        return None
    refuse_with_media(has_media)
    options = checked_options(form.options, form.expires_in)
    assert form.expires_in is not None  # checked
    return NewPoll(options, form.expires_in, form.multiple, form.hide_totals)


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
    poll = _poll_of(form.poll, bool(form.media_ids))
    new = NewStatus(
        text=form.status,
        spoiler_text=form.spoiler_text,
        sensitive=form.sensitive,
        visibility=form.visibility,
        language=form.language,
        in_reply_to_id=form.in_reply_to_id,
        media_ids=media_ids_of(form.media_ids),
        poll=poll,
    )
    check_text(new, ctx.settings.max_status_chars)
    idempotency = request.headers.get("idempotency-key") or None
    if form.scheduled_at and not scheduled.is_due(at := scheduled.parse_time(form.scheduled_at)):
        kept = await scheduled.schedule_once(
            ctx, caller.account_id, new, at, application_id=caller.app_id, key=idempotency
        )
        return json_response((await render_scheduled(ctx, [kept]))[0])
    status_id = await post_once(ctx, caller.account_id, new, idempotency)
    return json_response(await render_one(ctx, status_id, caller.account_id))


class StatusesQuery(IdsQuery):
    id: list[Id] = Field(default_factory=list, max_length=20)


@endpoint(
    "Several statuses at once (as Mastodon 4.3), in the order asked; those not found or not "
    "visible to the caller are left out",
    auth="optional",
    query=StatusesQuery,
    response=entities.Status,
    many=True,
)
async def many(request: Request) -> Response:
    ids = parse_query(request, StatusesQuery).unique()
    ctx = get_context(request)
    return json_response(raw_json_list(await render_raw(ctx, ids, viewer_id(request))))


@endpoint("A status", auth="optional", response=entities.Status, errors=(404,))
async def show(request: Request) -> Response:
    status_id = parse_id(request.path_params["id"])
    ctx = get_context(request)
    viewer = viewer_id(request)
    return json_response(
        await filtered_one(ctx, viewer, "thread", render_one(ctx, status_id, viewer))
    )


class DeleteForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    delete_media: bool = Field(
        default=False,
        description="delete its media at once (else detached, kept a day for a redraft)",
    )


@endpoint(
    "Delete one of your statuses; returns it with its source text",
    auth="user",
    scopes=("write:statuses",),
    body=DeleteForm,
    response=entities.Status,
    errors=(404,),
)
async def delete(request: Request) -> Response:
    caller = require_user(request, "write:statuses")
    ctx = get_context(request)
    status_id = parse_id(request.path_params["id"])
    form = await parse(request, DeleteForm)
    entity = await render_one(ctx, status_id, caller.account_id)
    if entity["account"]["id"] != str(caller.account_id):
        raise ApiError(404, "Record not found")
    source = await delete_status(ctx, caller.account_id, status_id, delete_media=form.delete_media)
    entity.update(source)
    return json_response(entity)


class MediaAttribute(BaseModel):
    """A new description or focus point for one of the status's media, with an edit."""

    model_config = ConfigDict(extra="ignore")

    id: Id
    description: Description = None
    focus: Focus = None


class EditForm(StatusBody):
    """An edit states the whole status again (as Mastodon's): what it leaves out is emptied
    (its media and poll too)."""

    sensitive: bool = False
    language: str | None = Field(
        default=None, pattern=r"^[a-z]{2,3}$", description="default: the status's language"
    )
    media_attributes: list[MediaAttribute] = Field(default_factory=list, max_length=4)


@endpoint(
    "Edit one of your statuses; its earlier versions stay in its history",
    auth="user",
    scopes=("write:statuses",),
    body=EditForm,
    response=entities.Status,
    errors=(404,),
)
async def edit(request: Request) -> Response:
    caller = require_user(request, "write:statuses")
    ctx = get_context(request)
    status_id = parse_id(request.path_params["id"])
    await check_editable(ctx, caller.account_id, status_id)
    form = await parse(request, EditForm)
    media_ids = media_ids_of(form.media_ids)
    check_text(
        NewStatus(text=form.status, spoiler_text=form.spoiler_text, media_ids=media_ids),
        ctx.settings.max_status_chars,
    )
    described = {a.id: (a.description, parse_focus(a.focus)) for a in form.media_attributes}
    poll = _poll_of(form.poll, bool(media_ids))
    edited = Edit(
        form.status, form.spoiler_text, form.sensitive, form.language, media_ids, described, poll
    )
    await edit_status(ctx, caller.account_id, status_id, edited)
    return json_response(await render_one(ctx, status_id, caller.account_id))


@endpoint(
    "The versions of a status, oldest first (the status itself when never edited)",
    auth="optional",
    response=entities.StatusEdit,
    many=True,
    errors=(404,),
)
async def history(request: Request) -> Response:
    ctx = get_context(request)
    status_id = parse_id(request.path_params["id"])
    await render_one(ctx, status_id, viewer_id(request))  # 404 unless the viewer may see it
    return json_response(await render_history(ctx, status_id))


@endpoint(
    "A status's source text, to edit it",
    auth="user",
    scopes=("read:statuses",),
    response=entities.StatusSource,
    errors=(404,),
)
async def status_source(request: Request) -> Response:
    caller = require_user(request, "read:statuses")
    ctx = get_context(request)
    status_id = parse_id(request.path_params["id"])
    await render_one(ctx, status_id, caller.account_id)  # 404 unless the caller may see it
    text, spoiler = await source(ctx, status_id)
    return json_response({"id": str(status_id), "text": text, "spoiler_text": spoiler})


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
    ancestors, descendants = await thread_of(ctx, status_id, viewer)
    return json_response(
        {
            "ancestors": await filtered_dicts(
                ctx, viewer, "thread", render_statuses(ctx, ancestors, viewer)
            ),
            "descendants": await filtered_dicts(
                ctx, viewer, "thread", render_statuses(ctx, descendants, viewer)
            ),
        }
    )


async def _set_favourite(request: Request, on: bool) -> Response:
    caller = require_user(request, "write:favourites")
    ctx = get_context(request)
    status_id = parse_id(request.path_params["id"])
    fresh = await set_favourite(ctx, caller.account_id, status_id, on)
    return json_response(await render_one(ctx, status_id, caller.account_id, known=fresh))


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
    query=LongPageQuery,
    response=account_entities.Account,
    many=True,
    errors=(404,),
)
async def favourited_by(request: Request) -> Response:
    ctx = get_context(request)
    status_id = parse_id(request.path_params["id"])
    page = parse_query(request, LongPageQuery)
    await render_one(ctx, status_id, viewer_id(request))
    query = select(Favourite.id, Favourite.account_id).where(Favourite.status_id == status_id)
    cursors, accounts = await accounts_page(ctx, query, Favourite.id, page)
    return page_response(request, cursors, accounts)


@endpoint(
    "Statuses you favourited, most recently favourited first (paged by the favourite)",
    auth="user",
    scopes=("read:favourites",),
    query=PageQuery,
    response=entities.Status,
    many=True,
)
async def favourites(request: Request) -> Response:
    caller = require_user(request, "read:favourites")
    page = parse_query(request, PageQuery)
    ctx = get_context(request)
    cursors, statuses = await marked_page(ctx, marks.FAVOURITES, caller.account_id, page)
    return page_response(request, cursors, statuses)


class ReblogForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    visibility: Literal["public", "unlisted", "private"] | None = Field(
        default=None, description="default: the booster's preference"
    )


@endpoint(
    "Boost a status (your own followers-only ones too, as a followers-only boost)",
    auth="user",
    scopes=("write:statuses",),
    body=ReblogForm,
    response=entities.Status,
    errors=(403, 404),
)
async def reblog_endpoint(request: Request) -> Response:
    caller = require_user(request, "write:statuses")
    ctx = get_context(request)
    status_id = parse_id(request.path_params["id"])
    form = await parse(request, ReblogForm)
    boost_id = await reblog(ctx, caller.account_id, status_id, form.visibility)
    return json_response(await render_one(ctx, boost_id, caller.account_id))


@endpoint(
    "Undo a boost; returns the boosted status",
    auth="user",
    scopes=("write:statuses",),
    response=entities.Status,
    errors=(404,),
)
async def unreblog_endpoint(request: Request) -> Response:
    caller = require_user(request, "write:statuses")
    ctx = get_context(request)
    original = await unreblog(ctx, caller.account_id, parse_id(request.path_params["id"]))
    return json_response(await render_one(ctx, original, caller.account_id))


@endpoint(
    "Accounts that boosted a status (publicly)",
    auth="optional",
    query=LongPageQuery,
    response=account_entities.Account,
    many=True,
    errors=(404,),
)
async def reblogged_by(request: Request) -> Response:
    ctx = get_context(request)
    status_id = parse_id(request.path_params["id"])
    page = parse_query(request, LongPageQuery)
    await render_one(ctx, status_id, viewer_id(request))
    query = select(Status.id, Status.account_id).where(
        Status.reblog_of_id == status_id, Status.visibility.in_(BOOSTABLE)
    )
    cursors, accounts = await accounts_page(ctx, query, Status.id, page)
    return page_response(request, cursors, accounts)


routes = [
    Route("/api/v1/statuses", many, methods=["GET"]),
    Route("/api/v1/statuses", post_status, methods=["POST"]),
    Route("/api/v1/statuses/{id}", show, methods=["GET"]),
    Route("/api/v1/statuses/{id}", delete, methods=["DELETE"]),
    Route("/api/v1/statuses/{id}", edit, methods=["PUT"]),
    Route("/api/v1/statuses/{id}/history", history, methods=["GET"]),
    Route("/api/v1/statuses/{id}/source", status_source, methods=["GET"]),
    Route("/api/v1/statuses/{id}/context", context, methods=["GET"]),
    Route("/api/v1/statuses/{id}/favourite", favourite, methods=["POST"]),
    Route("/api/v1/statuses/{id}/unfavourite", unfavourite, methods=["POST"]),
    Route("/api/v1/statuses/{id}/favourited_by", favourited_by, methods=["GET"]),
    Route("/api/v1/statuses/{id}/reblog", reblog_endpoint, methods=["POST"]),
    Route("/api/v1/statuses/{id}/unreblog", unreblog_endpoint, methods=["POST"]),
    Route("/api/v1/statuses/{id}/reblogged_by", reblogged_by, methods=["GET"]),
    Route("/api/v1/favourites", favourites, methods=["GET"]),
]
