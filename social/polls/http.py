"""Polls: view one and vote in it (Mastodon's /api/v1/polls)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from social.platform.context import AppContext
from social.polls import entities, service
from social.statuses.render import render_one
from social.web.caller import require_user, viewer_id
from social.web.context import get_context
from social.web.openapi import endpoint
from social.web.params import parse, parse_id
from social.web.responses import json_response


async def _poll_json(ctx: AppContext, status_id: int, viewer: int | None) -> dict[str, Any]:
    """The poll as its status shows it to the viewer (the one path that renders polls)."""
    poll: dict[str, Any] = (await render_one(ctx, status_id, viewer))["poll"]
    return poll


@endpoint(
    "A poll (public if its status is; otherwise for those who may see the status)",
    auth="optional",
    response=entities.Poll,
    errors=(404,),
)
async def show(request: Request) -> Response:
    ctx = get_context(request)
    viewer = viewer_id(request)
    poll_id = parse_id(request.path_params["id"])
    status_id = await service.visible_status_of(ctx, poll_id, viewer)
    return json_response(await _poll_json(ctx, status_id, viewer))


class VoteForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    choices: list[int] = Field(min_length=1, max_length=100, description="option indexes")

    @field_validator("choices", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return [value] if isinstance(value, str | int) else value


@endpoint(
    "Vote in a poll: one choice, or several in a multiple-choice poll",
    auth="user",
    scopes=("write:statuses",),
    body=VoteForm,
    response=entities.Poll,
    errors=(403, 404),
)
async def vote(request: Request) -> Response:
    caller = require_user(request, "write:statuses")
    ctx = get_context(request)
    poll_id = parse_id(request.path_params["id"])
    # as Mastodon: an unknown or hidden poll is a 404 whatever the body
    status_id = await service.visible_status_of(ctx, poll_id, caller.account_id)
    form = await parse(request, VoteForm)
    await service.vote(ctx, caller.account_id, poll_id, form.choices, status_id=status_id)
    return json_response(await _poll_json(ctx, status_id, caller.account_id))


routes = [
    Route("/api/v1/polls/{id}", show, methods=["GET"]),
    Route("/api/v1/polls/{id}/votes", vote, methods=["POST"]),
]
