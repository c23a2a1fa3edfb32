"""`create_app(settings)`: the application, every route behind the one front layer."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import AsyncIterator
from typing import Any, cast

from starlette.applications import Starlette
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from social.accounts import http as accounts
from social.admin.http import queues as admin
from social.admin.http import routes as dashboard_routes
from social.announcements import http as announcements
from social.bookmarks import http as bookmarks
from social.config import Settings
from social.consumers import register_consumers
from social.conversations import http as conversations
from social.filters import http as filters
from social.follows import http as follows
from social.instance import http as instance
from social.jobs import register_jobs
from social.lists import http as lists
from social.markers import http as markers
from social.media import http as media
from social.notifications import http as notifications
from social.oauth.http import apps, authorize, sessions
from social.oauth.http import token as oauth
from social.pins import http as pins
from social.platform import ids, logs
from social.polls import http as polls
from social.relations import http as relations
from social.scheduled import http as scheduled
from social.search import http as search
from social.statuses import http as statuses
from social.streaming import http as streaming
from social.streaming.http import STREAMING_PATH
from social.streaming.http.websocket import streaming_socket
from social.tags import http as tags
from social.timelines import http as timelines
from social.trends import http as trends
from social.web import operations as health
from social.web.front import Front
from social.web.outages import escaped
from social.web.ratelimits import rate_limits
from social.web.router import Router
from social.wiring import build


def all_routes() -> list[BaseRoute]:
    # An exact path wins over a templated one (social/web/router.py): follows'
    # /accounts/relationships over accounts' /accounts/{id}, whatever the order here.
    modules = (
        timelines,
        instance,
        apps,
        oauth,
        authorize,
        follows,
        relations,
        accounts,
        statuses,
        notifications,
        markers,
        sessions,
        admin,
        health,
        trends,
        streaming,
        announcements,
        bookmarks,
        pins,
        filters,
        conversations,
        tags,
        lists,
        search,
        media,
        polls,
        scheduled,
    )
    return [route for module in modules for route in module.routes] + dashboard_routes


class SocialApp(Starlette):
    """Starlette's application object (its routes, state and lifespan), with every HTTP
    request answered by the front layer (social/web/front.py) and WebSockets on a short path:
    errors, then the streaming endpoint. A socket lives for hours, and each layer it passed
    would keep a suspended frame for as long; the streaming endpoint authenticates its own
    listeners."""

    front: Front
    entry: ASGIApp
    """What a connection meets first: `_dispatch`, or behind trusted reverse proxies uvicorn's
    proxy-headers middleware before it (their `X-Forwarded-Proto` and `-For` believed, so
    that the URLs written from the request, `Link` among them, say https)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.entry(scope, receive, send)

    async def _dispatch(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["app"] = self
        kind = scope["type"]
        if kind == "http":
            await self.front(scope, receive, send)
        elif kind == "websocket":
            await _websocket(scope, receive, send)
        else:
            await self.router.lifespan(scope, receive, send)


async def _websocket(scope: Scope, receive: Receive, send: Send) -> None:
    accepted = False

    async def tracking(message: Any) -> None:
        nonlocal accepted
        accepted = accepted or message["type"] == "websocket.accept"
        await send(message)

    try:
        if scope["path"].rstrip("/") != STREAMING_PATH:
            await send({"type": "websocket.close", "code": 1000})  # refused: a 403 handshake
            return
        await streaming_socket(WebSocket(scope, receive, tracking))
    except Exception as exc:
        escaped(exc, scope)
        if not accepted:
            await send({"type": "websocket.close", "code": 1011})


UPLOAD_FORM_BYTES = 64 * 1024


def create_app(settings: Settings | None = None) -> SocialApp:
    settings = settings or Settings.from_env()
    ctx = build(settings)
    register_consumers(ctx)
    register_jobs(ctx)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        logs.install()
        await ids.claim_node(ctx.redis, ctx.keys.id_nodes())
        if settings.in_process_workers:
            await ctx.events.start()
            await ctx.scheduler.start(ctx)
        try:
            yield
        finally:
            await ctx.close()

    routes = all_routes()
    app = SocialApp(routes=routes, lifespan=lifespan)
    app.state.ctx = ctx
    limits = rate_limits(ctx) if settings.ratelimit_enabled else None
    app.front = Front(
        ctx,
        Router(routes),
        limits,
        max_body_bytes=settings.max_body_bytes,
        upload_paths=frozenset((*media.UPLOAD_PATHS, "/api/v1/accounts/update_credentials")),
        # the file and the form around it (description, focus, multipart boundaries)
        max_upload_bytes=settings.media_max_bytes + UPLOAD_FORM_BYTES,
    )
    app.entry = app._dispatch
    if settings.proxies:
        proxied = ProxyHeadersMiddleware(app._dispatch, trusted_hosts=settings.proxies)  # type: ignore[arg-type]
        app.entry = cast(ASGIApp, proxied)  # uvicorn types ASGI its own way
    return app


def app_factory() -> SocialApp:
    """For `uvicorn --factory social.app:app_factory` (what `social serve` runs)."""
    app = create_app(Settings.from_env())
    # What startup made (modules, routes, settings) lives as long as the server: out of the
    # collector's way, its full collections stay short (they were the p99's tail). Only here,
    # once a process: tests build many apps in one process and let them go.
    gc.collect()
    gc.freeze()
    return app
