"""Blocks, mutes and private notes on accounts (Mastodon)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from social.accounts import entities as account_entities
from social.accounts.render import account_or_404, accounts_page
from social.platform.context import AppContext
from social.platform.db.models import AccountPin, Block, Mute
from social.platform.paging import LongPageQuery
from social.relations import entities
from social.relations.blocks import block, blocks_viewer, mute, unblock, unmute
from social.relations.endorsements import endorse
from social.relations.hidden import active_mute
from social.relations.notes import set_note
from social.relations.relationships import relationship_with
from social.web.caller import require_user, viewer_id
from social.web.context import get_context
from social.web.openapi import endpoint
from social.web.paging import page_response
from social.web.params import parse, parse_id, parse_query
from social.web.responses import json_response

MUTE_MAX_S = 100 * 365 * 86400


class MuteForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    notifications: bool = Field(default=True, description="mute their notifications too")
    duration: int = Field(default=0, ge=0, le=MUTE_MAX_S, description="seconds; 0: no end")


class NoteForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    comment: str = Field(default="", max_length=2000)


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
    "Block an account: follows both ways end, and neither sees the other",
    auth="user",
    scopes=("write:blocks",),
    response=entities.Relationship,
    errors=(403, 404),
)
async def block_endpoint(request: Request) -> Response:
    return await _acted(request, "write:blocks", block)


@endpoint(
    "Unblock an account",
    auth="user",
    scopes=("write:blocks",),
    response=entities.Relationship,
    errors=(404,),
)
async def unblock_endpoint(request: Request) -> Response:
    return await _acted(request, "write:blocks", unblock)


@endpoint(
    "Mute an account (and its notifications), for a time or until unmuted",
    auth="user",
    scopes=("write:mutes",),
    body=MuteForm,
    response=entities.Relationship,
    errors=(403, 404),
)
async def mute_endpoint(request: Request) -> Response:
    async def act(ctx: AppContext, caller: int, target: int) -> None:
        form = await parse(request, MuteForm)
        await mute(ctx, caller, target, notifications=form.notifications, duration_s=form.duration)

    return await _acted(request, "write:mutes", act)


@endpoint(
    "Unmute an account",
    auth="user",
    scopes=("write:mutes",),
    response=entities.Relationship,
    errors=(404,),
)
async def unmute_endpoint(request: Request) -> Response:
    return await _acted(request, "write:mutes", unmute)


@endpoint(
    "Set your private note on an account (empty: none)",
    auth="user",
    scopes=("write:accounts",),
    body=NoteForm,
    response=entities.Relationship,
    errors=(404,),
)
async def note_endpoint(request: Request) -> Response:
    async def act(ctx: AppContext, caller: int, target: int) -> None:
        await set_note(ctx, caller, target, (await parse(request, NoteForm)).comment)

    return await _acted(request, "write:accounts", act)


@endpoint(
    "Accounts you block",
    auth="user",
    scopes=("read:blocks",),
    query=LongPageQuery,
    response=account_entities.Account,
    many=True,
)
async def blocks(request: Request) -> Response:
    caller = require_user(request, "read:blocks")
    page = parse_query(request, LongPageQuery)
    query = select(Block.id, Block.target_account_id).where(Block.account_id == caller.account_id)
    cursors, accounts = await accounts_page(get_context(request), query, Block.id, page)
    return page_response(request, cursors, accounts)


@endpoint(
    "Accounts you mute",
    auth="user",
    scopes=("read:mutes",),
    query=LongPageQuery,
    response=account_entities.Account,
    many=True,
)
async def mutes(request: Request) -> Response:
    caller = require_user(request, "read:mutes")
    page = parse_query(request, LongPageQuery)
    query = select(Mute.id, Mute.target_account_id).where(
        Mute.account_id == caller.account_id, active_mute()
    )
    cursors, accounts = await accounts_page(get_context(request), query, Mute.id, page)
    return page_response(request, cursors, accounts)


async def _endorse(request: Request, on: bool) -> Response:
    return await _acted(request, "write:accounts", lambda c, me, them: endorse(c, me, them, on))


@endpoint(
    "Feature an account you follow on your profile (an endorsement)",
    auth="user",
    scopes=("write:accounts",),
    response=entities.Relationship,
    errors=(404, 422),
)
async def endorse_endpoint(request: Request) -> Response:
    return await _endorse(request, True)


@endpoint(
    "Stop featuring an account on your profile",
    auth="user",
    scopes=("write:accounts",),
    response=entities.Relationship,
    errors=(404,),
)
async def unendorse_endpoint(request: Request) -> Response:
    return await _endorse(request, False)


@endpoint(
    "Accounts you feature on your profile",
    auth="user",
    scopes=("read:accounts",),
    query=LongPageQuery,
    response=account_entities.Account,
    many=True,
)
async def endorsements(request: Request) -> Response:
    caller = require_user(request, "read:accounts")
    page = parse_query(request, LongPageQuery)
    query = select(AccountPin.id, AccountPin.target_account_id).where(
        AccountPin.account_id == caller.account_id
    )
    cursors, accounts = await accounts_page(get_context(request), query, AccountPin.id, page)
    return page_response(request, cursors, accounts)


@endpoint(
    "Accounts an account features on its profile",
    query=LongPageQuery,
    response=account_entities.Account,
    many=True,
    errors=(404,),
)
async def account_endorsements(request: Request) -> Response:
    ctx = get_context(request)
    account_id = parse_id(request.path_params["id"])
    await account_or_404(ctx, account_id)
    page = parse_query(request, LongPageQuery)
    viewer = viewer_id(request)
    if viewer is not None and await blocks_viewer(ctx, account_id, viewer):
        return json_response([])  # an account that blocks you shows you none
    query = select(AccountPin.id, AccountPin.target_account_id).where(
        AccountPin.account_id == account_id
    )
    cursors, accounts = await accounts_page(ctx, query, AccountPin.id, page)
    return page_response(request, cursors, accounts)


routes = [
    Route("/api/v1/accounts/{id}/block", block_endpoint, methods=["POST"]),
    Route("/api/v1/accounts/{id}/unblock", unblock_endpoint, methods=["POST"]),
    Route("/api/v1/accounts/{id}/mute", mute_endpoint, methods=["POST"]),
    Route("/api/v1/accounts/{id}/unmute", unmute_endpoint, methods=["POST"]),
    Route("/api/v1/accounts/{id}/note", note_endpoint, methods=["POST"]),
    Route("/api/v1/blocks", blocks, methods=["GET"]),
    Route("/api/v1/mutes", mutes, methods=["GET"]),
    Route("/api/v1/accounts/{id}/pin", endorse_endpoint, methods=["POST"]),
    Route("/api/v1/accounts/{id}/unpin", unendorse_endpoint, methods=["POST"]),
    Route("/api/v1/accounts/{id}/endorse", endorse_endpoint, methods=["POST"]),
    Route("/api/v1/accounts/{id}/unendorse", unendorse_endpoint, methods=["POST"]),
    Route("/api/v1/endorsements", endorsements, methods=["GET"]),
    Route("/api/v1/accounts/{id}/endorsements", account_endorsements, methods=["GET"]),
]
