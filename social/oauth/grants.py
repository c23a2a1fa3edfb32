"""The grants of `POST /oauth/token`: what each asks, and the token it issues (RFC 6749).

authorization_code (with PKCE), refresh_token (rotating, single use), client_credentials (an
app's own token) and password (legacy: Mastodon dropped it in 4.4; kept for scripts and
bots). Each refuses with a `GrantError`, which the route answers in RFC 6749's shape.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from social.accounts.service import authenticate
from social.oauth import codes
from social.oauth.entities import Token
from social.oauth.tokens import (
    issue_app_token,
    issue_user_session,
    remember_exchanged,
    revoke_access,
    revoke_on_replay,
)
from social.platform import scopes
from social.platform.context import AppContext
from social.platform.db.models import Application
from social.platform.db.types import utcnow
from social.platform.errors import GrantError
from social.platform.live.revocation import announce_revoked

GRANTS = ("authorization_code", "password", "client_credentials", "refresh_token")
INVALID_GRANT = (
    "The provided authorization grant is invalid, expired, revoked, does not match the "
    "redirection URI used in the authorization request, or was issued to another client."
)


@dataclass(frozen=True)
class Asked:
    """What a token request carries beyond its client."""

    grant_type: str
    scope: str | None = None
    code: str | None = None
    redirect_uri: str | None = None
    code_verifier: str | None = None
    username: str | None = None
    password: str | None = None
    refresh_token: str | None = None
    user_agent: str = ""


def requested_scopes(requested: str | None, allowed: Sequence[str], default: str) -> list[str]:
    """The scopes asked for (`default` when none), within `allowed`."""
    try:
        wanted = scopes.parse_scopes(requested, default=default)
    except ValueError as exc:
        raise GrantError("invalid_scope", str(exc)) from None
    if not scopes.is_subset(wanted, allowed):
        raise GrantError("invalid_scope", "The requested scope exceeds the application's scopes")
    return wanted


async def grant(ctx: AppContext, app: Application, asked: Asked) -> Token:
    if asked.grant_type == "authorization_code":
        return await _authorization_code(ctx, app, asked)
    if asked.grant_type == "client_credentials":
        wanted = requested_scopes(asked.scope, app.scopes.split(), app.scopes)
        return await issue_app_token(ctx, app=app, scopes=wanted)
    if asked.grant_type == "password":
        return await _password(ctx, app, asked)
    if asked.grant_type == "refresh_token":
        return await _refresh(ctx, app, asked)
    raise GrantError("unsupported_grant_type", f"grant_type must be one of {', '.join(GRANTS)}")


async def _authorization_code(ctx: AppContext, app: Application, asked: Asked) -> Token:
    if not asked.code:
        raise GrantError("invalid_request", "code is required")
    found = await codes.redeem(ctx, asked.code)
    if isinstance(found, codes.Replayed):
        # RFC 6749 4.1.2: a code used twice was intercepted; what it gave is taken back
        for session in await ctx.tokens.list(str(found.account_id)):
            if session.id == found.issued:
                await revoke_access(ctx, session)
        raise GrantError("invalid_grant", INVALID_GRANT)
    if found is None or found.app_id != app.id:
        raise GrantError("invalid_grant", INVALID_GRANT)
    if asked.redirect_uri != found.redirect_uri:
        raise GrantError("invalid_grant", INVALID_GRANT)
    if found.challenge is not None:
        if not asked.code_verifier:
            raise GrantError("invalid_request", "code_verifier is required")
        if not codes.verifies(found.challenge, asked.code_verifier):
            raise GrantError("invalid_grant", INVALID_GRANT)
    token, session = await issue_user_session(
        ctx, found.account_id, app, list(found.scopes), asked.user_agent
    )
    await codes.issued(ctx, asked.code, session.id)
    return token


async def _password(ctx: AppContext, app: Application, asked: Asked) -> Token:
    if not asked.username or not asked.password:
        raise GrantError("invalid_request", "username and password are required")
    wanted = requested_scopes(asked.scope, app.scopes.split(), app.scopes)
    async with ctx.db() as db:
        user = await authenticate(db, asked.username, asked.password)
        if user is None:
            raise GrantError("invalid_grant", INVALID_GRANT)
        user.last_sign_in_at = utcnow()
        await db.commit()
    token, _ = await issue_user_session(ctx, user.account_id, app, wanted, asked.user_agent)
    return token


async def _refresh(ctx: AppContext, app: Application, asked: Asked) -> Token:
    if not asked.refresh_token:
        raise GrantError("invalid_request", "refresh_token is required")
    old = await ctx.refresh_tokens.resolve(asked.refresh_token, touch=False)
    if old is None:
        await revoke_on_replay(ctx, asked.refresh_token)
        raise GrantError("invalid_grant", INVALID_GRANT)
    if old.data.get("app_id") != str(app.id):
        raise GrantError("invalid_grant", INVALID_GRANT)
    granted = old.data.get("scopes", "").split()
    try:
        wanted = scopes.parse_scopes(asked.scope, default=" ".join(granted))
    except ValueError as exc:
        raise GrantError("invalid_scope", str(exc)) from None
    if not scopes.is_subset(wanted, granted):
        raise GrantError("invalid_scope", "The requested scope exceeds the original grant")
    # Single use: whoever revokes it first wins; a replayed refresh token gets invalid_grant.
    if not await ctx.refresh_tokens.revoke(asked.refresh_token):
        raise GrantError("invalid_grant", INVALID_GRANT)
    await remember_exchanged(ctx, asked.refresh_token, old.user_id, app.id)
    if old.data.get("access_id"):
        await ctx.tokens.revoke_id(old.user_id, old.data["access_id"])
        await announce_revoked(ctx.redis, ctx.keys, [old.data["access_id"]])  # close its sockets
    token, _ = await issue_user_session(ctx, int(old.user_id), app, wanted, asked.user_agent)
    return token
