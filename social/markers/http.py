"""Markers: read and save your position in the home and notifications timelines (Mastodon)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema, field_validator
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from social.markers import entities, service
from social.markers.render import by_timeline
from social.platform.paging import MAX_ID
from social.web.caller import require_user
from social.web.context import get_context
from social.web.openapi import endpoint
from social.web.params import parse, parse_query
from social.web.responses import json_response


class MarkersQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")

    timeline: list[str] = Field(
        default_factory=list, max_length=10, description="`home`, `notifications`; others: none"
    )

    @field_validator("timeline", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value


def _no_bool(value: object) -> object:
    if isinstance(value, bool):
        raise ValueError("must be an id")
    return value


LastReadId = Annotated[
    int,
    Field(ge=0, le=MAX_ID),
    BeforeValidator(_no_bool),
    WithJsonSchema(  # Mastodon documents a string; JSON clients may send the number
        {
            "anyOf": [
                {"type": "integer", "minimum": 0, "maximum": MAX_ID},
                {"type": "string", "pattern": "^[0-9]{1,19}$"},
            ]
        }
    ),
]


class MarkerPosition(BaseModel):
    model_config = ConfigDict(extra="ignore")

    last_read_id: LastReadId


class MarkersForm(BaseModel):
    """`home[last_read_id]=...`, `notifications[last_read_id]=...` (a form, or JSON objects)."""

    model_config = ConfigDict(extra="ignore")

    home: MarkerPosition | None = None
    notifications: MarkerPosition | None = None

    def positions(self) -> dict[str, int]:
        given: dict[str, Any] = {"home": self.home, "notifications": self.notifications}
        return {timeline: p.last_read_id for timeline, p in given.items() if p is not None}


@endpoint(
    "Your saved positions in the timelines asked (`timeline[]=`)",
    auth="user",
    scopes=("read:statuses",),
    query=MarkersQuery,
    response=entities.Markers,
)
async def get_markers(request: Request) -> Response:
    caller = require_user(request, "read:statuses")
    q = parse_query(request, MarkersQuery)
    found = await service.markers_of(get_context(request), caller.account_id, q.timeline)
    return json_response(by_timeline(found))


@endpoint(
    "Save your position in the home and/or notifications timeline",
    auth="user",
    scopes=("write:statuses",),
    body=MarkersForm,
    response=entities.Markers,
)
async def save_markers(request: Request) -> Response:
    caller = require_user(request, "write:statuses")
    form = await parse(request, MarkersForm)
    saved = await service.save(get_context(request), caller.account_id, form.positions())
    return json_response(by_timeline(saved))


routes = [
    Route("/api/v1/markers", get_markers, methods=["GET"]),
    Route("/api/v1/markers", save_markers, methods=["POST"]),
]
