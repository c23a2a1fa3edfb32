"""Admin API (our extensions so far): the event pipeline's and the scheduler's queue state."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from social.web.caller import require_admin
from social.web.context import get_context
from social.web.openapi import endpoint
from social.web.responses import json_response


@endpoint(
    "Event pipeline state: stream length, unsent outbox rows, lag, pending, dead letters; "
    "the scheduler's jobs per kind (pending, due, dead)",
    auth="user",
    scopes=("admin:read",),
    errors=(403,),
)
async def queues(request: Request) -> Response:
    await require_admin(request, "admin:read")
    ctx = get_context(request)
    return json_response({**await ctx.events.stats(), "scheduler": await ctx.scheduler.stats()})


routes = [Route("/api/v1/admin/queues", queues, methods=["GET"])]
