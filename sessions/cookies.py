"""The session cookie: `__Host-` prefixed, so the browser pins it to this host over HTTPS."""

from __future__ import annotations

from starlette.responses import Response

COOKIE_NAME = "__Host-session"


def set_session_cookie(
    response: Response, token: str, *, max_age_s: int, name: str = COOKIE_NAME
) -> None:
    """Secure, HttpOnly, SameSite=Lax, Path=/ and no Domain, as the `__Host-` prefix requires."""
    response.set_cookie(
        name, token, max_age=max_age_s, path="/", secure=True, httponly=True, samesite="lax"
    )


def clear_session_cookie(response: Response, *, name: str = COOKIE_NAME) -> None:
    """Tell the browser to drop the cookie (revoke the session in the store as well)."""
    response.delete_cookie(name, path="/", secure=True, httponly=True, samesite="lax")
