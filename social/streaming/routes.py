"""The streaming routes: WebSocket, server-sent events, health."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route, WebSocketRoute

from social.streaming.sse import health, stream_events
from social.streaming.websocket import streaming_socket

STREAMING_PATH = "/api/v1/streaming"

# The WebSocket route is listed for the route table; SocialApp serves it on a shorter path.
routes: list[BaseRoute] = [
    Route("/api/v1/streaming/health", health, methods=["GET", "HEAD"]),
    WebSocketRoute(STREAMING_PATH, streaming_socket),
    Route(STREAMING_PATH, stream_events, methods=["GET"]),
    Route("/api/v1/streaming/{path:path}", stream_events, methods=["GET"]),
]
