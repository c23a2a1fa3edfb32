"""Follows: follow, unfollow, followers, following, relationships (Mastodon)."""

from __future__ import annotations

from pydantic import BaseModel, Field
from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from social.accounts import entities as account_entities
from social.accounts.render import account_or_404, accounts_page
from social.follows import entities
from social.follows.service import relationships, set_following
from social.platform.db.models import Follow
from social.platform.paging import PageQuery
from social.web.caller import require_user
from social.web.context import get_context
from social.web.openapi import endpoint
from social.web.paging import link_header
from social.web.params import is_id, multi_to_dict, parse_id, parse_query, validate
from social.web.responses import json_response, raw_json_list


class RelationshipsQuery(BaseModel):
    id: list[str] = Field(min_length=1, max_length=40)


async def _relationship(request: Request, on: bool) -> Response:
    caller = require_user(request, "write:follows")
    ctx = get_context(request)
    target = parse_id(request.path_params["id"])
    await set_following(ctx, caller.account_id, target, on)
    return json_response((await relationships(ctx, caller.account_id, [target]))[0])


@endpoint(
    "Follow an account",
    auth="user",
    scopes=("write:follows",),
    response=entities.Relationship,
    errors=(404,),
)
async def follow(request: Request) -> Response:
    return await _relationship(request, True)


@endpoint(
    "Unfollow an account",
    auth="user",
    scopes=("write:follows",),
    response=entities.Relationship,
    errors=(404,),
)
async def unfollow(request: Request) -> Response:
    return await _relationship(request, False)


async def _follow_list(request: Request, *, followers: bool) -> Response:
    ctx = get_context(request)
    account_id = parse_id(request.path_params["id"])
    await account_or_404(ctx, account_id)
    page = parse_query(request, PageQuery)
    mine, other = (
        (Follow.target_account_id, Follow.account_id)
        if followers
        else (Follow.account_id, Follow.target_account_id)
    )
    query = select(Follow.id, other).where(mine == account_id)
    cursors, accounts = await accounts_page(ctx, query, Follow.id, page)
    headers = {"Link": link_header(request, cursors)} if cursors else {}
    return json_response(raw_json_list(accounts), headers=headers)


@endpoint(
    "Accounts following this account",
    query=PageQuery,
    response=account_entities.Account,
    many=True,
    errors=(404,),
)
async def followers(request: Request) -> Response:
    return await _follow_list(request, followers=True)


@endpoint(
    "Accounts this account follows",
    query=PageQuery,
    response=account_entities.Account,
    many=True,
    errors=(404,),
)
async def following(request: Request) -> Response:
    return await _follow_list(request, followers=False)


@endpoint(
    "Your relationships with the given accounts (`id[]=`)",
    auth="user",
    scopes=("read:follows",),
    query=RelationshipsQuery,
    response=entities.Relationship,
    many=True,
)
async def relationships_endpoint(request: Request) -> Response:
    caller = require_user(request, "read:follows")
    params = multi_to_dict(request.query_params)
    if isinstance(params.get("id"), str):
        params["id"] = [params["id"]]
    q = validate(RelationshipsQuery, params)
    ids = [int(i) for i in q.id if is_id(i)]
    return json_response(await relationships(get_context(request), caller.account_id, ids))


routes = [
    Route("/api/v1/accounts/relationships", relationships_endpoint, methods=["GET"]),
    Route("/api/v1/accounts/{id}/follow", follow, methods=["POST"]),
    Route("/api/v1/accounts/{id}/unfollow", unfollow, methods=["POST"]),
    Route("/api/v1/accounts/{id}/followers", followers, methods=["GET"]),
    Route("/api/v1/accounts/{id}/following", following, methods=["GET"]),
]
