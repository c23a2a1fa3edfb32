"""A request's way to the shared context."""

from __future__ import annotations

from starlette.requests import HTTPConnection

from social.platform.context import AppContext

SCOPE_KEY = "social.ctx"
"""Where the front puts the context in each request's scope."""


def get_context(conn: HTTPConnection) -> AppContext:
    ctx = conn.scope.get(SCOPE_KEY) or conn.scope["app"].state.ctx
    assert isinstance(ctx, AppContext)
    return ctx
