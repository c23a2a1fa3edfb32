"""NodeInfo: where the documents are (`/.well-known/nodeinfo`), and schemas 2.0 and 2.1. Shared
caches may keep them as Mastodon lets them: the links for three days, a document half an hour."""

from __future__ import annotations

from typing import Literal

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from social.instance import entities
from social.instance import nodeinfo as documents
from social.instance.stats import stats
from social.web.context import get_context
from social.web.openapi import endpoint
from social.web.responses import json_response

LINKS_MAX_AGE_S = 3 * 86400
DOCUMENT_MAX_AGE_S = 1800


@endpoint("Where the NodeInfo documents are", response=entities.NodeInfoLinks)
async def discovery(request: Request) -> Response:
    headers = {"Cache-Control": f"public, max-age={LINKS_MAX_AGE_S}"}
    return json_response(documents.links(get_context(request)), headers=headers)


async def _document(request: Request, version: Literal["2.0", "2.1"]) -> Response:
    ctx = get_context(request)
    body = documents.nodeinfo(ctx, version, await stats(ctx))
    headers = {"Cache-Control": f"public, max-age={DOCUMENT_MAX_AGE_S}"}
    return json_response(body.model_dump(mode="json", exclude_none=True), headers=headers)


@endpoint("NodeInfo 2.0: the software, its protocols and usage", response=entities.NodeInfo)
async def nodeinfo_20(request: Request) -> Response:
    return await _document(request, "2.0")


@endpoint("NodeInfo 2.1: as 2.0, with the software's repository", response=entities.NodeInfo)
async def nodeinfo_21(request: Request) -> Response:
    return await _document(request, "2.1")


routes = [
    Route("/.well-known/nodeinfo", discovery, methods=["GET"]),
    Route("/nodeinfo/2.0", nodeinfo_20, methods=["GET"]),
    Route("/nodeinfo/2.1", nodeinfo_21, methods=["GET"]),
]
