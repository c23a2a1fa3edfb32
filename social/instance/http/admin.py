"""Admins write the instance's rules and extended description (Mastodon has no API for either;
`social admin rules` and `social admin description` do the same from the command line)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from social.instance import entities, rules, texts
from social.instance.render import render_extended_description, render_rule
from social.web import entities as web_entities
from social.web.caller import require_admin
from social.web.context import get_context
from social.web.openapi import endpoint
from social.web.params import parse, parse_id
from social.web.responses import json_response


def _no_boolean(value: object) -> object:
    """JSON's true is no number (a form's "1" is)."""
    if isinstance(value, bool):
        raise ValueError("must be a number")
    return value


Number = Annotated[int, BeforeValidator(_no_boolean)]


class RuleForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    text: str = Field(min_length=1, max_length=rules.TEXT_MAX)
    hint: str = Field(default="", max_length=rules.HINT_MAX)
    position: Number | None = Field(
        default=None, ge=0, le=rules.POSITION_MAX, description="default: after the last rule"
    )


class TextForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    text: str = Field(
        max_length=texts.TEXT_MAX, description="plain text, links made; blank removes it"
    )


@endpoint(
    "Add a rule",
    auth="user",
    scopes=("admin:write",),
    body=RuleForm,
    response=entities.Rule,
    errors=(403,),
)
async def add_rule(request: Request) -> Response:
    await require_admin(request, "admin:write")
    form = await parse(request, RuleForm)
    rule = await rules.add_rule(get_context(request).db, form.text, form.hint, form.position)
    return json_response(render_rule(rule))


@endpoint(
    "Remove a rule",
    auth="user",
    scopes=("admin:write",),
    response=web_entities.Empty,
    errors=(403, 404),
)
async def remove_rule(request: Request) -> Response:
    await require_admin(request, "admin:write")
    await rules.remove_rule(get_context(request).db, parse_id(request.path_params["id"]))
    return json_response({})


@endpoint(
    "Set the extended description",
    auth="user",
    scopes=("admin:write",),
    body=TextForm,
    response=entities.ExtendedDescription,
    errors=(403,),
)
async def set_extended_description(request: Request) -> Response:
    await require_admin(request, "admin:write")
    ctx = get_context(request)
    form = await parse(request, TextForm)
    row = await texts.set_site_text(ctx.db, texts.EXTENDED_DESCRIPTION, form.text)
    return json_response(render_extended_description(ctx, row))


routes = [
    Route("/api/v1/admin/rules", add_rule, methods=["POST"]),
    Route("/api/v1/admin/rules/{id}", remove_rule, methods=["DELETE"]),
    Route("/api/v1/admin/extended_description", set_extended_description, methods=["PUT"]),
]
