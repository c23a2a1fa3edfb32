"""Media attachments (Mastodon's /api/v1/media, /api/v2/media) and the files themselves
(`/system/media/<key>`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from social.media import entities
from social.media.render import render_job, render_media
from social.media.service import (
    PROCESSING_FAILED,
    Description,
    Focus,
    Upload,
    delete_upload,
    describe,
    jobs_page,
    own_unattached,
    parse_focus,
    storage,
    upload,
)
from social.media.storage import served_type
from social.platform.db.models import MediaAttachment
from social.platform.paging import PageQuery
from social.web.caller import require_admin, require_user
from social.web.context import get_context
from social.web.entities import Empty
from social.web.errors import ApiError, not_found
from social.web.openapi import endpoint
from social.web.paging import link_header
from social.web.params import parse, parse_id, parse_query, parse_with_files
from social.web.responses import json_response

FILE_HEADERS = {
    "Cache-Control": "public, max-age=31536000, immutable",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
}
"""A key names one file forever (a new file gets a new key), so it may be cached for a year."""


class DescribeForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    description: Description = None
    focus: Focus = None


class UploadForm(DescribeForm):
    file: str | None = Field(
        default=None,
        description="the image (multipart); JPEG, PNG, GIF or WebP, recognised by its content",
    )


async def _upload(request: Request, *, inline: bool) -> tuple[MediaAttachment, str]:
    caller = require_user(request, "write:media")
    ctx = get_context(request)
    form, files = await parse_with_files(request, UploadForm, ("file",))
    data = files.get("file")
    if data is None:
        raise ApiError(
            422,
            "Validation failed: File can't be blank",
            details={"file": [{"error": "ERR_BLANK", "description": "can't be blank"}]},
        )
    row = await upload(
        ctx,
        caller.account_id,
        Upload(data, form.description or "", parse_focus(form.focus)),
        inline=inline,
    )
    return row, ctx.settings.base_url


@endpoint(
    "Upload an image, processed in the background: 202 with `url: null` until done (poll "
    "GET /api/v1/media/:id), or 200 when small enough (up to SOCIAL_MEDIA_INLINE_MAX_PIXELS) "
    "to be processed at once",
    auth="user",
    scopes=("write:media",),
    body=UploadForm,
    response=entities.MediaAttachment,
    status=202,
    also=(200,),
    errors=(413, 422),
)
async def create_v2(request: Request) -> Response:
    row, base = await _upload(request, inline=False)
    return json_response(render_media(row, base), 200 if row.state == "ready" else 202)


@endpoint(
    "Upload an image, processed before the answer",
    auth="user",
    scopes=("write:media",),
    body=UploadForm,
    response=entities.MediaAttachment,
    errors=(413, 422),
)
async def create_v1(request: Request) -> Response:
    row, base = await _upload(request, inline=True)
    return json_response(render_media(row, base))


def _answer(row: MediaAttachment, base: str) -> Response:
    if row.state == "failed":
        raise ApiError(422, PROCESSING_FAILED)
    return json_response(render_media(row, base), 206 if row.state == "processing" else 200)


@endpoint(
    "One of your unattached uploads: 206 while processing, 200 once done, 422 if processing failed",
    auth="user",
    scopes=("write:media",),
    response=entities.MediaAttachment,
    also=(206,),
    errors=(404, 422),
)
async def show(request: Request) -> Response:
    caller = require_user(request, "write:media")
    ctx = get_context(request)
    row = await own_unattached(ctx, caller.account_id, parse_id(request.path_params["id"]))
    return _answer(row, ctx.settings.base_url)


@endpoint(
    "Describe an unattached upload (alt text, focal point)",
    auth="user",
    scopes=("write:media",),
    body=DescribeForm,
    response=entities.MediaAttachment,
    also=(206,),
    errors=(404, 422),
)
async def update(request: Request) -> Response:
    caller = require_user(request, "write:media")
    ctx = get_context(request)
    media_id = parse_id(request.path_params["id"])
    form = await parse(request, DescribeForm)
    await own_unattached(ctx, caller.account_id, media_id)
    row = await describe(
        ctx, caller.account_id, media_id, form.description, parse_focus(form.focus)
    )
    return _answer(row, ctx.settings.base_url)


@endpoint(
    "Delete an upload not attached to a status",
    auth="user",
    scopes=("write:media",),
    response=Empty,
    errors=(404, 422),
)
async def destroy(request: Request) -> Response:
    caller = require_user(request, "write:media")
    ctx = get_context(request)
    await delete_upload(ctx, caller.account_id, parse_id(request.path_params["id"]))
    return json_response({})


@endpoint("A media file (the server's key only)", errors=(404,), media_type="image/*")
async def serve(request: Request) -> Response:
    key = request.path_params["key"]
    content_type = served_type(key)
    if content_type is None:
        raise not_found()
    data = await storage(get_context(request)).get(key)
    if data is None:
        raise not_found()
    return Response(data, media_type=content_type, headers=FILE_HEADERS)


class JobsQuery(PageQuery):
    state: Literal["processing", "failed", "ready"] | None = Field(
        default=None, description="default: those not ready (processing or failed)"
    )


@endpoint(
    "The media jobs (our extension, for admins): each upload's processing state and error, "
    "newest first",
    auth="user",
    scopes=("admin:read",),
    query=JobsQuery,
    response=entities.MediaJob,
    many=True,
    errors=(403,),
)
async def jobs(request: Request) -> Response:
    await require_admin(request, "admin:read")
    q = parse_query(request, JobsQuery)
    states = (q.state,) if q.state else ("processing", "failed")
    found = await jobs_page(get_context(request), states, q)
    headers = {"Link": link_header(request, [r.id for r in found])} if found else {}
    return json_response([render_job(r) for r in found], headers=headers)


routes = [
    Route("/api/v1/admin/media_jobs", jobs, methods=["GET"]),
    Route("/api/v2/media", create_v2, methods=["POST"]),
    Route("/api/v1/media", create_v1, methods=["POST"]),
    Route("/api/v1/media/{id}", show, methods=["GET"]),
    Route("/api/v1/media/{id}", update, methods=["PUT"]),
    Route("/api/v1/media/{id}", destroy, methods=["DELETE"]),
    Route("/system/media/{key:path}", serve, methods=["GET"]),
]

UPLOAD_PATHS = ("/api/v2/media", "/api/v1/media")
"""Where a body may be as large as a file (the front layer's upload limit)."""
