"""OAuth 2: `POST /oauth/token`, `POST /oauth/revoke`, `/.well-known/oauth-authorization-server`.

Errors follow RFC 6749 (`{"error": "invalid_grant", "error_description": ...}`), as Mastodon does.
"""

from __future__ import annotations

import base64
import binascii

from pydantic import BaseModel, Field, ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from social.accounts.service import authenticate
from social.oauth import entities
from social.oauth.http.apps import find_client
from social.oauth.tokens import (
    issue_app_token,
    issue_user_token,
    remember_exchanged,
    revoke_any,
    revoke_on_replay,
)
from social.platform import scopes
from social.platform.db.models import Application
from social.platform.db.types import utcnow
from social.platform.live.revocation import announce_revoked
from social.web import entities as web_entities
from social.web.context import get_context
from social.web.errors import ApiError
from social.web.openapi import endpoint
from social.web.params import read_params
from social.web.responses import json_response

GRANTS = ("password", "client_credentials", "refresh_token")
Text = Field(default=None, max_length=4096)


class TokenForm(BaseModel):
    grant_type: str = Field(max_length=64)
    client_id: str | None = Text
    client_secret: str | None = Text
    scope: str | None = Text
    username: str | None = Text
    password: str | None = Text
    refresh_token: str | None = Text
    redirect_uri: str | None = Text


class RevokeForm(BaseModel):
    token: str = Field(max_length=4096)
    client_id: str | None = Text
    client_secret: str | None = Text


def oauth_error(error: str, description: str, status: int = 400) -> ApiError:
    return ApiError(status, error, description=description)


INVALID_GRANT = (
    "The provided authorization grant is invalid, expired, revoked, does not match the "
    "redirection URI used in the authorization request, or was issued to another client."
)


async def _client(
    request: Request, client_id: str | None, client_secret: str | None
) -> Application:
    """Client credentials from the body or HTTP Basic."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(header[6:], validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise oauth_error("invalid_client", "Malformed Basic credentials", 401) from None
        client_id, _, client_secret = decoded.partition(":")
    if not client_id or not client_secret:
        raise oauth_error("invalid_client", "Client authentication failed", 401)
    app = await find_client(client_id, client_secret, request)
    if app is None:
        raise oauth_error("invalid_client", "Client authentication failed", 401)
    return app


def _scopes(requested: str | None, app: Application) -> list[str]:
    try:
        wanted = scopes.parse_scopes(requested, default=app.scopes)
    except ValueError as exc:
        raise oauth_error("invalid_scope", str(exc)) from None
    if not scopes.is_subset(wanted, app.scopes.split()):
        raise oauth_error("invalid_scope", "The requested scope exceeds the application's scopes")
    return wanted


@endpoint("Obtain a token", body=TokenForm, response=entities.Token, errors=(401,))
async def token(request: Request) -> Response:
    ctx = get_context(request)
    params = await read_params(request)
    if "grant_type" not in params:
        raise oauth_error("invalid_request", "grant_type is required")
    try:
        form = TokenForm.model_validate(params)
    except ValidationError as exc:
        field = ".".join(str(p) for p in exc.errors()[0]["loc"])
        raise oauth_error("invalid_request", f"{field} is invalid") from None
    if form.grant_type not in GRANTS:
        raise oauth_error(
            "unsupported_grant_type", f"grant_type must be one of {', '.join(GRANTS)}"
        )
    app = await _client(request, form.client_id, form.client_secret)

    if form.grant_type == "client_credentials":
        issued = await issue_app_token(ctx, app=app, scopes=_scopes(form.scope, app))
        return json_response(issued)

    if form.grant_type == "password":
        if not form.username or not form.password:
            raise oauth_error("invalid_request", "username and password are required")
        wanted = _scopes(form.scope, app)
        async with ctx.db() as db:
            user = await authenticate(db, form.username, form.password)
            if user is None:
                raise oauth_error("invalid_grant", INVALID_GRANT)
            user.last_sign_in_at = utcnow()
            await db.commit()
        issued = await issue_user_token(
            ctx,
            account_id=user.account_id,
            app=app,
            scopes=wanted,
            user_agent=request.headers.get("user-agent", ""),
        )
        return json_response(issued)

    if not form.refresh_token:
        raise oauth_error("invalid_request", "refresh_token is required")
    old = await ctx.refresh_tokens.resolve(form.refresh_token, touch=False)
    if old is None:
        await revoke_on_replay(ctx, form.refresh_token)
        raise oauth_error("invalid_grant", INVALID_GRANT)
    if old.data.get("app_id") != str(app.id):
        raise oauth_error("invalid_grant", INVALID_GRANT)
    granted = old.data.get("scopes", "").split()
    wanted = scopes.parse_scopes(form.scope, default=" ".join(granted)) if form.scope else granted
    if not scopes.is_subset(wanted, granted):
        raise oauth_error("invalid_scope", "The requested scope exceeds the original grant")
    # Single use: whoever revokes it first wins; a replayed refresh token gets invalid_grant.
    if not await ctx.refresh_tokens.revoke(form.refresh_token):
        raise oauth_error("invalid_grant", INVALID_GRANT)
    await remember_exchanged(ctx, form.refresh_token, old.user_id, app.id)
    if old.data.get("access_id"):
        await ctx.tokens.revoke_id(old.user_id, old.data["access_id"])
        await announce_revoked(ctx.redis, ctx.keys, [old.data["access_id"]])  # close its sockets
    issued = await issue_user_token(
        ctx,
        account_id=int(old.user_id),
        app=app,
        scopes=wanted,
        user_agent=request.headers.get("user-agent", ""),
    )
    return json_response(issued)


@endpoint("Revoke a token", body=RevokeForm, response=web_entities.Empty, errors=(401, 403))
async def revoke(request: Request) -> Response:
    params = await read_params(request)
    try:
        form = RevokeForm.model_validate(params)
    except ValidationError:
        raise oauth_error("invalid_request", "token is required") from None
    try:
        app = await _client(request, form.client_id, form.client_secret)
    except ApiError:
        raise oauth_error(
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
            "token_endpoint": f"{base}/oauth/token",
            "revocation_endpoint": f"{base}/oauth/revoke",
            "app_registration_endpoint": f"{base}/api/v1/apps",
            "scopes_supported": sorted(scopes.KNOWN),
            "response_types_supported": [],
            "grant_types_supported": list(GRANTS),
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "service_documentation": "https://docs.joinmastodon.org/",
        }
    )


routes = [
    Route("/oauth/token", token, methods=["POST"]),
    Route("/oauth/revoke", revoke, methods=["POST"]),
    Route("/.well-known/oauth-authorization-server", metadata, methods=["GET"]),
]
