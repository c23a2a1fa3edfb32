"""`GET /admin/live`: server-sent events, a dashboard snapshot every few seconds."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import orjson
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from sessions import SessionStoreError
from social.admin.http.session import current_admin
from social.admin.snapshot import snapshot
from social.platform.context import AppContext
from social.web.context import get_context
from social.web.errors import ApiError

INTERVAL_S = 2.0
log = logging.getLogger("social.admin.http")


def event(data: object, name: str | None = None) -> bytes:
    head = f"event: {name}\n".encode() if name else b""
    return head + b"data: " + orjson.dumps(data) + b"\n\n"


async def _events(ctx: AppContext, token: str, interval_s: float) -> AsyncIterator[bytes]:
    yield b"retry: 3000\n\n"
    while True:
        try:
            # the session is checked on every tick: signing out elsewhere ends the stream
            if await ctx.cookies.resolve(token) is None:
                yield event({}, "signed-out")
                return
            yield event(await snapshot(ctx))
        except (ApiError, RedisError, SessionStoreError, SQLAlchemyError) as exc:
            log.warning("dashboard snapshot failed: %r", exc)
            yield event({"error": "Service temporarily unavailable"}, "outage")
        await asyncio.sleep(interval_s)


async def live(request: Request) -> Response:
    admin = await current_admin(request)
    if admin is None:
        raise ApiError(401, "Sign in as an admin first")
    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(
        _events(get_context(request), admin.token, INTERVAL_S),
        media_type="text/event-stream",
        headers=headers,
    )
