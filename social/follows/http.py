"""Follows: follow (with its options), unfollow, followers, following, relationships, and a
locked account's follow requests (Mastodon)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from social.accounts import entities as account_entities
from social.accounts.render import account_or_404, accounts_json, accounts_page
from social.follows.service import (
    FollowOptions,
    authorize,
    familiar_followers,
    follow,
    reject,
    remove_from_followers,
    unfollow,
)
from social.platform.context import AppContext
from social.platform.db.models import Follow, FollowRequest
from social.platform.paging import LongPageQuery
from social.relations import entities
from social.relations.blocks import blocks_viewer
from social.relations.relationships import relationship_with, relationships
from social.web.caller import require_user, viewer_id
from social.web.context import get_context
from social.web.openapi import endpoint
from social.web.paging import page_response
from social.web.params import is_id, multi_to_dict, parse, parse_id, parse_query, validate
from social.web.responses import json_response


class FamiliarFollowers(BaseModel):
    """Mastodon's FamiliarFollowers entity."""

    id: str
    accounts: list[account_entities.Account]


class RelationshipsQuery(BaseModel):
    id: list[str] = Field(min_length=1, max_length=40)


class FollowForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    reblogs: bool | None = Field(default=None, description="show their boosts in your home")
    notify: bool | None = Field(default=None, description="be notified when they post")
    languages: list[str] | None = Field(
        default=None,
        max_length=100,
        description="only their statuses in these languages (ISO 639-1) enter your home",
    )

    @field_validator("languages", mode="before")
    @classmethod
    def _one_is_a_list(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value


Act = Callable[[AppContext, int, int], Awaitable[object]]


async def _acted(request: Request, scope: str, act: Act) -> Response:
    """`act` (context, caller, the account in the path) by a user holding `scope`; the
    caller's Relationship with that account after it, as Mastodon answers."""
    caller = require_user(request, scope)
    ctx = get_context(request)
    target = parse_id(request.path_params["id"])
    await act(ctx, caller.account_id, target)
    return json_response(await relationship_with(ctx, caller.account_id, target))


@endpoint(
    "Follow an account (a locked one: ask to), or change a follow's options",
    auth="user",
    scopes=("write:follows",),
    body=FollowForm,
    response=entities.Relationship,
    errors=(403, 404),
)
async def follow_endpoint(request: Request) -> Response:
    async def act(ctx: AppContext, caller: int, target: int) -> None:
        form = await parse(request, FollowForm)
        languages = None
        if form.languages is not None:
            languages = tuple(dict.fromkeys(x.strip().lower() for x in form.languages if x.strip()))
        await follow(ctx, caller, target, FollowOptions(form.reblogs, form.notify, languages))

    return await _acted(request, "write:follows", act)


@endpoint(
    "Unfollow an account, or withdraw a follow request",
    auth="user",
    scopes=("write:follows",),
    response=entities.Relationship,
    errors=(404,),
)
async def unfollow_endpoint(request: Request) -> Response:
    return await _acted(request, "write:follows", unfollow)


async def _follow_list(request: Request, *, followers: bool) -> Response:
    ctx = get_context(request)
    account_id = parse_id(request.path_params["id"])
    await account_or_404(ctx, account_id)
    page = parse_query(request, LongPageQuery)
    viewer = viewer_id(request)
    if viewer is not None and await blocks_viewer(ctx, account_id, viewer):
        return json_response([])  # as Mastodon: an account that blocks you shows you none
    mine, other = (
        (Follow.target_account_id, Follow.account_id)
        if followers
        else (Follow.account_id, Follow.target_account_id)
    )
    query = select(Follow.id, other).where(mine == account_id)
    cursors, accounts = await accounts_page(ctx, query, Follow.id, page)
    return page_response(request, cursors, accounts)


@endpoint(
    "Accounts following this account",
    query=LongPageQuery,
    response=account_entities.Account,
    many=True,
    errors=(404,),
)
async def followers(request: Request) -> Response:
    return await _follow_list(request, followers=True)


@endpoint(
    "Accounts this account follows",
    query=LongPageQuery,
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
    ids = _ids(request)
    return json_response(await relationships(get_context(request), caller.account_id, ids))


def _ids(request: Request) -> list[int]:
    """`id[]=` (or one `id=`): at most 40; ids that cannot be an account's are left out."""
    params = multi_to_dict(request.query_params)
    if isinstance(params.get("id"), str):
        params["id"] = [params["id"]]
    q = validate(RelationshipsQuery, params)
    return [int(i) for i in q.id if is_id(i)]


@endpoint(
    "For each account (`id[]=`): the accounts you follow that follow it",
    auth="user",
    scopes=("read:follows",),
    query=RelationshipsQuery,
    response=FamiliarFollowers,
    many=True,
)
async def familiar_followers_endpoint(request: Request) -> Response:
    caller = require_user(request, "read:follows")
    ctx = get_context(request)
    ids = list(dict.fromkeys(_ids(request)))
    found = await familiar_followers(ctx, caller.account_id, ids)
    accounts = await accounts_json(ctx, list({a for f in found.values() for a in f}))
    body = b",".join(
        b'{"id":"%d","accounts":[%s]}'
        % (i, b",".join(accounts[a] for a in found[i] if a in accounts))
        for i in ids
        if i in found
    )
    return json_response(b"[" + body + b"]")


@endpoint(
    "Remove an account from your followers (their follow of you ends)",
    auth="user",
    scopes=("write:follows",),
    response=entities.Relationship,
    errors=(404,),
)
async def remove_from_followers_endpoint(request: Request) -> Response:
    return await _acted(request, "write:follows", remove_from_followers)


@endpoint(
    "Accounts asking to follow you",
    auth="user",
    scopes=("read:follows",),
    query=LongPageQuery,
    response=account_entities.Account,
    many=True,
)
async def follow_requests(request: Request) -> Response:
    caller = require_user(request, "read:follows")
    page = parse_query(request, LongPageQuery)
    query = select(FollowRequest.id, FollowRequest.account_id).where(
        FollowRequest.target_account_id == caller.account_id
    )
    cursors, accounts = await accounts_page(get_context(request), query, FollowRequest.id, page)
    return page_response(request, cursors, accounts)


@endpoint(
    "Accept a follow request",
    auth="user",
    scopes=("write:follows",),
    response=entities.Relationship,
    errors=(404,),
)
async def authorize_request(request: Request) -> Response:
    return await _acted(request, "write:follows", authorize)


@endpoint(
    "Reject a follow request",
    auth="user",
    scopes=("write:follows",),
    response=entities.Relationship,
    errors=(404,),
)
async def reject_request(request: Request) -> Response:
    return await _acted(request, "write:follows", reject)


routes = [
    Route("/api/v1/accounts/relationships", relationships_endpoint, methods=["GET"]),
    Route("/api/v1/accounts/familiar_followers", familiar_followers_endpoint, methods=["GET"]),
    Route(
        "/api/v1/accounts/{id}/remove_from_followers",
        remove_from_followers_endpoint,
        methods=["POST"],
    ),
    Route("/api/v1/accounts/{id}/follow", follow_endpoint, methods=["POST"]),
    Route("/api/v1/accounts/{id}/unfollow", unfollow_endpoint, methods=["POST"]),
    Route("/api/v1/accounts/{id}/followers", followers, methods=["GET"]),
    Route("/api/v1/accounts/{id}/following", following, methods=["GET"]),
    Route("/api/v1/follow_requests", follow_requests, methods=["GET"]),
    Route("/api/v1/follow_requests/{id}/authorize", authorize_request, methods=["POST"]),
    Route("/api/v1/follow_requests/{id}/reject", reject_request, methods=["POST"]),
]
