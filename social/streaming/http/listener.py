"""Who is listening: a token from the Authorization header (resolved by the front for
server-sent events, here for WebSockets), the WebSocket subprotocol, or `access_token`; none
at all is an anonymous listener."""

from __future__ import annotations

from starlette.requests import HTTPConnection

from social.platform.context import AppContext
from social.platform.scopes import KIND_USER
from social.streaming.viewer import Viewer
from social.web.caller import optional_caller


class Refused(Exception):
    """A token was given and is not valid: refuse before the upgrade."""


async def authenticate(conn: HTTPConnection, ctx: AppContext) -> Viewer:
    caller = optional_caller(conn)
    subprotocol = None
    if caller is not None:
        session = caller.user.session
    else:
        # WebSockets skip the middlewares (see social/app.py): the header is read here
        scheme, _, token = conn.headers.get("authorization", "").strip().partition(" ")
        token = token.strip() if scheme.lower() == "bearer" else ""
        if not token and conn.scope["type"] == "websocket":
            offered = conn.headers.get("sec-websocket-protocol", "")
            subprotocol = offered.split(",")[0].strip() or None
            token = subprotocol or ""
        token = token or conn.query_params.get("access_token", "")
        if not token:
            return Viewer()
        found = await ctx.tokens.resolve(token)
        if found is None:
            raise Refused()
        session = found
    is_user = session.data.get("kind", KIND_USER) == KIND_USER
    return Viewer(
        account_id=int(session.user_id) if is_user else None,
        session_id=session.id,
        scopes=tuple(session.data.get("scopes", "").split()),
        subprotocol=subprotocol,
    )
