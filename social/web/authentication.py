"""Who is calling: the bearer token's session, or the admin dashboard's cookie session.

It sets `scope["user"]` and `scope["auth"]` as Starlette's `AuthenticationMiddleware` with the
`sessions` backend would, with the same refusals: a bearer token that is no live session (or
an Authorization header without credentials) is a 401; a write authenticated by the
dashboard's cookie without its CSRF token is a 403; another scheme (`Basic` client
credentials for the token endpoint) is left to the route; a bad cookie is anonymous, and so is
the dashboard's cookie outside the dashboard.

A token's session comes from the near cache when it holds it: no round trip. It is kept there
read without a touch (a touch is a write, and Redis would report it and drop the entry) until
`TOUCH_AFTER_S`, or a tenth of its idle timeout, has passed since its last touch; the next
request then touches it in the background, so its idle expiry still slides while in use.
"""

from __future__ import annotations

import hmac
import logging

from starlette.authentication import AuthCredentials, UnauthenticatedUser
from starlette.requests import HTTPConnection, cookie_parser
from starlette.responses import Response
from starlette.types import Scope

from sessions import (
    COOKIE_NAME,
    CsrfFailed,
    InvalidToken,
    Session,
    SessionStoreError,
    SessionUser,
    auth_error_response,
)
from sessions.auth import SAFE_METHODS, credentials
from social.platform.context import AppContext

log = logging.getLogger(__name__)

TOUCH_AFTER_S = 60.0
COOKIE_PATHS = ("/admin",)
"""Where the dashboard's cookie means anything; elsewhere a request carrying it is anonymous
(the sign-in pages of OAuth have a cookie of their own, and the API takes tokens)."""
ANONYMOUS = UnauthenticatedUser()
NO_CREDENTIALS = AuthCredentials()


class Authenticator:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.tokens = ctx.tokens
        self.cookies = ctx.cookies
        self._touching: set[str] = set()

    async def authenticate(
        self,
        scope: Scope,
        authorization: bytes | None,
        cookie: bytes | None,
        csrf: bytes | None,
    ) -> Response | None:
        """Sets who is calling, from the request's (first) Authorization, Cookie and
        X-CSRF-Token headers; returns the refusal to send instead of the request's answer."""
        if authorization is not None:
            scheme, _, rest = authorization.decode("latin-1").strip().partition(" ")
            token = rest.strip()
            if not token:
                return _refusal(scope, InvalidToken())
            if scheme.lower() == "bearer":
                session = await self.session(token)
                if session is None:
                    return _refusal(scope, InvalidToken())
                scope["user"] = SessionUser(session, token, "bearer")
                scope["auth"] = credentials(session)
                return None
        scope["user"], scope["auth"] = ANONYMOUS, NO_CREDENTIALS
        if cookie is None or not scope["path"].startswith(COOKIE_PATHS):
            return None
        token = cookie_parser(cookie.decode("latin-1")).get(COOKIE_NAME, "")
        session = await self.cookies.resolve(token) if token else None
        if session is None:
            return None
        if scope["method"] not in SAFE_METHODS:
            expected = session.data.get("csrf", "").encode()
            if not expected or not hmac.compare_digest(expected, csrf or b""):
                return _refusal(scope, CsrfFailed())
        scope["user"] = SessionUser(session, token, "cookie")
        scope["auth"] = credentials(session)
        return None

    async def session(self, token: str) -> Session | None:
        """The token's live session: from process memory if the near cache holds it, else
        from Redis (one round trip)."""
        tokens, near = self.tokens, self.ctx.near
        if near is None or not near.enabled:
            return await tokens.resolve(token)
        key = tokens.session_key(token)
        if key is None:
            return None
        cached: Session | None = near.get(key)
        if cached is not None:
            near.count(1, 0)
            return cached
        near.count(0, 1)
        near.begin([key])
        fill: dict[str, Session] = {}
        ttl_s = 0.0
        try:
            found = await tokens.peek(token)
            if found is None:
                return None
            session, now_s = found
            # kept until it expires or its next touch is due, whichever comes first
            idle_s = session.idle_expires_at - session.last_seen_at
            touch_at = session.last_seen_at + min(TOUCH_AFTER_S, idle_s / 10)
            ttl_s = min(session.expires_at, touch_at) - now_s
            if ttl_s > 0:
                fill[key] = session
            else:
                self._touch(token, key)
            return session
        finally:
            near.end([key], fill, ttl_s)

    def _touch(self, token: str, key: str) -> None:
        if key in self._touching:  # (by its key: no token outlives its requests here)
            return
        self._touching.add(key)

        async def touch() -> None:
            try:
                await self.tokens.resolve(token)
            except SessionStoreError as exc:
                log.warning("touching a session failed: %r", exc)
            finally:
                self._touching.discard(key)

        self.ctx.spawn(touch())


def _refusal(scope: Scope, error: InvalidToken | CsrfFailed) -> Response:
    return auth_error_response(HTTPConnection(scope), error)
