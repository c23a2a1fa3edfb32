"""The dashboard's pages and actions: sign in, sign out, the dashboard, approve and reject."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.templating import Jinja2Templates

from social.accounts.service import authenticate
from social.admin.http.session import (
    admin_username,
    cookie_session,
    current_admin,
    sign_in,
    sign_out,
)
from social.admin.snapshot import snapshot
from social.trends.service import review_tag
from social.web.context import get_context
from social.web.errors import ApiError
from social.web.params import parse_id, read_params
from social.web.responses import json_response
from trending import Review

HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}

templates = Jinja2Templates(
    env=jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parents[1] / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
)


class LoginForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    login: str = Field(min_length=1, max_length=320)
    password: str = Field(min_length=1, max_length=128)


def page(request: Request, name: str, status: int = 200, **context: Any) -> Response:
    return templates.TemplateResponse(request, name, context, status_code=status, headers=HEADERS)


def login_page(request: Request, error: str = "", status: int = 200, login: str = "") -> Response:
    return page(request, "login.html", status, error=error, login=login)


async def show_login(request: Request) -> Response:
    if await current_admin(request) is not None:
        return RedirectResponse("/admin", 303)
    return login_page(request)


async def do_login(request: Request) -> Response:
    try:
        params = await read_params(request)
        form = LoginForm.model_validate(params)
    except (ApiError, ValidationError):
        return login_page(request, "Enter your e-mail or username and your password.", 422)
    ctx = get_context(request)
    async with ctx.db() as db:
        user = await authenticate(db, form.login, form.password)
    if user is None:
        return login_page(request, "Wrong e-mail, username or password.", 401, form.login)
    if await admin_username(ctx, user.account_id) is None:
        return login_page(request, "This account is not an administrator.", 403, form.login)
    response = RedirectResponse("/admin", 303)
    await sign_in(request, response, user.account_id)
    return response


async def logout(request: Request) -> Response:
    response = RedirectResponse("/admin/login", 303)
    await sign_out(request, response)
    return response


async def csrf(request: Request) -> Response:
    """The CSRF token of the browser's live session, if any: the login form must send it when
    an old session cookie is still alive, or the auth backend refuses the POST."""
    user = cookie_session(request)
    token = user.session.data.get("csrf") if user is not None else None
    return json_response({"csrf": token}, headers={"Cache-Control": "no-store"})


async def dashboard(request: Request) -> Response:
    admin = await current_admin(request)
    if admin is None:
        return RedirectResponse("/admin/login", 303)
    data = await snapshot(get_context(request))
    return page(request, "dashboard.html", admin=admin, snapshot=data)


async def _review(request: Request, state: Review) -> Response:
    if await current_admin(request) is None:
        raise ApiError(401, "Sign in as an admin first")
    tag_id = parse_id(request.path_params["id"])
    tag = await review_tag(get_context(request), tag_id, state)
    return json_response(tag, headers={"Cache-Control": "no-store"})


async def approve(request: Request) -> Response:
    return await _review(request, Review.APPROVED)


async def reject(request: Request) -> Response:
    return await _review(request, Review.REJECTED)


async def reset(request: Request) -> Response:
    return await _review(request, Review.PENDING)
