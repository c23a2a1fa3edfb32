"""Server-side sessions and opaque access tokens in Redis, with a Starlette auth backend."""

from .auth import (
    CsrfFailed,
    InvalidToken,
    SessionAuthBackend,
    SessionAuthError,
    SessionUser,
    auth_error_response,
)
from .cookies import COOKIE_NAME, clear_session_cookie, set_session_cookie
from .errors import SessionStoreError
from .models import IssuedToken, Session
from .store import SessionStore
from .tokens import new_csrf_token
from .types import AnyRedis

__all__ = [
    "COOKIE_NAME",
    "AnyRedis",
    "CsrfFailed",
    "InvalidToken",
    "IssuedToken",
    "Session",
    "SessionAuthBackend",
    "SessionAuthError",
    "SessionStore",
    "SessionStoreError",
    "SessionUser",
    "auth_error_response",
    "clear_session_cookie",
    "new_csrf_token",
    "set_session_cookie",
]
