"""Other people's accounts: one, several at once, by acct; and the placeholder images."""

from __future__ import annotations

import struct
import zlib

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from social.accounts import entities
from social.accounts.render import account_or_404, accounts_json
from social.accounts.service import find_by_acct
from social.web.context import get_context
from social.web.errors import not_found
from social.web.openapi import endpoint
from social.web.params import Id, IdsQuery, parse_id, parse_query
from social.web.responses import json_response, raw_json_list


class LookupQuery(BaseModel):
    acct: str = Field(min_length=1, max_length=300)


class AccountsQuery(IdsQuery):
    id: list[Id] = Field(default_factory=list, max_length=40)


@endpoint("An account's public profile", response=entities.Account, errors=(404,))
async def show(request: Request) -> Response:
    account_id = parse_id(request.path_params["id"])
    return json_response(await account_or_404(get_context(request), account_id))


@endpoint(
    "Several accounts at once (as Mastodon 4.3), in the order asked; those not found or "
    "suspended are left out",
    query=AccountsQuery,
    response=entities.Account,
    many=True,
)
async def many(request: Request) -> Response:
    ids = parse_query(request, AccountsQuery).unique()
    found = await accounts_json(get_context(request), ids)
    return json_response(raw_json_list([found[i] for i in ids if i in found]))


@endpoint(
    "Find an account by its acct", query=LookupQuery, response=entities.Account, errors=(404,)
)
async def lookup(request: Request) -> Response:
    ctx = get_context(request)
    found = await find_by_acct(ctx, parse_query(request, LookupQuery).acct)
    if found is None:
        raise not_found()
    return json_response(await account_or_404(ctx, found))


def _png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(row * height)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


MISSING = _png(4, 4, (0x9B, 0xA3, 0xAF))


async def missing(_request: Request) -> Response:
    return Response(MISSING, media_type="image/png", headers={"Cache-Control": "max-age=86400"})


routes = [
    Route("/api/v1/accounts", many, methods=["GET"]),
    Route("/api/v1/accounts/lookup", lookup, methods=["GET"]),
    Route("/api/v1/accounts/{id}", show, methods=["GET"]),
    # the placeholder avatar and header every account has until media uploads exist
    Route("/avatars/original/missing.png", missing, methods=["GET"]),
    Route("/headers/original/missing.png", missing, methods=["GET"]),
]
