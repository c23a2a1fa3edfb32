"""A request's way to the shared context."""

from __future__ import annotations

from starlette.requests import HTTPConnection

from social.platform.context import AppContext


def get_context(conn: HTTPConnection) -> AppContext:
    ctx = conn.app.state.ctx
    assert isinstance(ctx, AppContext)
    return ctx
