"""Who is signed in to the dashboard: a cookie session of an admin, with its CSRF token."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from starlette.requests import HTTPConnection
from starlette.responses import Response

from sessions import SessionUser, clear_session_cookie, new_csrf_token, set_session_cookie
from social.platform.context import AppContext
from social.platform.db.models import Account, User
from social.web.context import get_context

KIND = "dashboard"


@dataclass(frozen=True)
class Admin:
    account_id: int
    username: str
    csrf: str
    token: str


def cookie_session(conn: HTTPConnection) -> SessionUser | None:
    """The dashboard cookie session the auth backend resolved (CSRF already checked)."""
    user = conn.scope.get("user")
    if (
        isinstance(user, SessionUser)
        and user.via == "cookie"
        and user.session.data.get("kind") == KIND
    ):
        return user
    return None


async def admin_username(ctx: AppContext, account_id: int) -> str | None:
    """The username of an enabled admin account, else None."""
    query = (
        select(Account.username)
        .join(User, User.account_id == Account.id)
        .where(Account.id == account_id, User.role == "admin", ~User.disabled)
    )
    async with ctx.db() as db:
        return (await db.execute(query)).scalar()


async def current_admin(conn: HTTPConnection) -> Admin | None:
    """The signed-in admin; None when signed out or no longer an admin."""
    user = cookie_session(conn)
    if user is None or not user.user_id.isdigit():
        return None
    username = await admin_username(get_context(conn), int(user.user_id))
    if username is None:
        return None
    return Admin(int(user.user_id), username, user.session.data.get("csrf", ""), user.token)


async def sign_in(conn: HTTPConnection, response: Response, account_id: int) -> None:
    """A fresh session (the old one, if any, is revoked: no session fixation)."""
    ctx = get_context(conn)
    old = cookie_session(conn)
    if old is not None:
        await ctx.cookies.revoke(old.token)
    data = {
        "csrf": new_csrf_token(),
        "kind": KIND,
        "user_agent": conn.headers.get("user-agent", "")[:200],
    }
    issued = await ctx.cookies.create(str(account_id), data)
    set_session_cookie(response, issued.token, max_age_s=ctx.cookies.absolute_ttl_s)


async def sign_out(conn: HTTPConnection, response: Response) -> None:
    old = cookie_session(conn)
    if old is not None:
        await get_context(conn).cookies.revoke(old.token)
    clear_session_cookie(response)
