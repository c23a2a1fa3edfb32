"""Counts requests and their latency per route template (never per raw path: ids would explode)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from social.platform.metrics import Metrics


class MetricsMiddleware:
    def __init__(self, app: ASGIApp, *, metrics: Metrics, routes: Iterable[BaseRoute]) -> None:
        self.app = app
        self.metrics = metrics
        self.templates: dict[Callable[..., Any], str] = {
            route.endpoint: route.path for route in routes if isinstance(route, Route)
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            route = self.templates.get(scope.get("endpoint"), "unmatched")  # type: ignore[arg-type]
            self.metrics.http_requests.add((scope["method"], route, str(status)))
            self.metrics.latency(route).observe(time.perf_counter() - started)
