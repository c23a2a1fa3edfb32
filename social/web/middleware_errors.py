"""Outermost middleware: what escapes becomes a JSON 500 (503 for an outage), never a traceback."""

from __future__ import annotations

import logging

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sessions import SessionStoreError
from social.web.errors import ApiError, error_response, unavailable

log = logging.getLogger("social.web.errors")

# Bare TimeoutError and ConnectionError: a dependency did not answer in time, or refused or
# dropped the connection (asyncpg raises these unwrapped: its command timeout, a database down).
OUTAGES = (
    SessionStoreError,
    RedisConnectionError,
    RedisTimeoutError,
    PoolTimeoutError,
    TimeoutError,
    ConnectionError,
)


def classify(exc: BaseException) -> ApiError | None:
    """The 503 an infrastructure outage deserves, or None for a bug."""
    if isinstance(exc, OUTAGES):
        return unavailable()
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return unavailable()
    if isinstance(exc, DBAPIError) and _is_timeout(exc):
        return unavailable()
    return None


def escaped(exc: Exception, scope: Scope) -> ApiError:
    """What an exception no handler caught answers: 503 for an outage (a warning), else a
    500, logged with its traceback as the bug it is."""
    error = classify(exc)
    if error is None:
        log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
        return ApiError(500, "Internal server error")
    log.warning("outage on %s: %r", scope.get("path"), exc)
    return error


def _is_timeout(exc: DBAPIError) -> bool:
    text = f"{type(exc.orig).__name__} {exc.orig}".lower()
    return "timeout" in text or "database is locked" in text or "canceling statement" in text


class ErrorMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] in ("http.response.start", "websocket.accept"):
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            error = escaped(exc, scope)
            if scope["type"] == "websocket":
                if not started:
                    await send({"type": "websocket.close", "code": 1011})
                return
            if not started:
                await error_response(error)(scope, receive, send)
