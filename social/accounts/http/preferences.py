"""`GET /api/v1/preferences`: what a person chose, for the apps they post and read with."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from social.accounts import entities
from social.accounts.render import render_preferences
from social.accounts.service import with_user
from social.web.caller import require_user
from social.web.context import get_context
from social.web.errors import ApiError
from social.web.openapi import endpoint
from social.web.responses import json_response


@endpoint(
    "Your posting and reading preferences",
    auth="user",
    scopes=("read:accounts",),
    response=entities.Preferences,
)
async def preferences(request: Request) -> Response:
    caller = require_user(request, "read:accounts")
    found = await with_user(get_context(request), caller.account_id)
    if found is None:  # the account went while its token lived
        raise ApiError(401, "The access token is invalid")
    return json_response(render_preferences(found[1]))


routes = [Route("/api/v1/preferences", preferences, methods=["GET"])]
