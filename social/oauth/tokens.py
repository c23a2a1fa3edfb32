"""OAuth tokens as sessions: an access token and its refresh token point at each other."""

from __future__ import annotations

import hashlib
import logging
import time

from sessions import Session
from social.oauth import entities
from social.platform.context import AppContext
from social.platform.db.models import Application
from social.platform.live.revocation import announce_revoked
from social.platform.scopes import KIND_APP, KIND_USER

log = logging.getLogger(__name__)

REFRESH = "refresh"
USER_AGENT_MAX = 200


def app_subject(app_id: int) -> str:
    """The session 'user' of an app-only (client_credentials) token."""
    return f"app:{app_id}"


async def issue_user_token(
    ctx: AppContext,
    *,
    account_id: int,
    app: Application,
    scopes: list[str],
    user_agent: str = "",
) -> entities.Token:
    return (await issue_user_session(ctx, account_id, app, scopes, user_agent))[0]


async def issue_user_session(
    ctx: AppContext, account_id: int, app: Application, scopes: list[str], user_agent: str = ""
) -> tuple[entities.Token, Session]:
    """`issue_user_token`, and the access token's session (to revoke what a code issued)."""
    common = {"app_id": str(app.id), "app_name": app.name, "scopes": " ".join(scopes)}
    # Three round trips, each a single-slot write: the refresh token must know its access token's
    # id and vice versa, so that rotating or revoking either one kills both.
    refresh = await ctx.refresh_tokens.create(str(account_id), {**common, "kind": REFRESH})
    access = await ctx.tokens.create(
        str(account_id),
        {
            **common,
            "kind": KIND_USER,
            "refresh_id": refresh.session.id,
            "user_agent": user_agent[:USER_AGENT_MAX],
        },
    )
    await ctx.refresh_tokens.update(refresh.token, {"access_id": access.session.id})
    return (
        _token(access.token, access.session, scopes, refresh_token=refresh.token),
        access.session,
    )


async def issue_app_token(
    ctx: AppContext, *, app: Application, scopes: list[str]
) -> entities.Token:
    issued = await ctx.tokens.create(
        app_subject(app.id),
        {"kind": KIND_APP, "app_id": str(app.id), "app_name": app.name, "scopes": " ".join(scopes)},
    )
    return _token(issued.token, issued.session, scopes)


def _token(
    token: str, session: Session, scopes: list[str], *, refresh_token: str | None = None
) -> entities.Token:
    return entities.Token(
        access_token=token,
        scope=" ".join(scopes),
        created_at=int(session.created_at),
        expires_in=max(0, int(session.idle_expires_at - time.time())),
        refresh_token=refresh_token,
    )


async def revoke_access(ctx: AppContext, session: Session) -> None:
    """Revoke an access token's session and its refresh token."""
    await ctx.tokens.revoke_id(session.user_id, session.id)
    await announce_revoked(ctx.redis, ctx.keys, [session.id])
    refresh_id = session.data.get("refresh_id")
    if refresh_id:
        await ctx.refresh_tokens.revoke_id(session.user_id, refresh_id)


async def revoke_any(ctx: AppContext, token: str, app_id: int) -> None:
    """`POST /oauth/revoke`: an access or refresh token of this app, with its partner."""
    access = await ctx.tokens.resolve(token, touch=False)
    if access is not None:
        if access.data.get("app_id") == str(app_id):
            await revoke_access(ctx, access)
        return
    refresh = await ctx.refresh_tokens.resolve(token, touch=False)
    if refresh is not None and refresh.data.get("app_id") == str(app_id):
        await ctx.refresh_tokens.revoke(token)
        access_id = refresh.data.get("access_id")
        if access_id:
            await ctx.tokens.revoke_id(refresh.user_id, access_id)
            await announce_revoked(ctx.redis, ctx.keys, [access_id])


def _used_key(ctx: AppContext, refresh_token: str) -> str:
    return ctx.keys.refresh_used(hashlib.sha256(refresh_token.encode()).hexdigest())


async def remember_exchanged(
    ctx: AppContext, refresh_token: str, user_id: str, app_id: int
) -> None:
    """Mark a refresh token as exchanged (rotated), by its digest, for as long as it could have
    lived: its replay is then told from a token never issued."""
    ttl_s = ctx.settings.refresh_absolute_ttl_s
    await ctx.redis.set(_used_key(ctx, refresh_token), f"{user_id}:{app_id}", ex=ttl_s)


async def revoke_on_replay(ctx: AppContext, refresh_token: str) -> bool:
    """A refresh token exchanged once and presented again was copied: the thief or the owner
    holds its successor. As OAuth's security practice asks, every token of that user for that
    app is revoked (both parties sign in again). Whether it was a replay."""
    found = await ctx.redis.get(_used_key(ctx, refresh_token))
    if found is None:
        return False
    user_id, _, app_id = (found.decode() if isinstance(found, bytes) else found).rpartition(":")
    access_ids: list[str] = []
    for store in (ctx.tokens, ctx.refresh_tokens):
        for session in await store.list(user_id):
            if session.data.get("app_id") == app_id:
                await store.revoke_id(user_id, session.id)
                if store is ctx.tokens:
                    access_ids.append(session.id)
    if access_ids:
        await announce_revoked(ctx.redis, ctx.keys, access_ids)  # close their sockets
    log.warning("rotated refresh token replayed: the user's tokens for app %s revoked", app_id)
    return True
