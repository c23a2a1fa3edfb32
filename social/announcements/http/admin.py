"""`/api/v1/admin/announcements`: admins write, publish, take back, end and delete announcements.
Mastodon has no API for this (its admins use the web interface); `social admin announce` does
the same from the command line. Times are RFC 3339; a range has both ends or none."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from social.announcements import entities, service
from social.announcements.render import render_admin
from social.web import entities as web_entities
from social.web.caller import require_admin
from social.web.context import get_context
from social.web.openapi import endpoint
from social.web.params import parse, parse_id
from social.web.responses import json_response

Time = Annotated[str, Field(max_length=64, json_schema_extra={"format": "date-time"})]


def _no_number(value: object) -> object:
    """JSON's 1 is no boolean (a form's "true" is)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


Flag = Annotated[bool, BeforeValidator(_no_number)]


def _blank_is_none(value: object) -> object:
    """A form cannot send null: a blank time is none."""
    return None if isinstance(value, str) and not value.strip() else value


class AnnouncementForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    text: str = Field(min_length=1, max_length=service.TEXT_MAX, description="plain text")
    starts_at: Time | None = None
    ends_at: Time | None = None
    all_day: Flag = Field(default=False, description="show the range's dates only")
    published: Flag = Field(default=True, description="false: a draft, published later")

    _blank = field_validator("starts_at", "ends_at", mode="before")(_blank_is_none)


class AnnouncementChanges(BaseModel):
    """What is given changes; a time given as null (or blank) is removed."""

    model_config = ConfigDict(extra="ignore")

    text: str | None = Field(default=None, min_length=1, max_length=service.TEXT_MAX)
    starts_at: Time | None = None
    ends_at: Time | None = None
    all_day: Flag | None = None

    _blank = field_validator("starts_at", "ends_at", mode="before")(_blank_is_none)


def _time(name: str, raw: str | None) -> datetime | None:
    return service.parse_time(name, raw) if raw is not None else None


@endpoint(
    "Every announcement, drafts and ended ones too, newest first",
    auth="user",
    scopes=("admin:read",),
    response=entities.AdminAnnouncement,
    many=True,
    errors=(403,),
)
async def list_all(request: Request) -> Response:
    await require_admin(request, "admin:read")
    ctx = get_context(request)
    return json_response([render_admin(ctx, r) for r in await service.all_announcements(ctx.db)])


@endpoint(
    "Write an announcement (published at once unless a draft)",
    auth="user",
    scopes=("admin:write",),
    body=AnnouncementForm,
    response=entities.AdminAnnouncement,
    errors=(403,),
)
async def create(request: Request) -> Response:
    await require_admin(request, "admin:write")
    ctx = get_context(request)
    form = await parse(request, AnnouncementForm)
    draft = service.Draft(
        form.text,
        _time("starts_at", form.starts_at),
        _time("ends_at", form.ends_at),
        form.all_day,
    )
    row = await service.create(ctx.db, draft, published=form.published)
    ctx.events.wake()
    return json_response(render_admin(ctx, row))


@endpoint(
    "Change an announcement (a published one is sent to everyone again)",
    auth="user",
    scopes=("admin:write",),
    body=AnnouncementChanges,
    response=entities.AdminAnnouncement,
    errors=(403, 404),
)
async def change(request: Request) -> Response:
    await require_admin(request, "admin:write")
    ctx = get_context(request)
    announcement_id = parse_id(request.path_params["id"])
    form = await parse(request, AnnouncementChanges)
    given = form.model_fields_set
    row = await service.change(
        ctx.db,
        announcement_id,
        text=form.text,
        starts_at=_time("starts_at", form.starts_at) if "starts_at" in given else service.KEEP,
        ends_at=_time("ends_at", form.ends_at) if "ends_at" in given else service.KEEP,
        all_day=form.all_day,
    )
    ctx.events.wake()
    return json_response(render_admin(ctx, row))


async def _publishing(request: Request, published: bool) -> Response:
    await require_admin(request, "admin:write")
    ctx = get_context(request)
    announcement_id = parse_id(request.path_params["id"])
    row = await service.set_published(ctx.db, announcement_id, published)
    ctx.events.wake()
    return json_response(render_admin(ctx, row))


@endpoint(
    "Publish an announcement (from now)",
    auth="user",
    scopes=("admin:write",),
    response=entities.AdminAnnouncement,
    errors=(403, 404),
)
async def publish(request: Request) -> Response:
    return await _publishing(request, True)


@endpoint(
    "Take an announcement back (a draft again)",
    auth="user",
    scopes=("admin:write",),
    response=entities.AdminAnnouncement,
    errors=(403, 404),
)
async def unpublish(request: Request) -> Response:
    return await _publishing(request, False)


@endpoint(
    "End an announcement now",
    auth="user",
    scopes=("admin:write",),
    response=entities.AdminAnnouncement,
    errors=(403, 404),
)
async def end(request: Request) -> Response:
    await require_admin(request, "admin:write")
    ctx = get_context(request)
    row = await service.end(ctx.db, parse_id(request.path_params["id"]))
    ctx.events.wake()
    return json_response(render_admin(ctx, row))


@endpoint(
    "Delete an announcement, its reactions and who read it",
    auth="user",
    scopes=("admin:write",),
    response=web_entities.Empty,
    errors=(403, 404),
)
async def delete(request: Request) -> Response:
    await require_admin(request, "admin:write")
    ctx = get_context(request)
    await service.remove(ctx.db, parse_id(request.path_params["id"]))
    ctx.events.wake()
    return json_response({})


routes = [
    Route("/api/v1/admin/announcements", list_all, methods=["GET"]),
    Route("/api/v1/admin/announcements", create, methods=["POST"]),
    Route("/api/v1/admin/announcements/{id}", change, methods=["PUT"]),
    Route("/api/v1/admin/announcements/{id}", delete, methods=["DELETE"]),
    Route("/api/v1/admin/announcements/{id}/publish", publish, methods=["POST"]),
    Route("/api/v1/admin/announcements/{id}/unpublish", unpublish, methods=["POST"]),
    Route("/api/v1/admin/announcements/{id}/end", end, methods=["POST"]),
]
