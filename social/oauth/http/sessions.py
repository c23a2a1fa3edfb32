"""Signed-in sessions of the caller (our extension): list them, revoke one."""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sessions import Session
from social.oauth import entities
from social.oauth.tokens import revoke_access
from social.web import entities as web_entities
from social.web.caller import require_user
from social.web.context import get_context
from social.web.errors import not_found
from social.web.openapi import endpoint
from social.web.responses import json_response


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def render_session(session: Session, current_id: str) -> entities.LoginSession:
    app_name = session.data.get("app_name")
    return entities.LoginSession(
        id=session.id,
        created_at=_iso(session.created_at),
        last_active_at=_iso(session.last_seen_at),
        expires_at=_iso(min(session.expires_at, session.idle_expires_at)),
        app=entities.SessionApp(name=app_name) if app_name else None,
        user_agent=session.data.get("user_agent", ""),
        current=session.id == current_id,
    )


@endpoint(
    "List the caller's signed-in sessions, newest first",
    auth="user",
    scopes=("read:accounts",),
    response=entities.LoginSession,
    many=True,
)
async def list_sessions(request: Request) -> Response:
    caller = require_user(request, "read:accounts")
    live = await get_context(request).tokens.list(str(caller.account_id))
    current = caller.user.session.id
    return json_response([render_session(s, current) for s in live])


@endpoint(
    "Revoke one of the caller's sessions (its access and refresh tokens)",
    auth="user",
    scopes=("write:accounts",),
    response=web_entities.Empty,
    errors=(404,),
)
async def revoke_session(request: Request) -> Response:
    caller = require_user(request, "write:accounts")
    ctx = get_context(request)
    wanted = request.path_params["id"]
    for session in await ctx.tokens.list(str(caller.account_id)):
        if session.id == wanted:
            await revoke_access(ctx, session)
            return json_response({})
    raise not_found()


routes = [
    Route("/api/v1/sessions", list_sessions, methods=["GET"]),
    Route("/api/v1/sessions/{id}", revoke_session, methods=["DELETE"]),
]
