"""Accounts: register, verify and update credentials, show, lookup (Mastodon)."""

from __future__ import annotations

import struct
import zlib

from email_validator import EmailNotValidError, validate_email
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from social.accounts import entities
from social.accounts.passwords import weakness
from social.accounts.render import account_or_404, render_credential_account
from social.accounts.service import (
    Taken,
    create_account,
    find_by_acct,
    update_profile,
    username_problem,
    with_user,
)
from social.oauth import entities as oauth_entities
from social.oauth.tokens import issue_user_token
from social.platform.db.models import Application
from social.platform.scopes import KIND_APP
from social.web.caller import require_token, require_user
from social.web.context import get_context
from social.web.errors import ApiError, not_found
from social.web.openapi import endpoint
from social.web.params import parse, parse_id, parse_query
from social.web.responses import json_response


class RegisterForm(BaseModel):
    username: str = Field(max_length=30)
    email: str = Field(max_length=320)
    password: str = Field(max_length=128)
    agreement: bool
    locale: str = Field(default="en", pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
    reason: str | None = Field(default=None, max_length=1000)

    @field_validator("username")
    @classmethod
    def _username(cls, value: str) -> str:
        problem = username_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        try:
            return validate_email(value, check_deliverability=False).normalized
        except EmailNotValidError:
            raise ValueError("is invalid") from None

    @field_validator("agreement")
    @classmethod
    def _agreed(cls, value: bool) -> bool:
        if not value:
            raise ValueError("must be accepted")
        return value

    @model_validator(mode="after")
    def _strong_password(self) -> RegisterForm:
        problem = weakness(self.password, username=self.username, email=self.email)
        if problem:
            raise ValueError(f"password {problem}")
        return self


class UpdateForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    display_name: str | None = Field(default=None, max_length=30)
    note: str | None = Field(default=None, max_length=500)
    locked: bool | None = None
    bot: bool | None = None
    discoverable: bool | None = None


class LookupQuery(BaseModel):
    acct: str = Field(min_length=1, max_length=300)


@endpoint(
    "Register an account",
    auth="app",
    scopes=("write:accounts",),
    body=RegisterForm,
    response=oauth_entities.Token,
)
async def register(request: Request) -> Response:
    caller = require_token(request, "write:accounts")
    ctx = get_context(request)
    if caller.kind != KIND_APP:
        raise ApiError(403, "This method requires an app token")
    if not ctx.settings.registrations_open:
        raise ApiError(403, "Registrations are closed")
    form = await parse(request, RegisterForm)
    async with ctx.db() as db:
        app = await db.get(Application, caller.app_id)
        if app is None:
            raise ApiError(401, "The access token is invalid")
        try:
            account, _user = await create_account(
                db,
                username=form.username,
                email=form.email,
                password=form.password,
                locale=form.locale,
            )
        except Taken as exc:
            details = {
                field: [{"error": "ERR_TAKEN", "description": message}]
                for field, message in exc.fields.items()
            }
            raise ApiError(422, f"Validation failed: {exc}", details=details) from None
    token = await issue_user_token(
        ctx,
        account_id=account.id,
        app=app,
        scopes=caller.scopes,
        user_agent=request.headers.get("user-agent", ""),
    )
    return json_response(token)


@endpoint(
    "The authenticated account, with its source",
    auth="user",
    scopes=("read:accounts", "profile"),
    response=entities.CredentialAccount,
)
async def verify_credentials(request: Request) -> Response:
    caller = require_user(request, "read:accounts", "profile")
    ctx = get_context(request)
    found = await with_user(ctx, caller.account_id)
    if found is None:  # the account went while its token lived
        raise ApiError(401, "The access token is invalid")
    return json_response(render_credential_account(*found, ctx.settings.base_url))


@endpoint(
    "Update the authenticated account's profile",
    auth="user",
    scopes=("write:accounts",),
    body=UpdateForm,
    response=entities.CredentialAccount,
)
async def update_credentials(request: Request) -> Response:
    caller = require_user(request, "write:accounts")
    ctx = get_context(request)
    form = await parse(request, UpdateForm)
    found = await update_profile(ctx, caller.account_id, form.model_dump(exclude_none=True))
    if found is None:
        raise ApiError(401, "The access token is invalid")
    return json_response(render_credential_account(*found, ctx.settings.base_url))


@endpoint("An account's public profile", response=entities.Account, errors=(404,))
async def show(request: Request) -> Response:
    account_id = parse_id(request.path_params["id"])
    return json_response(await account_or_404(get_context(request), account_id))


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
    Route("/api/v1/accounts", register, methods=["POST"]),
    Route("/api/v1/accounts/verify_credentials", verify_credentials, methods=["GET"]),
    Route("/api/v1/accounts/update_credentials", update_credentials, methods=["PATCH"]),
    Route("/api/v1/accounts/lookup", lookup, methods=["GET"]),
    Route("/api/v1/accounts/{id}", show, methods=["GET"]),
    # the placeholder avatar and header every account has until media uploads exist
    Route("/avatars/original/missing.png", missing, methods=["GET"]),
    Route("/headers/original/missing.png", missing, methods=["GET"]),
]
