"""OAuth applications: `POST /api/v1/apps`, `GET /api/v1/apps/verify_credentials`."""

from __future__ import annotations

import secrets
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, Field, field_validator
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from social.oauth import entities
from social.oauth.apps import OOB, hash_secret
from social.platform import scopes
from social.platform.db.models import Application
from social.web.caller import require_token
from social.web.context import get_context
from social.web.errors import ApiError
from social.web.openapi import endpoint
from social.web.params import parse
from social.web.responses import json_response


def _split_uris(value: object) -> object:
    if isinstance(value, str):
        return value.split()
    return value


class AppForm(BaseModel):
    client_name: str = Field(min_length=1, max_length=60)
    redirect_uris: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=2000)]], BeforeValidator(_split_uris)
    ] = Field(default_factory=lambda: [OOB], min_length=1, max_length=20)
    scopes: str = Field(default="read", max_length=500)
    website: str | None = Field(default=None, max_length=2000)

    @field_validator("scopes")
    @classmethod
    def _known_scopes(cls, value: str) -> str:
        return " ".join(scopes.parse_scopes(value))

    @field_validator("redirect_uris")
    @classmethod
    def _absolute_uris(cls, value: list[str]) -> list[str]:
        for uri in value:
            if uri != OOB and ":" not in uri:
                raise ValueError("must be absolute URIs")
        return value

    @field_validator("website")
    @classmethod
    def _http_website(cls, value: str | None) -> str | None:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return value or None


def render_app(app: Application) -> entities.Application:
    uris = app.redirect_uris.split()
    return entities.Application(
        id=str(app.id),
        name=app.name,
        website=app.website,
        scopes=app.scopes.split(),
        redirect_uri="\n".join(uris),
        redirect_uris=uris,
    )


@endpoint("Register a client application", body=AppForm, response=entities.CredentialApplication)
async def create_app(request: Request) -> Response:
    ctx = get_context(request)
    form = await parse(request, AppForm)
    secret = secrets.token_urlsafe(32)
    app = Application(
        name=form.client_name,
        website=form.website,
        redirect_uris="\n".join(form.redirect_uris),
        scopes=form.scopes,
        client_id=secrets.token_urlsafe(32),
        client_secret_hash=hash_secret(secret),
    )
    async with ctx.db() as db:
        db.add(app)
        await db.commit()
    body = entities.CredentialApplication(
        **render_app(app).model_dump(), client_id=app.client_id, client_secret=secret
    )
    return json_response(body)


@endpoint(
    "Verify the calling token's application",
    auth="token",
    response=entities.Application,
    errors=(404,),
)
async def verify_app(request: Request) -> Response:
    caller = require_token(request)
    ctx = get_context(request)
    async with ctx.db() as db:
        app = await db.get(Application, caller.app_id) if caller.app_id else None
    if app is None:
        raise ApiError(404, "Record not found")
    return json_response(render_app(app).model_dump(exclude={"id"}))


routes = [
    Route("/api/v1/apps", create_app, methods=["POST"]),
    Route("/api/v1/apps/verify_credentials", verify_app, methods=["GET"]),
]
