"""Admin API (our extensions so far): the event pipeline's queue state."""

from __future__ import annotations

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from social.auth import Caller, require_user
from social.context import get_context
from social.db.models import User
from social.errors import ApiError
from social.openapi import endpoint
from social.responses import json_response


async def require_admin(request: Request, scope: str) -> Caller:
    caller = require_user(request, scope)
    ctx = get_context(request)
    async with ctx.db() as db:
        role = (
            await db.execute(select(User.role).where(User.account_id == caller.account_id))
        ).scalar()
    if role != "admin":
        raise ApiError(403, "This action is not allowed")
    return caller


@endpoint(
    "Event pipeline state: stream length, unsent outbox rows, lag, pending, dead letters",
    auth="user",
    scopes=("admin:read",),
    errors=(403,),
)
async def queues(request: Request) -> Response:
    await require_admin(request, "admin:read")
    return json_response(await get_context(request).events.stats())


routes = [Route("/api/v1/admin/queues", queues, methods=["GET"])]
