"""What the instance tells about itself, to anyone: its rules, its extended description, its
weekly activity, the languages a post may be in, and what a federating server would list
(peers, custom emoji, domain blocks: none here). Each answer is the same for every caller, so
shared caches may keep it (for as long as Mastodon lets them)."""

from __future__ import annotations

import functools

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from social.instance import entities
from social.instance.activity import ACTIVITY_TTL_S, activity
from social.instance.languages import languages
from social.instance.render import render_extended_description, render_rule
from social.instance.rules import rules
from social.instance.texts import EXTENDED_DESCRIPTION, site_text
from social.web.context import get_context
from social.web.openapi import endpoint
from social.web.responses import json_response


def public_for(max_age_s: int) -> dict[str, str]:
    return {"Cache-Control": f"public, max-age={max_age_s}"}


@endpoint("The rules of this server", response=entities.Rule, many=True)
async def list_rules(request: Request) -> Response:
    found = await rules(get_context(request).db)
    return json_response([render_rule(r) for r in found], headers=public_for(300))


@endpoint("What the server is, at length (HTML)", response=entities.ExtendedDescription)
async def extended_description(request: Request) -> Response:
    ctx = get_context(request)
    row = await site_text(ctx.db, EXTENDED_DESCRIPTION)
    return json_response(render_extended_description(ctx, row), headers=public_for(180))


@endpoint(
    "Statuses, sign-ins and sign-ups of the last 12 weeks",
    response=entities.ActivityWeek,
    many=True,
)
async def weekly_activity(request: Request) -> Response:
    weeks = await activity(get_context(request))
    body = [
        entities.ActivityWeek(
            week=str(int(w.start.timestamp())),
            statuses=str(w.statuses),
            logins=str(w.logins),
            registrations=str(w.registrations),
        )
        for w in weeks
    ]
    return json_response(body, headers=public_for(int(ACTIVITY_TTL_S)))


@endpoint(
    "Domains this server knows of: none, it does not federate",
    response=entities.Domain,
    many=True,
)
async def peers(request: Request) -> Response:
    return json_response([], headers=public_for(86400))


@functools.cache
def _languages_json() -> bytes:
    return orjson.dumps([{"code": code, "name": name} for code, name in languages()])


@endpoint("The languages a post may be written in", response=entities.Language, many=True)
async def list_languages(request: Request) -> Response:
    return json_response(_languages_json(), headers=public_for(300))


@endpoint("Custom emoji: none, none can be added here", response=entities.CustomEmoji, many=True)
async def custom_emojis(request: Request) -> Response:
    return json_response([], headers=public_for(300))


@endpoint(
    "Domains this server blocks: none, it does not federate",
    response=entities.DomainBlock,
    many=True,
)
async def domain_blocks(request: Request) -> Response:
    return json_response([], headers=public_for(180))


routes = [
    Route("/api/v1/instance/rules", list_rules, methods=["GET"]),
    Route("/api/v1/instance/extended_description", extended_description, methods=["GET"]),
    Route("/api/v1/instance/activity", weekly_activity, methods=["GET"]),
    Route("/api/v1/instance/peers", peers, methods=["GET"]),
    Route("/api/v1/instance/languages", list_languages, methods=["GET"]),
    Route("/api/v1/instance/domain_blocks", domain_blocks, methods=["GET"]),
    Route("/api/v1/custom_emojis", custom_emojis, methods=["GET"]),
]
