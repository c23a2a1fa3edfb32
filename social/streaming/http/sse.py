"""The server-sent-events form (`GET /api/v1/streaming/public` ...), and the health check."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse

from social.streaming.client import Client
from social.streaming.http.listener import Refused, authenticate
from social.streaming.protocol import (
    StreamError,
    StreamSpec,
    error_frame,
    parse_position,
    parse_stream,
    sse_event,
)
from social.streaming.session import StreamSession
from social.web.context import get_context
from social.web.errors import ApiError, not_found

PATHS = {
    "user": "user",
    "user/notification": "user:notification",
    "public": "public",
    "public/local": "public:local",
    "hashtag": "hashtag",
    "hashtag/local": "hashtag:local",
    "direct": "direct",
    "list": "list",
}


def _encode(_label: list[str], event: str, payload: str, entry_id: str | None) -> str:
    return sse_event(event, payload, entry_id)


async def health(_request: Request) -> Response:
    return PlainTextResponse("OK")


async def stream_events(request: Request) -> Response:
    ctx = get_context(request)
    path = request.path_params.get("path")
    if path is not None and path not in PATHS:
        raise not_found()
    name = PATHS[path] if path is not None else request.query_params.get("stream")
    try:
        viewer = await authenticate(request, ctx)
        params = request.query_params
        spec = parse_stream(name, params.get("tag"), params.get("list"))
        viewer.check(spec)
        since = parse_position(
            request.headers.get("last-event-id") or request.query_params.get("since")
        )
    except Refused:
        raise ApiError(401, "The access token is invalid") from None
    except StreamError as exc:
        raise ApiError(exc.status, exc.message) from None
    client = Client(ctx.settings.streaming_queue_max, _encode, viewer.session_id)
    session = StreamSession(ctx, client, viewer)
    return StreamingResponse(
        _events(session, spec, since, ctx.settings.streaming_ping_interval_s),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


async def _events(
    session: StreamSession, spec: StreamSpec, since: str | None, ping_s: float
) -> AsyncIterator[str]:
    client = session.client
    session.ctx.streams.watch(client)
    try:
        try:
            await session.subscribe(spec, since)
        except StreamError as exc:
            yield sse_event("error", error_frame(exc.message, exc.status), None)
            return
        yield ":)\n\n"  # subscribed: what is published from now on arrives
        while True:
            try:
                text = await asyncio.wait_for(client.next(), ping_s)
            except TimeoutError:
                yield ":thump\n\n"
                continue
            if text is None:
                return
            yield text
    finally:
        await session.close()
