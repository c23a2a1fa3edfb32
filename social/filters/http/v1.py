"""Filters, API v1 (Mastodon keeps it): each v1 filter is one keyword of a v2 filter."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from social.filters import entities, service
from social.filters.http.params import V1FilterForm
from social.filters.render import v1_filter_json
from social.web.caller import require_user
from social.web.context import get_context
from social.web.openapi import endpoint
from social.web.params import parse, parse_id
from social.web.responses import json_response

READ, WRITE = "read:filters", "write:filters"


@endpoint(
    "Your filters' keywords, each as a v1 filter",
    auth="user",
    scopes=(READ,),
    response=entities.V1Filter,
    many=True,
)
async def list_filters(request: Request) -> Response:
    caller = require_user(request, READ)
    found = await service.v1_filters_of(get_context(request), caller.account_id)
    return json_response([v1_filter_json(k, f) for k, f in found])


@endpoint("One v1 filter", auth="user", scopes=(READ,), response=entities.V1Filter, errors=(404,))
async def show_filter(request: Request) -> Response:
    caller = require_user(request, READ)
    keyword_id = parse_id(request.path_params["id"])
    keyword, row = await service.keyword_of(get_context(request), caller.account_id, keyword_id)
    return json_response(v1_filter_json(keyword, row))


@endpoint(
    "Create a filter of one keyword (`phrase`, `context[]`, `irreversible`, `whole_word`, "
    "`expires_in`)",
    auth="user",
    scopes=(WRITE,),
    body=V1FilterForm,
    response=entities.V1Filter,
    errors=(422,),
)
async def create_filter(request: Request) -> Response:
    caller = require_user(request, WRITE)
    form = await parse(request, V1FilterForm)
    ctx = get_context(request)
    keyword, row = await service.v1_create(ctx, caller.account_id, form.change())
    return json_response(v1_filter_json(keyword, row))


@endpoint(
    "Change a v1 filter (its filter's context, action and expiry only if it has no other keyword)",
    auth="user",
    scopes=(WRITE,),
    body=V1FilterForm,
    response=entities.V1Filter,
    errors=(404, 422),
)
async def update_filter(request: Request) -> Response:
    caller = require_user(request, WRITE)
    keyword_id = parse_id(request.path_params["id"])
    form = await parse(request, V1FilterForm)
    ctx = get_context(request)
    keyword, row = await service.v1_update(ctx, caller.account_id, keyword_id, form.change())
    return json_response(v1_filter_json(keyword, row))


@endpoint("Delete a v1 filter (the keyword)", auth="user", scopes=(WRITE,), errors=(404,))
async def delete_filter(request: Request) -> Response:
    caller = require_user(request, WRITE)
    keyword_id = parse_id(request.path_params["id"])
    await service.delete_keyword(get_context(request), caller.account_id, keyword_id)
    return json_response({})


routes = [
    Route("/api/v1/filters", list_filters, methods=["GET"]),
    Route("/api/v1/filters", create_filter, methods=["POST"]),
    Route("/api/v1/filters/{id}", show_filter, methods=["GET"]),
    Route("/api/v1/filters/{id}", update_filter, methods=["PUT"]),
    Route("/api/v1/filters/{id}", delete_filter, methods=["DELETE"]),
]
