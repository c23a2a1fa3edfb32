"""`GET /api/v1/instance` and `/api/v2/instance` in Mastodon's shape."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from social.instance import render
from social.instance.rules import rules
from social.instance.stats import stats
from social.web.context import get_context
from social.web.openapi import endpoint
from social.web.responses import json_response


@endpoint("Instance information (v1)")
async def instance_v1(request: Request) -> Response:
    ctx = get_context(request)
    return json_response(render.instance_v1(ctx, await stats(ctx), await rules(ctx.db)))


@endpoint("Instance information (v2)")
async def instance_v2(request: Request) -> Response:
    ctx = get_context(request)
    return json_response(render.instance_v2(ctx, await stats(ctx), await rules(ctx.db)))


routes = [
    Route("/api/v1/instance", instance_v1, methods=["GET"]),
    Route("/api/v2/instance", instance_v2, methods=["GET"]),
]
