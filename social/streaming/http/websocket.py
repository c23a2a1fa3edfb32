"""`GET /api/v1/streaming` upgraded to a WebSocket (Mastodon's protocol, plus positions)."""

from __future__ import annotations

import asyncio
import contextlib

from starlette.websockets import WebSocket, WebSocketDisconnect

from social.streaming.client import CLOSE_POLICY, Client
from social.streaming.http.listener import Refused, authenticate
from social.streaming.protocol import (
    StreamError,
    StreamSpec,
    error_frame,
    frame,
    parse_position,
    parse_stream,
)
from social.streaming.session import StreamSession
from social.streaming.viewer import Viewer
from social.web.context import get_context
from social.web.frames import frame_writer


async def streaming_socket(websocket: WebSocket) -> None:
    ctx = get_context(websocket)
    try:
        viewer = await authenticate(websocket, ctx)
        initial, since, problem = _initial(websocket, viewer)
    except (Refused, StreamError):
        await websocket.close(CLOSE_POLICY)  # before accepting: the handshake gets a 403
        return
    await websocket.accept(subprotocol=viewer.subprotocol)
    client = Client(
        ctx.settings.streaming_queue_max, frame, viewer.session_id, frame_writer(websocket.scope)
    )
    ctx.streams.watch(client)
    session = StreamSession(ctx, client, viewer)
    writer = asyncio.create_task(_write(websocket, client))
    reader = asyncio.create_task(_read(websocket, session))
    try:
        if problem is not None:
            client.offer(error_frame(problem.message, problem.status))
        elif initial is not None:
            await session.handle_subscribe(initial, since)
        # The writer may be stuck sending to a slow client: closing does not wait for it.
        await asyncio.wait({writer, reader, client.closing}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (reader, writer):
            task.cancel()
        await asyncio.gather(reader, writer, return_exceptions=True)
        await session.close()
    if client.close_code is not None:
        with contextlib.suppress(RuntimeError, OSError):
            await websocket.close(client.close_code)


def _initial(
    websocket: WebSocket, viewer: Viewer
) -> tuple[StreamSpec | None, str | None, StreamError | None]:
    """The stream asked for on connect. Missing credentials are refused before the upgrade;
    other mistakes are reported in an error frame."""
    params = websocket.query_params
    if "stream" not in params:
        return None, None, None
    try:
        spec = parse_stream(params["stream"], params.get("tag"), params.get("list"))
        since = parse_position(params.get("since"))
    except StreamError as exc:
        return None, None, exc
    viewer.check(spec)
    return spec, since, None


async def _write(websocket: WebSocket, client: Client) -> None:
    while (text := await client.next()) is not None:
        await websocket.send_text(text)


async def _read(websocket: WebSocket, session: StreamSession) -> None:
    with contextlib.suppress(WebSocketDisconnect):
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            text = message.get("text")
            if text is None:
                session.client.offer(error_frame("Messages must be text", 400))
                continue
            await session.handle_text(text)
