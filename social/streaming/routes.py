"""The streaming routes: WebSocket, server-sent events, health."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route, WebSocketRoute

from social.streaming.sse import health, stream_events
from social.streaming.websocket import streaming_socket

routes: list[BaseRoute] = [
    Route("/api/v1/streaming/health", health, methods=["GET", "HEAD"]),
    WebSocketRoute("/api/v1/streaming", streaming_socket),
    Route("/api/v1/streaming", stream_events, methods=["GET"]),
    Route("/api/v1/streaming/{path:path}", stream_events, methods=["GET"]),
]
