"""Signing in to an app (RFC 6749 section 4.1, with PKCE): `GET /oauth/authorize`, the sign-in
page (`/auth/sign_in`), the consent page and its answer (`POST /oauth/authorize`), and
`/auth/sign_out`. Server-rendered, working without JavaScript.

The person's sign-in is a cookie session of `sessions/` (the cookie below, read only by these
pages), whose CSRF token every form of these pages carries; the sign-in form itself, before
any session, carries one that must match a cookie set with the page (a double submit).
"""

from __future__ import annotations

import hmac
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
import orjson
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from sessions import Session, clear_session_cookie, new_csrf_token, set_session_cookie
from social.accounts.render import accounts_json
from social.accounts.service import authenticate
from social.oauth import codes
from social.oauth.authorization import (
    AuthorizationRequest,
    RefusedFor,
    Unclear,
    already_granted,
    in_words,
    read_request,
)
from social.platform.db.types import utcnow
from social.web.context import get_context
from social.web.params import read_params

COOKIE = "__Host-oauth"
CSRF_COOKIE = "__Host-oauth-csrf"
KIND = "oauth"
FORCED = "signed_in"
"""The parameter that brings a sign-in asked by `force_login` back to the request: the
session's own nonce, so that this one sign-in, and no earlier one, counts."""
HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; "
        "frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}
STYLE = (Path(__file__).parents[1] / "static" / "oauth.css").read_bytes()

templates = Jinja2Templates(
    env=jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parents[1] / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
)


def page(request: Request, name: str, status: int = 200, **context: Any) -> Response:
    site = get_context(request).settings.title
    return templates.TemplateResponse(
        request, name, {"site": site, **context}, status_code=status, headers=HEADERS
    )


def message(request: Request, heading: str, text: str, status: int = 400) -> Response:
    error = status >= 400
    return page(request, "message.html", status, heading=heading, message=text, error=error)


async def signed_in(request: Request) -> Session | None:
    """The person signed in to these pages, if any."""
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    session = await get_context(request).cookies.resolve(token)
    if session is None or session.data.get("kind") != KIND:
        return None
    return session


def same(expected: str | None, given: object) -> bool:
    """Constant-time equality of a CSRF token and what a form sent."""
    if not expected or not isinstance(given, str):
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


def sign_in_page(
    request: Request,
    wanted: AuthorizationRequest | None,
    *,
    error: str = "",
    login: str = "",
    status: int = 200,
) -> Response:
    """The sign-in form, with a fresh double-submit CSRF token in the form and a cookie."""
    csrf = secrets.token_urlsafe(32)
    carried = wanted.fields() if wanted is not None else {}
    app = wanted.app if wanted is not None else None
    response = page(
        request, "sign_in.html", status, csrf=csrf, carried=carried, app=app, error=error,
        login=login,
    )  # fmt: skip
    response.set_cookie(
        CSRF_COOKIE, csrf, max_age=3600, path="/", secure=True, httponly=True, samesite="lax"
    )
    return response


async def _request_or_page(
    request: Request, params: dict[str, Any]
) -> AuthorizationRequest | Response:
    """The authorization request, or the answer it deserves: our error page when there is no
    client to tell, else the client told on its redirect URI (or on a page, out of band)."""
    try:
        return await read_request(get_context(request), params)
    except Unclear as exc:
        return message(request, "Authorization failed", str(exc))
    except RefusedFor as exc:
        if exc.request.oob:
            return message(request, "Authorization failed", exc.description)
        answer = exc.request.answer(error=exc.code, error_description=exc.description)
        return RedirectResponse(answer, 302, headers=HEADERS)


async def authorize(request: Request) -> Response:
    """`GET /oauth/authorize`: sign in if need be, then the consent page (or, when this app
    holds this grant already, the code at once)."""
    wanted = await _request_or_page(request, dict(request.query_params))
    if isinstance(wanted, Response):
        return wanted
    session = await signed_in(request)
    forced = request.query_params.get(FORCED)
    fresh = session is not None and same(session.data.get("forced"), forced)
    if session is None or (wanted.force_login and not fresh):
        return sign_in_page(request, wanted)
    account_id = int(session.user_id)
    ctx = get_context(request)
    if not wanted.force_login and await already_granted(ctx, account_id, wanted):
        return await _approve(request, wanted, account_id)
    return await _consent(request, wanted, session)


async def _consent(request: Request, wanted: AuthorizationRequest, session: Session) -> Response:
    account_id = int(session.user_id)
    found = await accounts_json(get_context(request), [account_id])
    username = orjson.loads(found[account_id])["username"] if account_id in found else ""
    return page(
        request,
        "consent.html",
        app=wanted.app,
        username=username,
        scope_words=in_words(wanted.scopes),
        carried=wanted.fields(),
        query=wanted.query(),
        csrf=session.data.get("csrf", ""),
    )


async def _approve(request: Request, wanted: AuthorizationRequest, account_id: int) -> Response:
    code = await codes.issue(get_context(request), wanted.grant(account_id))
    if wanted.oob:
        return page(request, "code.html", app=wanted.app, code=code)
    return RedirectResponse(wanted.answer(code=code), 302, headers=HEADERS)


