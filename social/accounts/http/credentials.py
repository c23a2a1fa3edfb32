"""Signing up (`POST /api/v1/accounts`), and one's own account: verify and update credentials."""

from __future__ import annotations

from typing import Literal

from email_validator import EmailNotValidError, validate_email
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from social.accounts import entities
from social.accounts.passwords import weakness
from social.accounts.render import render_credential_account
from social.accounts.service import (
    RESERVED_USERNAMES,
    USERNAME_RE,
    Taken,
    create_account,
    update_profile,
    with_user,
)
from social.follows.service import authorize_all, pending_requests
from social.media.profile import set_profile_images
from social.oauth import entities as oauth_entities
from social.oauth.tokens import issue_user_token
from social.platform.context import AppContext
from social.platform.db.models import Account, Application, User
from social.search.index import index_account
from social.web.caller import require_token, require_user
from social.web.context import get_context
from social.web.errors import ApiError
from social.web.openapi import endpoint
from social.web.params import parse, parse_with_files
from social.web.responses import json_response

LANGUAGE = r"^[a-z]{2,3}$"
PROFILE_IMAGES = ("avatar", "header")


def refused(code: str, message: str) -> PydanticCustomError:
    """A field's refusal with Mastodon's error code (`ERR_TAKEN`, `ERR_ACCEPTED`, ...)."""
    return PydanticCustomError(code, message)


class RegisterForm(BaseModel):
    """Each field refused on its own, under its own name, with Mastodon's code: a sign-up form
    shows each message beside its field. Missing ones are blank (`ERR_BLANK`), so defaults
    here; the schema still says they are required."""

    model_config = ConfigDict(
        json_schema_extra={"required": ["username", "email", "password", "agreement"]}
    )

    username: str = Field(default="", validate_default=True)
    email: str = Field(default="", validate_default=True)
    password: str = Field(default="", validate_default=True)
    agreement: bool = Field(default=False, validate_default=True)
    locale: str = Field(default="en", pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
    reason: str | None = Field(default=None, max_length=1000)

    @field_validator("username", "email", "password", mode="before")
    @classmethod
    def _none_is_blank(cls, value: object) -> object:
        return "" if value is None else value

    @field_validator("username")
    @classmethod
    def _username(cls, value: str) -> str:
        if not value:
            raise refused("ERR_BLANK", "can't be blank")
        if len(value) > 30:
            raise refused("ERR_TOO_LONG", "is too long (maximum is 30 characters)")
        if not USERNAME_RE.match(value):
            raise refused("ERR_INVALID", "must contain only letters, numbers and underscores")
        if value.lower() in RESERVED_USERNAMES:
            raise refused("ERR_RESERVED", "is reserved")
        return value

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        if not value:
            raise refused("ERR_BLANK", "can't be blank")
        if len(value) > 320:
            raise refused("ERR_TOO_LONG", "is too long (maximum is 320 characters)")
        try:
            return validate_email(value, check_deliverability=False).normalized
        except EmailNotValidError:
            raise refused("ERR_INVALID", "is invalid") from None

    @field_validator("password")
    @classmethod
    def _password(cls, value: str, info: ValidationInfo) -> str:
        if not value:
            raise refused("ERR_BLANK", "can't be blank")
        if len(value) > 128:
            raise refused("ERR_TOO_LONG", "is too long (maximum is 128 characters)")
        problem = weakness(
            value, username=info.data.get("username", ""), email=info.data.get("email", "")
        )
        if problem:
            code = "ERR_TOO_SHORT" if "too short" in problem else "ERR_INVALID"
            raise refused(code, problem)
        return value

    @field_validator("agreement")
    @classmethod
    def _agreed(cls, value: bool) -> bool:
        if not value:
            raise refused("ERR_ACCEPTED", "must be accepted")
        return value


class SourceForm(BaseModel):
    """Posting preferences: what a status posted without them gets."""

    model_config = ConfigDict(extra="ignore")

    privacy: Literal["public", "unlisted", "private"] | None = None
    sensitive: bool | None = None
    language: str | None = Field(default=None, max_length=3)

    @field_validator("language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip().lower()
        if value and not (value.isascii() and value.isalpha() and 2 <= len(value) <= 3):
            raise refused("ERR_INCLUSION", "is not a language code (ISO 639)")
        return value


class UpdateForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    display_name: str | None = Field(default=None, max_length=30)
    note: str | None = Field(default=None, max_length=500)
    locked: bool | None = None
    bot: bool | None = None
    discoverable: bool | None = None
    indexable: bool | None = None
    source: SourceForm | None = None
    avatar: str | None = Field(default=None, description="an image (multipart), cropped to 400x400")
    header: str | None = Field(
        default=None, description="an image (multipart), cropped to 1500x500"
    )


@endpoint(
    "Register an account",
    auth="token",
    scopes=("write:accounts",),
    body=RegisterForm,
    response=oauth_entities.Token,
)
async def register(request: Request) -> Response:
    """Any token of the app's with `write:accounts`, as Mastodon (an app token, or a signed-in
    person's: a moderator signing someone up); the new account's token is the app's."""
    caller = require_token(request, "write:accounts")
    ctx = get_context(request)
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
    await index_account(ctx, account)
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
    return await _credential_account(ctx, *found)


async def _credential_account(ctx: AppContext, account: Account, user: User) -> Response:
    pending = await pending_requests(ctx, account.id)
    base = ctx.settings.base_url
    entity = render_credential_account(account, user, base, follow_requests_count=pending)
    return json_response(entity)


@endpoint(
    "Update the authenticated account's profile and posting preferences",
    auth="user",
    scopes=("write:accounts",),
    body=UpdateForm,
    response=entities.CredentialAccount,
)
async def update_credentials(request: Request) -> Response:
    caller = require_user(request, "write:accounts")
    ctx = get_context(request)
    form, files = await parse_with_files(request, UpdateForm, PROFILE_IMAGES)
    await set_profile_images(ctx, caller.account_id, files)
    profile = form.model_dump(exclude_none=True, exclude={"source", *PROFILE_IMAGES})
    preferences = form.source.model_dump(exclude_none=True) if form.source else {}
    found = await update_profile(ctx, caller.account_id, profile, preferences)
    if found is None:
        raise ApiError(401, "The access token is invalid")
    if profile.get("locked") is False:
        await authorize_all(ctx, caller.account_id)  # unlocked: its requests are accepted
        found = await with_user(ctx, caller.account_id) or found
    return await _credential_account(ctx, *found)


routes = [
    Route("/api/v1/accounts", register, methods=["POST"]),
    Route("/api/v1/accounts/verify_credentials", verify_credentials, methods=["GET"]),
    Route("/api/v1/accounts/update_credentials", update_credentials, methods=["PATCH"]),
]
