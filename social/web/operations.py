"""Operations: `/healthz` (alive), `/readyz` (database and Redis answer), `/metrics`, OpenAPI."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from social.platform.context import AppContext
from social.platform.events import outbox
from social.web import openapi
from social.web.context import get_context
from social.web.openapi import endpoint
from social.web.responses import json_response

CHECK_TIMEOUT_S = 2.0
log = logging.getLogger(__name__)


@endpoint("Liveness: the process answers")
async def healthz(_request: Request) -> Response:
    return json_response({"status": "ok"})


async def _check_db(ctx: AppContext) -> None:
    async with ctx.engine.connect() as conn:
        await conn.execute(text("SELECT 1"))


async def _check(name: str, coro: object) -> tuple[str, str]:
    try:
        await asyncio.wait_for(coro, CHECK_TIMEOUT_S)  # type: ignore[arg-type]
    except Exception as exc:
        return name, f"error: {type(exc).__name__}"
    return name, "ok"


@endpoint("Readiness: the database and Redis answer", errors=(503,))
async def readyz(request: Request) -> Response:
    ctx = get_context(request)
    checks = dict(
        await asyncio.gather(_check("database", _check_db(ctx)), _check("redis", ctx.redis.ping()))
    )
    ready = all(v == "ok" for v in checks.values())
    return json_response(
        {"status": "ok" if ready else "unavailable", "checks": checks},
        status_code=200 if ready else 503,
    )


async def metrics(request: Request) -> Response:
    ctx = get_context(request)
    try:
        ctx.metrics.observe_queues(await ctx.events.stats())
        ctx.metrics.observe_scheduler(await ctx.scheduler.stats())
    except Exception as exc:  # metrics must answer even while Redis is down
        ctx.metrics.redis_errors.labels("metrics.queues").inc()
        log.warning("queue stats unavailable: %r", exc)
        with contextlib.suppress(Exception):  # the backlog an outage of Redis builds up
            async with ctx.db() as db:
                ctx.metrics.outbox_unsent.set(await outbox.count_unsent(db))
    return PlainTextResponse(
        ctx.metrics.render(),
        media_type="text/plain; version=0.0.4; charset=utf-8",
    )


async def openapi_json(request: Request) -> Response:
    ctx = get_context(request)
    return json_response(openapi.build(list(request.app.routes), title=ctx.settings.title))


routes = [
    Route("/healthz", healthz, methods=["GET"]),
    Route("/readyz", readyz, methods=["GET"]),
    Route("/metrics", metrics, methods=["GET"]),
    Route("/openapi.json", openapi_json, methods=["GET"]),
]