async def decide(request: Request) -> Response:
    """`POST /oauth/authorize`: the consent page's Authorize or Deny."""
    params = await read_params(request)
    wanted = await _request_or_page(request, params)
    if isinstance(wanted, Response):
        return wanted
    session = await signed_in(request)
    if session is None:
        return sign_in_page(request, wanted, error="Sign in again to continue.", status=401)
    if not same(session.data.get("csrf"), params.get("csrf")):
        return message(request, "Authorization failed", "The form expired; start again.", 403)
    if params.get("decision") != "approve":
        if wanted.oob:
            text = f"{wanted.app.name} was not authorized."
            return message(request, "Authorization denied", text, 200)
        answer = wanted.answer(
            error="access_denied", error_description="The resource owner denied the request."
        )
        return RedirectResponse(answer, 302, headers=HEADERS)
    return await _approve(request, wanted, int(session.user_id))


async def show_sign_in(request: Request) -> Response:
    """`GET /auth/sign_in`, for someone who comes to sign in without an app asking."""
    return sign_in_page(request, None)


async def sign_in(request: Request) -> Response:
    """`POST /auth/sign_in`: the same rate limits as the password grant (the front's sign-in
    policies), the same constant-time check, one message for every failure."""
    ctx = get_context(request)
    params = await read_params(request)
    wanted: AuthorizationRequest | None = None
    if params.get("client_id") is not None:
        found = await _request_or_page(request, params)
        if isinstance(found, Response):
            return found
        wanted = found
    user = params.get("user")
    login = user.get("email") if isinstance(user, dict) else None
    password = user.get("password") if isinstance(user, dict) else None
    login_text = login[:320] if isinstance(login, str) else ""
    if not same(request.cookies.get(CSRF_COOKIE), params.get("csrf")):
        error = "The form expired; sign in again."
        return sign_in_page(request, wanted, error=error, login=login_text, status=403)
    if not isinstance(login, str) or not isinstance(password, str) or len(password) > 128:
        return sign_in_page(request, wanted, error=FAILED, login=login_text, status=401)
    async with ctx.db() as db:
        person = await authenticate(db, login_text, password)
        if person is not None:
            person.last_sign_in_at = utcnow()
            await db.commit()
    if person is None:
        return sign_in_page(request, wanted, error=FAILED, login=login_text, status=401)
    nonce = secrets.token_urlsafe(16)
    if wanted is not None:
        target = f"/oauth/authorize?{wanted.query()}"
        if wanted.force_login:
            target += f"&{urlencode({FORCED: nonce})}"
        response: Response = RedirectResponse(target, 303, headers=HEADERS)
    else:
        response = message(request, "Signed in", "You are signed in.", 200)
    await _start(request, response, person.account_id, nonce)
    return response


FAILED = "Invalid e-mail address, username or password."


async def _start(request: Request, response: Response, account_id: int, nonce: str) -> None:
    """A new session (an old one is ended: no session fixation), its cookie set."""
    ctx = get_context(request)
    old = request.cookies.get(COOKIE)
    if old:
        await ctx.cookies.revoke(old)
    data = {
        "kind": KIND,
        "forced": nonce,
        "csrf": new_csrf_token(),
        "user_agent": request.headers.get("user-agent", "")[:200],
    }
    issued = await ctx.cookies.create(str(account_id), data)
    set_session_cookie(response, issued.token, max_age_s=ctx.cookies.absolute_ttl_s, name=COOKIE)
    response.delete_cookie(CSRF_COOKIE, path="/", secure=True, httponly=True, samesite="lax")


async def sign_out(request: Request) -> Response:
    """`POST /auth/sign_out`: the session ended, then back to where the person was."""
    params = await read_params(request)
    session = await signed_in(request)
    if session is not None and not same(session.data.get("csrf"), params.get("csrf")):
        return message(request, "Sign out failed", "The form expired; try again.", 403)
    target = params.get("next")
    if isinstance(target, str) and target.startswith("/oauth/authorize?"):
        response: Response = RedirectResponse(target, 303, headers=HEADERS)
    else:
        response = message(request, "Signed out", "You are signed out.", 200)
    token = request.cookies.get(COOKIE)
    if token:
        await get_context(request).cookies.revoke(token)
    clear_session_cookie(response, name=COOKIE)
    return response


async def stylesheet(_request: Request) -> Response:
    return Response(STYLE, media_type="text/css", headers={"Cache-Control": "max-age=3600"})


routes = [
    Route("/oauth/authorize", authorize, methods=["GET"]),
    Route("/oauth/authorize/", authorize, methods=["GET"]),
    Route("/oauth/authorize", decide, methods=["POST"]),
    Route("/auth/sign_in", show_sign_in, methods=["GET"]),
    Route("/auth/sign_in", sign_in, methods=["POST"]),
    Route("/auth/sign_out", sign_out, methods=["POST"]),
    Route("/oauth/style.css", stylesheet, methods=["GET"]),
]
