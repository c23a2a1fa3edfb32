"""Who is calling: the token's user or app, and whether its scopes allow the action."""

from __future__ import annotations

from sqlalchemy import select
from starlette.requests import HTTPConnection, Request

from sessions import SessionUser
from social.platform import scopes
from social.platform.db.models import User
from social.platform.scopes import KIND_USER
from social.web.context import get_context
from social.web.errors import ApiError


class Caller:
    """A bearer token's caller (a plain class: one is made on every authenticated request)."""

    __slots__ = ("kind", "user")

    def __init__(self, user: SessionUser) -> None:
        self.user = user
        self.kind: str = user.session.data.get("kind", KIND_USER)

    @property
    def app_id(self) -> int | None:
        raw = self.user.session.data.get("app_id")
        return int(raw) if raw else None

    @property
    def account_id(self) -> int:
        if self.kind != KIND_USER:
            raise ApiError(422, "This method requires an authenticated user")
        return int(self.user.user_id)

    @property
    def granted(self) -> str:
        """The token's scopes as stored, space-separated."""
        return self.user.session.data.get("scopes", "")

    @property
    def scopes(self) -> list[str]:
        return self.granted.split()


def unauthorized() -> ApiError:
    return ApiError(
        401, "The access token is invalid", headers={"WWW-Authenticate": 'Bearer realm="social"'}
    )


def optional_caller(conn: HTTPConnection) -> Caller | None:
    user = conn.scope.get("user")
    if isinstance(user, SessionUser) and user.via == "bearer":
        return Caller(user)
    return None


def viewer_id(conn: HTTPConnection) -> int | None:
    """The calling user's account id, or None (anonymous, or an app-only token)."""
    caller = optional_caller(conn)
    return caller.account_id if caller is not None and caller.kind == KIND_USER else None


def require_token(conn: HTTPConnection, *any_of: str) -> Caller:
    """A valid bearer token (a user's or an app's) holding one of `any_of` scopes."""
    caller = optional_caller(conn)
    if caller is None:
        raise unauthorized()
    if any_of and not scopes.granted_covers(caller.granted, any_of):
        raise ApiError(403, "This action is outside the authorized scopes")
    return caller


def require_user(conn: HTTPConnection, *any_of: str) -> Caller:
    """A user's token holding one of `any_of` scopes."""
    caller = require_token(conn, *any_of)
    if caller.kind != KIND_USER:
        raise ApiError(422, "This method requires an authenticated user")
    return caller


async def require_admin(request: Request, scope: str) -> Caller:
    caller = require_user(request, scope)
    ctx = get_context(request)
    async with ctx.db() as db:
        role = (
            await db.execute(select(User.role).where(User.account_id == caller.account_id))
        ).scalar()
    if role != "admin":
        raise ApiError(403, "This action is not allowed")
    return caller
