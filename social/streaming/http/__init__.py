"""The streaming routes: server-sent events and health (the WebSocket is SocialApp's)."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from social.streaming.http.sse import health, stream_events

STREAMING_PATH = "/api/v1/streaming"

# The WebSocket at STREAMING_PATH is served by SocialApp (social/app.py), past the routing.
routes: list[BaseRoute] = [
    Route("/api/v1/streaming/health", health, methods=["GET", "HEAD"]),
    Route(STREAMING_PATH, stream_events, methods=["GET"]),
    Route("/api/v1/streaming/{path:path}", stream_events, methods=["GET"]),
]
