"""Starlette authentication: bearer tokens and, optionally, a session cookie with CSRF checks."""

from __future__ import annotations

import functools
import hmac

from starlette.authentication import (
    AuthCredentials,
    AuthenticationBackend,
    AuthenticationError,
    BaseUser,
)
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse, Response

from .cookies import COOKIE_NAME
from .models import Session
from .store import SessionStore

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class SessionAuthError(AuthenticationError):
    """An authentication failure with the status and body `auth_error_response` answers."""

    status_code = 401
    message = "Unauthorized"
    headers: dict[str, str] = {}

    def __init__(self) -> None:
        super().__init__(self.message)


class InvalidToken(SessionAuthError):
    message = "The access token is invalid"
    headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'}


class CsrfFailed(SessionAuthError):
    status_code = 403
    message = "CSRF token missing or invalid"


def auth_error_response(conn: HTTPConnection, exc: AuthenticationError) -> Response:
    """The `on_error` of `AuthenticationMiddleware`: Mastodon-style JSON errors."""
    if isinstance(exc, SessionAuthError):
        return JSONResponse({"error": exc.message}, exc.status_code, headers=exc.headers)
    return JSONResponse({"error": str(exc) or "Unauthorized"}, 401)


class SessionUser(BaseUser):
    def __init__(self, session: Session, token: str, via: str) -> None:
        self.session = session
        self.token = token
        self.via = via

    def __repr__(self) -> str:
        return (
            f"SessionUser(user_id={self.user_id!r}, session={self.session.id!r}, via={self.via!r})"
        )

    @property
    def user_id(self) -> str:
        return self.session.user_id

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def display_name(self) -> str:
        return self.session.user_id

    @property
    def identity(self) -> str:
        return self.session.user_id


class SessionAuthBackend(AuthenticationBackend):
    """`Authorization: Bearer <token>` against `store`; without one, the session cookie against
    `cookie_store` (if given). A bad bearer token or a malformed Authorization header is a 401;
    another scheme (`Basic ...`) is left to the route; a bad cookie is anonymous.
    Cookie-authenticated HTTP requests other than GET/HEAD/OPTIONS/TRACE must echo the
    session's `csrf` data field in `csrf_header`, else 403. `SessionStoreError` propagates.
    """

    def __init__(
        self,
        store: SessionStore,
        *,
        cookie_store: SessionStore | None = None,
        cookie_name: str = COOKIE_NAME,
        csrf_header: str = "X-CSRF-Token",
    ) -> None:
        self.store = store
        self.cookie_store = cookie_store
        self.cookie_name = cookie_name
        self.csrf_header = csrf_header

    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser] | None:
        header = conn.headers.get("authorization")
        if header is not None:
            scheme, _, token = header.strip().partition(" ")
            token = token.strip()
            if not token:
                raise InvalidToken()
            if scheme.lower() == "bearer":
                session = await self.store.resolve(token)
                if session is None:
                    raise InvalidToken()
                return credentials(session), SessionUser(session, token, "bearer")
            # another scheme (`Basic` client credentials on the token endpoint) is not ours
        if self.cookie_store is None:
            return None
        token = conn.cookies.get(self.cookie_name, "")
        session = await self.cookie_store.resolve(token) if token else None
        if session is None:
            return None
        if conn.scope["type"] == "http" and conn.scope["method"] not in SAFE_METHODS:
            expected = session.data.get("csrf", "").encode()
            sent = conn.headers.get(self.csrf_header, "").encode()
            if not expected or not hmac.compare_digest(expected, sent):
                raise CsrfFailed()
        return credentials(session), SessionUser(session, token, "cookie")


def credentials(session: Session) -> AuthCredentials:
    """What Starlette keeps in `scope["auth"]`: the session's scopes, and "authenticated".
    One object per distinct scope string, shared by every request with it: read, don't change
    it."""
    return _credentials(session.data.get("scopes", ""))


@functools.lru_cache(maxsize=1024)
def _credentials(scopes: str) -> AuthCredentials:
    return AuthCredentials([*scopes.split(), "authenticated"])
