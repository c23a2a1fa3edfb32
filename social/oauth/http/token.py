"""OAuth 2: `POST /oauth/token`, `POST /oauth/revoke`, `/.well-known/oauth-authorization-server`,
`/oauth/userinfo`.

Errors follow RFC 6749 (`{"error": "invalid_grant", "error_description": ...}`), as Mastodon does.
"""

from __future__ import annotations

import base64
import binascii

from pydantic import BaseModel, Field, ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from social.accounts.render import render_account
from social.accounts.service import with_user
from social.oauth import entities
from social.oauth.apps import find_client
from social.oauth.grants import GRANTS, Asked, grant
from social.oauth.tokens import revoke_any
from social.platform import scopes
from social.platform.db.models import Application
from social.platform.errors import GrantError
from social.web import entities as web_entities
from social.web.caller import require_user
from social.web.context import get_context
from social.web.errors import ApiError
from social.web.openapi import endpoint
from social.web.params import read_params
from social.web.responses import json_response

Text = Field(default=None, max_length=4096)


class TokenForm(BaseModel):
    grant_type: str = Field(max_length=64)
    client_id: str | None = Text
    client_secret: str | None = Text
    scope: str | None = Text
    code: str | None = Text
    redirect_uri: str | None = Text
    code_verifier: str | None = Text
    username: str | None = Text
    password: str | None = Text
    refresh_token: str | None = Text


class RevokeForm(BaseModel):
    token: str = Field(max_length=4096)
    client_id: str | None = Text
    client_secret: str | None = Text


async def _client(
    request: Request, client_id: str | None, client_secret: str | None
) -> Application:
    """Client credentials from the body or HTTP Basic."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(header[6:], validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise GrantError("invalid_client", "Malformed Basic credentials", 401) from None
        client_id, _, client_secret = decoded.partition(":")
    if not client_id or not client_secret:
        raise GrantError("invalid_client", "Client authentication failed", 401)
    app = await find_client(get_context(request), client_id, client_secret)
    if app is None:
        raise GrantError("invalid_client", "Client authentication failed", 401)
    return app


@endpoint("Obtain a token", body=TokenForm, response=entities.Token, errors=(401,))
async def token(request: Request) -> Response:
    params = await read_params(request)
    if "grant_type" not in params:
        raise GrantError("invalid_request", "grant_type is required")
    try:
        form = TokenForm.model_validate(params)
    except ValidationError as exc:
        field = ".".join(str(p) for p in exc.errors()[0]["loc"])
        raise GrantError("invalid_request", f"{field} is invalid") from None
    if form.grant_type not in GRANTS:
        raise GrantError("unsupported_grant_type", f"grant_type must be one of {', '.join(GRANTS)}")
    app = await _client(request, form.client_id, form.client_secret)
    asked = Asked(
        grant_type=form.grant_type,
        scope=form.scope,
        code=form.code,
        redirect_uri=form.redirect_uri,
        code_verifier=form.code_verifier,
        username=form.username,
        password=form.password,
        refresh_token=form.refresh_token,
        user_agent=request.headers.get("user-agent", ""),
    )
    return json_response(await grant(get_context(request), app, asked))


@endpoint("Revoke a token", body=RevokeForm, response=web_entities.Empty, errors=(401, 403))
async def revoke(request: Request) -> Response:
    params = await read_params(request)
    try:
        form = RevokeForm.model_validate(params)
    except ValidationError:
        raise GrantError("invalid_request", "token is required") from None
    try:
        app = await _client(request, form.client_id, form.client_secret)
    except GrantError:
        raise GrantError(
            "unauthorized_client", "You are not authorized to revoke this token", 403
        ) from None
    await revoke_any(get_context(request), form.token, app.id)
    return json_response({})


@endpoint("OAuth authorization server metadata (RFC 8414)")
async def metadata(request: Request) -> Response:
    base = get_context(request).settings.base_url
    return json_response(
        {
            "issuer": f"{base}/",
            "authorization_endpoint": f"{base}/oauth/authorize",
            "token_endpoint": f"{base}/oauth/token",
            "revocation_endpoint": f"{base}/oauth/revoke",
            "app_registration_endpoint": f"{base}/api/v1/apps",
            "scopes_supported": sorted(scopes.KNOWN),
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "code_challenge_methods_supported": ["S256"],
            "grant_types_supported": list(GRANTS),
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "service_documentation": "https://docs.joinmastodon.org/",
            "userinfo_endpoint": f"{base}/oauth/userinfo",
        }
    )


@endpoint("The signed-in person, as OpenID Connect's userinfo", auth="user", scopes=("profile",))
async def userinfo(request: Request) -> Response:
    caller = require_user(request, "profile")
    ctx = get_context(request)
    found = await with_user(ctx, caller.account_id)
    if found is None:
        raise ApiError(401, "The access token is invalid")
    account = render_account(found[0], ctx.settings.base_url)
    return json_response(
        {
            "iss": f"{ctx.settings.base_url}/",
            "sub": account.uri,
            "name": account.display_name,
            "preferred_username": account.username,
            "profile": account.url,
            "picture": account.avatar,
        }
    )


routes = [
    Route("/oauth/token", token, methods=["POST"]),
    Route("/oauth/revoke", revoke, methods=["POST"]),
    Route("/.well-known/oauth-authorization-server", metadata, methods=["GET"]),
    Route("/oauth/userinfo", userinfo, methods=["GET", "POST"]),
]
