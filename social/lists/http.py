"""Lists (Mastodon): your lists, their members, the lists holding an account, and a list's
timeline."""

from __future__ import annotations

from operator import itemgetter

from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from social.accounts import entities as account_entities
from social.accounts.render import accounts_json
from social.filters.apply import filtered
from social.lists import entities, service
from social.lists.feeds import read_list
from social.lists.render import render_list
from social.platform.paging import PageQuery
from social.statuses import entities as status_entities
from social.statuses.render import render_raw
from social.web.caller import require_user
from social.web.context import get_context
from social.web.openapi import endpoint
from social.web.paging import link_header, page_response
from social.web.params import Id, parse, parse_id, parse_query
from social.web.responses import json_response, raw_json_list

ACCOUNTS_LIMIT = 40  # Mastodon's default; twice that at most; 0: every member


class ListForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    title: str | None = Field(default=None, description="required to create")
    replies_policy: str | None = Field(
        default=None, description="`followed`, `list` (the default) or `none`"
    )
    exclusive: bool | None = Field(
        default=None, description="keep its members' statuses out of your home"
    )


class AccountIdsForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    account_ids: list[Id] = Field(default_factory=list, max_length=ACCOUNTS_LIMIT * 2)

    @field_validator("account_ids", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return [value] if isinstance(value, str | int) else value


class ListAccountsQuery(PageQuery):
    model_config = ConfigDict(extra="ignore")

    limit: int = Field(default=ACCOUNTS_LIMIT, ge=0)

    @field_validator("limit")
    @classmethod
    def _clamp(cls, value: int) -> int:
        return min(value, ACCOUNTS_LIMIT * 2)


def _change(form: ListForm) -> service.ListChange:
    return service.ListChange(form.title, form.replies_policy, form.exclusive)


@endpoint(
    "Your lists",
    auth="user",
    scopes=("read:lists",),
    response=entities.List,
    many=True,
)
async def index(request: Request) -> Response:
    caller = require_user(request, "read:lists")
    rows = await service.owned_lists(get_context(request), caller.account_id)
    return json_response([render_list(r) for r in rows])


@endpoint(
    "One of your lists",
    auth="user",
    scopes=("read:lists",),
    response=entities.List,
    errors=(404,),
)
async def show(request: Request) -> Response:
    caller = require_user(request, "read:lists")
    list_id = parse_id(request.path_params["id"])
    row = await service.owned_list(get_context(request), caller.account_id, list_id)
    return json_response(render_list(row))


@endpoint(
    "Create a list",
    auth="user",
    scopes=("write:lists",),
    body=ListForm,
    response=entities.List,
    errors=(422,),
)
async def create(request: Request) -> Response:
    caller = require_user(request, "write:lists")
    form = await parse(request, ListForm)
    row = await service.create_list(get_context(request), caller.account_id, _change(form))
    return json_response(render_list(row))


@endpoint(
    "Change a list's title, replies policy or exclusiveness",
    auth="user",
    scopes=("write:lists",),
    body=ListForm,
    response=entities.List,
    errors=(404, 422),
)
async def update(request: Request) -> Response:
    caller = require_user(request, "write:lists")
    list_id = parse_id(request.path_params["id"])
    form = await parse(request, ListForm)
    ctx = get_context(request)
    row = await service.update_list(ctx, caller.account_id, list_id, _change(form))
    return json_response(render_list(row))


@endpoint("Delete a list", auth="user", scopes=("write:lists",), errors=(404,))
async def destroy(request: Request) -> Response:
    caller = require_user(request, "write:lists")
    list_id = parse_id(request.path_params["id"])
    await service.delete_list(get_context(request), caller.account_id, list_id)
    return json_response({})


@endpoint(
    "The accounts in a list (`limit=0`: all of them)",
    auth="user",
    scopes=("read:lists",),
    query=ListAccountsQuery,
    response=account_entities.Account,
    many=True,
    errors=(404,),
)
async def accounts(request: Request) -> Response:
    caller = require_user(request, "read:lists")
    ctx = get_context(request)
    row = await service.owned_list(ctx, caller.account_id, parse_id(request.path_params["id"]))
    q = parse_query(request, ListAccountsQuery)
    ids = await service.member_ids(ctx, row, q if q.limit else None)
    found = await accounts_json(ctx, ids)
    headers = {"Link": link_header(request, ids)} if ids and q.limit else {}
    return json_response(raw_json_list([found[i] for i in ids if i in found]), headers=headers)


@endpoint(
    "Add accounts you follow to a list",
    auth="user",
    scopes=("write:lists",),
    body=AccountIdsForm,
    errors=(404, 422),
)
async def add_accounts(request: Request) -> Response:
    caller = require_user(request, "write:lists")
    list_id = parse_id(request.path_params["id"])
    form = await parse(request, AccountIdsForm)
    await service.add_members(get_context(request), caller.account_id, list_id, form.account_ids)
    return json_response({})


@endpoint(
    "Remove accounts from a list",
    auth="user",
    scopes=("write:lists",),
    body=AccountIdsForm,
    errors=(404,),
)
async def remove_accounts(request: Request) -> Response:
    caller = require_user(request, "write:lists")
    list_id = parse_id(request.path_params["id"])
    form = await parse(request, AccountIdsForm)
    ctx = get_context(request)
    await service.remove_members(ctx, caller.account_id, list_id, form.account_ids)
    return json_response({})


@endpoint(
    "Your lists holding this account",
    auth="user",
    scopes=("read:lists",),
    response=entities.List,
    many=True,
    errors=(404,),
)
async def account_lists(request: Request) -> Response:
    caller = require_user(request, "read:lists")
    account_id = parse_id(request.path_params["id"])
    rows = await service.lists_with(get_context(request), caller.account_id, account_id)
    return json_response([render_list(r) for r in rows])


@endpoint(
    "Statuses of the accounts in a list",
    auth="user",
    scopes=("read:lists",),
    query=PageQuery,
    response=status_entities.Status,
    many=True,
    errors=(404,),
)
async def timeline(request: Request) -> Response:
    caller = require_user(request, "read:lists")
    ctx = get_context(request)
    row = await service.owned_list(ctx, caller.account_id, parse_id(request.path_params["id"]))
    page = parse_query(request, PageQuery)
    entries = await read_list(ctx, row, page)
    ids = list(map(itemgetter(0), entries))
    authors = list(map(itemgetter(1), entries))
    rendering = render_raw(ctx, ids, caller.account_id, check_visibility=False, authors=authors)
    statuses = await filtered(ctx, caller.account_id, "home", rendering)  # as Mastodon
    return page_response(request, ids, statuses)


routes = [
    Route("/api/v1/lists", index, methods=["GET"]),
    Route("/api/v1/lists", create, methods=["POST"]),
    Route("/api/v1/lists/{id}", show, methods=["GET"]),
    Route("/api/v1/lists/{id}", update, methods=["PUT"]),
    Route("/api/v1/lists/{id}", destroy, methods=["DELETE"]),
    Route("/api/v1/lists/{id}/accounts", accounts, methods=["GET"]),
    Route("/api/v1/lists/{id}/accounts", add_accounts, methods=["POST"]),
    Route("/api/v1/lists/{id}/accounts", remove_accounts, methods=["DELETE"]),
    Route("/api/v1/accounts/{id}/lists", account_lists, methods=["GET"]),
    Route("/api/v1/timelines/list/{id}", timeline, methods=["GET"]),
]
