"""Search (Mastodon): `GET /api/v2/search` for accounts, hashtags and statuses, and the
account autocomplete `GET /api/v1/accounts/search`."""

from __future__ import annotations

from typing import Annotated

import orjson
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from social.accounts import entities as account_entities
from social.accounts.render import accounts_json
from social.platform.db.models import Tag
from social.platform.paging import MAX_ID
from social.search import entities
from social.search.service import KINDS, Query, search, search_accounts
from social.statuses.render import render_raw
from social.tags.service import following_among
from social.trends.render import TagEntity
from social.trends.service import tag_entities
from social.web.caller import optional_caller, require_token, require_user, viewer_id
from social.web.context import get_context
from social.web.errors import ApiError
from social.web.openapi import endpoint
from social.web.params import Id, parse_query
from social.web.responses import json_response, raw_json_list


def _blank_is_none(value: object) -> object:
    return None if value == "" else value


Blank = BeforeValidator(_blank_is_none)
OptionalId = Annotated[Id | None, Blank]


class SearchQuery(BaseModel):
    """Mastodon's parameters. `limit` and `offset` as Mastodon reads them: a negative one is
    refused (400), a larger limit cut to twice the default."""

    model_config = ConfigDict(extra="ignore")

    q: str = Field(default="", max_length=2000)
    type: Annotated[str | None, Blank] = Field(default=None, max_length=32)
    resolve: Annotated[bool, Blank] = False
    following: Annotated[bool, Blank] = False
    account_id: OptionalId = None
    exclude_unreviewed: Annotated[bool, Blank] = False
    min_id: OptionalId = None
    max_id: OptionalId = None
    limit: Annotated[int | None, Blank] = Field(default=None, le=MAX_ID)
    offset: Annotated[int | None, Blank] = Field(default=None, le=MAX_ID)


class AccountSearchQuery(SearchQuery):
    pass


RESOLVE_SIGNED_OUT = (
    "Search queries that resolve remote resources are not supported without authentication"
)
DEFAULT_LIMIT = 20
ACCOUNTS_LIMIT = 40  # Mastodon's DEFAULT_ACCOUNTS_LIMIT, for the autocomplete


def _checked(params: SearchQuery, default_limit: int) -> tuple[int, int]:
    """The limit and offset, as Mastodon's `require_valid_pagination_options!` and
    `limit_param` take them; a blank `q` refused as Rails' `params.require` refuses it."""
    if not params.q.strip():
        raise ApiError(400, "param is missing or the value is empty: q")
    if (params.limit or 0) < 0 or (params.offset or 0) < 0:
        raise ApiError(400, "Pagination values for `offset` and `limit` must be positive")
    limit = default_limit if params.limit is None else min(params.limit, 2 * default_limit)
    return limit, params.offset or 0


async def _hashtags(request: Request, tags: list[Tag], viewer: int | None) -> list[TagEntity]:
    if not tags:
        return []
    ctx = get_context(request)
    following = await following_among(ctx, viewer, [t.id for t in tags])
    return await tag_entities(ctx, tags, following)


@endpoint(
    "Search accounts (by username and display name prefix), hashtags (by prefix) and, "
    "signed in, statuses (by words) you may see; `@name` and `#tag` resolve directly, and "
    "with `resolve` a URL of this server to its status or account",
    auth="optional",
    scopes=("read:search",),
    query=SearchQuery,
    response=entities.Search,
    errors=(400, 401),
)
async def search_v2(request: Request) -> Response:
    if optional_caller(request) is not None:  # Mastodon's `authorize_if_got_token!`
        require_token(request, "read:search")
    params = parse_query(request, SearchQuery)
    limit, offset = _checked(params, DEFAULT_LIMIT)
    viewer = viewer_id(request)
    if viewer is None and params.offset is not None:
        raise ApiError(401, "Search queries pagination is not supported without authentication")
    if viewer is None and params.resolve:
        raise ApiError(401, RESOLVE_SIGNED_OUT)
    ctx = get_context(request)
    kind = params.type if params.type in KINDS else None
    if params.type is not None and kind is None:  # Mastodon searches no kind it does not know
        return json_response({"accounts": [], "statuses": [], "hashtags": []})
    query = Query(
        q=params.q,
        type=kind,
        resolve=params.resolve,
        following=params.following,
        account_id=params.account_id,
        exclude_unreviewed=params.exclude_unreviewed,
        min_id=params.min_id,
        max_id=params.max_id,
        limit=limit,
        offset=offset,
    )
    results = await search(ctx, viewer, query)
    found = await accounts_json(ctx, results.accounts) if results.accounts else {}
    accounts = raw_json_list([found[i] for i in results.accounts if i in found])
    statuses = raw_json_list(await render_raw(ctx, results.statuses, viewer))
    hashtags = orjson.dumps(
        [t.model_dump(mode="json") for t in await _hashtags(request, results.hashtags, viewer)]
    )
    body = b'{"accounts":%s,"statuses":%s,"hashtags":%s}' % (accounts, statuses, hashtags)
    return json_response(body)


@endpoint(
    "Accounts whose username or display name begins with `q` (autocomplete): the exact "
    "username first, then those you follow, then by followers",
    auth="user",
    scopes=("read:accounts",),
    query=AccountSearchQuery,
    response=account_entities.Account,
    many=True,
    errors=(400,),
)
async def search_accounts_v1(request: Request) -> Response:
    caller = require_user(request, "read:accounts")
    params = parse_query(request, AccountSearchQuery)
    limit, offset = _checked(params, ACCOUNTS_LIMIT)
    ctx = get_context(request)
    ids = (
        await search_accounts(
            ctx,
            caller.account_id,
            params.q,
            limit=limit,
            offset=offset,
            following=params.following,
        )
        if limit
        else []
    )
    found = await accounts_json(ctx, ids) if ids else {}
    return json_response(raw_json_list([found[i] for i in ids if i in found]))


routes = [
    Route("/api/v2/search", search_v2, methods=["GET"]),
    Route("/api/v1/accounts/search", search_accounts_v1, methods=["GET"]),
]
