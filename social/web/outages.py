"""What an exception no handler caught answers: 503 for an outage of a dependency, 500 (logged
with its traceback) for a bug; never a traceback to the client."""

from __future__ import annotations

import logging

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.types import Scope

from sessions import SessionStoreError
from social.web.errors import ApiError, unavailable

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
