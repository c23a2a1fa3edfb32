"""Blocks, mutes and private notes on accounts (Mastodon)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from social.accounts import entities as account_entities
from social.accounts.render import account_or_404, accounts_page
from social.platform.db.models import AccountPin, Block, Mute
from social.platform.paging import PageQuery
from social.relations import entities
from social.relations.blocks import block, blocks_viewer, mute, unblock, unmute
from social.relations.endorsements import endorse
from social.relations.hidden import active_mute
from social.relations.notes import set_note
from social.relations.relationships import relationships
from social.web.caller import require_user, viewer_id
from social.web.context import get_context
from social.web.openapi import endpoint
from social.web.paging import link_header
from social.web.params import parse, parse_id, parse_query
from social.web.responses import json_response, raw_json_list

MUTE_MAX_S = 100 * 365 * 86400


class MuteForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    notifications: bool = Field(default=True, description="mute their notifications too")
    duration: int = Field(default=0, ge=0, le=MUTE_MAX_S, description="seconds; 0: no end")


class NoteForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    comment: str = Field(default="", max_length=2000)


async def _relationship(request: Request, account_id: int) -> Response:
    caller = require_user(request)
    rel = await relationships(get_context(request), caller.account_id, [account_id])
    return json_response(rel[0])


@endpoint(
    "Block an account: follows both ways end, and neither sees the other",
    auth="user",
    scopes=("write:blocks",),
    response=entities.Relationship,
    errors=(403, 404),
)
async def block_endpoint(request: Request) -> Response:
    caller = require_user(request, "write:blocks")
    target = parse_id(request.path_params["id"])
    await block(get_context(request), caller.account_id, target)
    return await _relationship(request, target)


@endpoint(
    "Unblock an account",
    auth="user",
    scopes=("write:blocks",),
    response=entities.Relationship,
    errors=(404,),
)
async def unblock_endpoint(request: Request) -> Response:
    caller = require_user(request, "write:blocks")
    target = parse_id(request.path_params["id"])
    await unblock(get_context(request), caller.account_id, target)
    return await _relationship(request, target)


@endpoint(
    "Mute an account (and its notifications), for a time or until unmuted",
    auth="user",
    scopes=("write:mutes",),
    body=MuteForm,
    response=entities.Relationship,
    errors=(403, 404),
)
async def mute_endpoint(request: Request) -> Response:
    caller = require_user(request, "write:mutes")
    target = parse_id(request.path_params["id"])
    form = await parse(request, MuteForm)
    await mute(
        get_context(request),
        caller.account_id,
        target,
        notifications=form.notifications,
        duration_s=form.duration,
    )
    return await _relationship(request, target)


@endpoint(
    "Unmute an account",
    auth="user",
    scopes=("write:mutes",),
    response=entities.Relationship,
    errors=(404,),
)
async def unmute_endpoint(request: Request) -> Response:
    caller = require_user(request, "write:mutes")
    target = parse_id(request.path_params["id"])
    await unmute(get_context(request), caller.account_id, target)
    return await _relationship(request, target)


@endpoint(
    "Set your private note on an account (empty: none)",
    auth="user",
    scopes=("write:accounts",),
    body=NoteForm,
    response=entities.Relationship,
    errors=(404,),
)
async def note_endpoint(request: Request) -> Response:
    caller = require_user(request, "write:accounts")
    target = parse_id(request.path_params["id"])
    form = await parse(request, NoteForm)
    await set_note(get_context(request), caller.account_id, target, form.comment)
    return await _relationship(request, target)


@endpoint(
    "Accounts you block",
    auth="user",
    scopes=("read:blocks",),
    query=PageQuery,
    response=account_entities.Account,
    many=True,
)
async def blocks(request: Request) -> Response:
    caller = require_user(request, "read:blocks")
    page = parse_query(request, PageQuery)
    query = select(Block.id, Block.target_account_id).where(Block.account_id == caller.account_id)
    cursors, accounts = await accounts_page(get_context(request), query, Block.id, page)
    headers = {"Link": link_header(request, cursors)} if cursors else {}
    return json_response(raw_json_list(accounts), headers=headers)


@endpoint(
    "Accounts you mute",
    auth="user",
    scopes=("read:mutes",),
    query=PageQuery,
    response=account_entities.Account,
    many=True,
)
async def mutes(request: Request) -> Response:
    caller = require_user(request, "read:mutes")
    page = parse_query(request, PageQuery)
    query = select(Mute.id, Mute.target_account_id).where(
        Mute.account_id == caller.account_id, active_mute()
    )
    cursors, accounts = await accounts_page(get_context(request), query, Mute.id, page)
    headers = {"Link": link_header(request, cursors)} if cursors else {}
    return json_response(raw_json_list(accounts), headers=headers)


async def _endorse(request: Request, on: bool) -> Response:
    caller = require_user(request, "write:accounts")
    target = parse_id(request.path_params["id"])
    await endorse(get_context(request), caller.account_id, target, on)
    return await _relationship(request, target)


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
    query=PageQuery,
    response=account_entities.Account,
    many=True,
)
async def endorsements(request: Request) -> Response:
    caller = require_user(request, "read:accounts")
    page = parse_query(request, PageQuery)
    query = select(AccountPin.id, AccountPin.target_account_id).where(
        AccountPin.account_id == caller.account_id
    )
    cursors, accounts = await accounts_page(get_context(request), query, AccountPin.id, page)
    headers = {"Link": link_header(request, cursors)} if cursors else {}
    return json_response(raw_json_list(accounts), headers=headers)


@endpoint(
    "Accounts an account features on its profile",
    query=PageQuery,
    response=account_entities.Account,
    many=True,
    errors=(404,),
)
async def account_endorsements(request: Request) -> Response:
    ctx = get_context(request)
    account_id = parse_id(request.path_params["id"])
    await account_or_404(ctx, account_id)
    page = parse_query(request, PageQuery)
    viewer = viewer_id(request)
    if viewer is not None and await blocks_viewer(ctx, account_id, viewer):
        return json_response([])  # an account that blocks you shows you none
    query = select(AccountPin.id, AccountPin.target_account_id).where(
        AccountPin.account_id == account_id
    )
    cursors, accounts = await accounts_page(ctx, query, AccountPin.id, page)
    headers = {"Link": link_header(request, cursors)} if cursors else {}
    return json_response(raw_json_list(accounts), headers=headers)


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
