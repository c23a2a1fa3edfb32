"""`create_app(settings)`: the Starlette application."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.routing import BaseRoute
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket

from sessions import SessionAuthBackend, auth_error_response
from social.accounts import avatars_http as static
from social.accounts import http as accounts
from social.admin.http import queues as admin
from social.admin.http import routes as dashboard_routes
from social.config import Settings
from social.consumers import register_consumers
from social.follows import http as follows
from social.instance import http as instance
from social.notifications import http as notifications
from social.oauth.http import apps, sessions
from social.oauth.http import token as oauth
from social.platform import ids, logs
from social.platform.errors import DomainError
from social.statuses import http as statuses
from social.streaming import http as streaming
from social.streaming.http import STREAMING_PATH
from social.streaming.http.websocket import streaming_socket
from social.timelines import http as timelines
from social.trends import http as trends
from social.web import operations as health
from social.web.errors import ApiError, api_error_handler, http_exception_handler
from social.web.home_lane import HOME_PATH, HomeLane
from social.web.middleware_body_limit import BodyLimitMiddleware
from social.web.middleware_errors import ErrorMiddleware
from social.web.middleware_metrics import MetricsMiddleware
from social.web.ratelimits import rate_limit_middleware, rate_limits
from social.wiring import build


def all_routes() -> list[BaseRoute]:
    # Starlette tries routes in order: the most requested first (a home timeline read went
    # through 25 routes before its own). Follows stays before accounts: its
    # /accounts/relationships must win over /accounts/{id}.
    modules = (
        timelines,
        instance,
        apps,
        oauth,
        follows,
        accounts,
        statuses,
        notifications,
        sessions,
        admin,
        health,
        static,
        trends,
        streaming,
    )
    return [route for module in modules for route in module.routes] + dashboard_routes


class SocialApp(Starlette):
    """Starlette, with WebSockets on a short path: only the error middleware, then the
    streaming endpoint. A socket lives for hours, and each middleware and routing layer it
    passed would keep a suspended frame for as long (about 7 KB a socket in all); none of the
    others acts on WebSockets (the streaming endpoint authenticates its own listeners)."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._websocket = ErrorMiddleware(_websocket_route)
        self.home_lane: HomeLane | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            if self.home_lane is not None and scope.get("path") == HOME_PATH:
                scope["app"] = self
                await self.home_lane(scope, receive, send)
                return
            await super().__call__(scope, receive, send)
            return
        scope["app"] = self
        await self._websocket(scope, receive, send)


async def _websocket_route(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["path"].rstrip("/") != STREAMING_PATH:
        await send({"type": "websocket.close", "code": 1000})  # refused: a 403 handshake
        return
    await streaming_socket(WebSocket(scope, receive, send))


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    ctx = build(settings)
    register_consumers(ctx)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        logs.install()
        await ids.claim_node(ctx.redis, ctx.keys.id_nodes())
        if settings.in_process_workers:
            await ctx.events.start()
        try:
            yield
        finally:
            await ctx.close()

    backend = SessionAuthBackend(ctx.tokens, cookie_store=ctx.cookies)
    routes = all_routes()
    limits = rate_limits(ctx) if settings.ratelimit_enabled else None
    app = SocialApp(
        routes=routes,
        middleware=[
            Middleware(ErrorMiddleware),
            Middleware(MetricsMiddleware, metrics=ctx.metrics, routes=routes),
            Middleware(BodyLimitMiddleware, max_body_bytes=settings.max_body_bytes),
            Middleware(AuthenticationMiddleware, backend=backend, on_error=auth_error_response),
            *([rate_limit_middleware(ctx, limits)] if limits is not None else []),
        ],
        exception_handlers={
            ApiError: api_error_handler,
            DomainError: api_error_handler,
            HTTPException: http_exception_handler,
        },
        lifespan=lifespan,
    )
    app.state.ctx = ctx
    if HomeLane.available(ctx):
        app.home_lane = HomeLane(ctx, super(SocialApp, app).__call__, limits)
    return app


def app_factory() -> Starlette:
    """For `uvicorn --factory social.app:app_factory` (what `social serve` runs)."""
    app = create_app(Settings.from_env())
    # What startup made (modules, routes, settings) lives as long as the server: out of the
    # collector's way, its full collections stay short (they were the p99's tail). Only here,
    # once a process: tests build many apps in one process and let them go.
    gc.collect()
    gc.freeze()
    return app
