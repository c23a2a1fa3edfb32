"""Admin API (our extensions so far): the event pipeline's queue state."""

from __future__ import annotations

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from social.platform.context import get_context
from social.platform.db.models import User
from social.web.caller import Caller, require_user
from social.web.errors import ApiError
from social.web.openapi import endpoint
from social.web.responses import json_response


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
