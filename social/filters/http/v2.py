"""Filters, API v2 (Mastodon): a filter, its keywords and its statuses."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from social.filters import entities, service
from social.filters.http.params import FilterForm, KeywordForm, StatusForm, parse_filter_form
from social.filters.render import filter_json, keyword_json, status_json
from social.filters.service import FilterBundle
from social.web.caller import require_user
from social.web.context import get_context
from social.web.openapi import endpoint
from social.web.params import parse, parse_id
from social.web.responses import json_response

READ, WRITE = "read:filters", "write:filters"


def _filter(bundle: FilterBundle) -> Response:
    return json_response(filter_json(bundle.row, bundle.keywords, bundle.statuses))


@endpoint(
    "Your filters, expired ones too",
    auth="user",
    scopes=(READ,),
    response=entities.Filter,
    many=True,
)
async def list_filters(request: Request) -> Response:
    caller = require_user(request, READ)
    found = await service.filters_of(get_context(request), caller.account_id)
    return json_response([filter_json(b.row, b.keywords, b.statuses) for b in found])


@endpoint(
    "One of your filters", auth="user", scopes=(READ,), response=entities.Filter, errors=(404,)
)
async def show_filter(request: Request) -> Response:
    caller = require_user(request, READ)
    filter_id = parse_id(request.path_params["id"])
    return _filter(await service.filter_of(get_context(request), caller.account_id, filter_id))


@endpoint(
    "Create a filter (`title`, `context[]`, `filter_action`, `expires_in`, "
    "`keywords_attributes[][keyword|whole_word]`)",
    auth="user",
    scopes=(WRITE,),
    body=FilterForm,
    response=entities.Filter,
    errors=(422,),
)
async def create_filter(request: Request) -> Response:
    caller = require_user(request, WRITE)
    change = await parse_filter_form(request)
    return _filter(await service.create_filter(get_context(request), caller.account_id, change))


@endpoint(
    "Change a filter; `keywords_attributes[][id]` changes a keyword, with `_destroy` removes it",
    auth="user",
    scopes=(WRITE,),
    body=FilterForm,
    response=entities.Filter,
    errors=(404, 422),
)
async def update_filter(request: Request) -> Response:
    caller = require_user(request, WRITE)
    filter_id = parse_id(request.path_params["id"])
    change = await parse_filter_form(request)
    ctx = get_context(request)
    return _filter(await service.update_filter(ctx, caller.account_id, filter_id, change))


@endpoint("Delete a filter", auth="user", scopes=(WRITE,), errors=(404,))
async def delete_filter(request: Request) -> Response:
    caller = require_user(request, WRITE)
    filter_id = parse_id(request.path_params["id"])
    await service.delete_filter(get_context(request), caller.account_id, filter_id)
    return json_response({})


@endpoint(
    "A filter's keywords",
    auth="user",
    scopes=(READ,),
    response=entities.FilterKeyword,
    many=True,
    errors=(404,),
)
async def list_keywords(request: Request) -> Response:
    caller = require_user(request, READ)
    filter_id = parse_id(request.path_params["filter_id"])
    found = await service.keywords_of(get_context(request), caller.account_id, filter_id)
    return json_response([keyword_json(k) for k in found])


@endpoint(
    "Add a keyword to a filter",
    auth="user",
    scopes=(WRITE,),
    body=KeywordForm,
    response=entities.FilterKeyword,
    errors=(404, 422),
)
async def add_keyword(request: Request) -> Response:
    caller = require_user(request, WRITE)
    filter_id = parse_id(request.path_params["filter_id"])
    form = await parse(request, KeywordForm)
    added = await service.add_keyword(
        get_context(request), caller.account_id, filter_id, form.keyword or "", form.whole_word
    )
    return json_response(keyword_json(added))


@endpoint(
    "One keyword of your filters",
    auth="user",
    scopes=(READ,),
    response=entities.FilterKeyword,
    errors=(404,),
)
async def show_keyword(request: Request) -> Response:
    caller = require_user(request, READ)
    keyword_id = parse_id(request.path_params["id"])
    found, _ = await service.keyword_of(get_context(request), caller.account_id, keyword_id)
    return json_response(keyword_json(found))


@endpoint(
    "Change a keyword",
    auth="user",
    scopes=(WRITE,),
    body=KeywordForm,
    response=entities.FilterKeyword,
    errors=(404, 422),
)
async def update_keyword(request: Request) -> Response:
    caller = require_user(request, WRITE)
    keyword_id = parse_id(request.path_params["id"])
    form = await parse(request, KeywordForm)
    changed = await service.update_keyword(
        get_context(request), caller.account_id, keyword_id, form.keyword, form.whole_word
    )
    return json_response(keyword_json(changed))


@endpoint("Remove a keyword", auth="user", scopes=(WRITE,), errors=(404,))
async def delete_keyword(request: Request) -> Response:
    caller = require_user(request, WRITE)
    keyword_id = parse_id(request.path_params["id"])
    await service.delete_keyword(get_context(request), caller.account_id, keyword_id)
    return json_response({})


@endpoint(
    "A filter's statuses",
    auth="user",
    scopes=(READ,),
    response=entities.FilterStatus,
    many=True,
    errors=(404,),
)
async def list_statuses(request: Request) -> Response:
    caller = require_user(request, READ)
    filter_id = parse_id(request.path_params["filter_id"])
    found = await service.statuses_of(get_context(request), caller.account_id, filter_id)
    return json_response([status_json(s) for s in found])


@endpoint(
    "Add a status to a filter",
    auth="user",
    scopes=(WRITE,),
    body=StatusForm,
    response=entities.FilterStatus,
    errors=(404, 422),
)
async def add_status(request: Request) -> Response:
    caller = require_user(request, WRITE)
    filter_id = parse_id(request.path_params["filter_id"])
    form = await parse(request, StatusForm)
    added = await service.add_status(
        get_context(request), caller.account_id, filter_id, form.status_id
    )
    return json_response(status_json(added))


@endpoint(
    "One status entry of your filters",
    auth="user",
    scopes=(READ,),
    response=entities.FilterStatus,
    errors=(404,),
)
async def show_status(request: Request) -> Response:
    caller = require_user(request, READ)
    entry_id = parse_id(request.path_params["id"])
    found = await service.status_entry_of(get_context(request), caller.account_id, entry_id)
    return json_response(status_json(found))


@endpoint("Remove a status from a filter", auth="user", scopes=(WRITE,), errors=(404,))
async def delete_status(request: Request) -> Response:
    caller = require_user(request, WRITE)
    entry_id = parse_id(request.path_params["id"])
    await service.delete_status(get_context(request), caller.account_id, entry_id)
    return json_response({})


routes = [
    Route("/api/v2/filters", list_filters, methods=["GET"]),
    Route("/api/v2/filters", create_filter, methods=["POST"]),
    Route("/api/v2/filters/{id}", show_filter, methods=["GET"]),
    Route("/api/v2/filters/{id}", update_filter, methods=["PUT"]),
    Route("/api/v2/filters/{id}", delete_filter, methods=["DELETE"]),
    Route("/api/v2/filters/{filter_id}/keywords", list_keywords, methods=["GET"]),
    Route("/api/v2/filters/{filter_id}/keywords", add_keyword, methods=["POST"]),
    Route("/api/v2/filter_keywords/{id}", show_keyword, methods=["GET"]),
    Route("/api/v2/filter_keywords/{id}", update_keyword, methods=["PUT"]),
    Route("/api/v2/filter_keywords/{id}", delete_keyword, methods=["DELETE"]),
    Route("/api/v2/filters/{filter_id}/statuses", list_statuses, methods=["GET"]),
    Route("/api/v2/filters/{filter_id}/statuses", add_status, methods=["POST"]),
    Route("/api/v2/filter_statuses/{id}", show_status, methods=["GET"]),
    Route("/api/v2/filter_statuses/{id}", delete_status, methods=["DELETE"]),
]
