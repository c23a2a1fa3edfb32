"""`GET /api/v1/instance` and `/api/v2/instance` in Mastodon's shape."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from social import __version__
from social.platform.context import AppContext
from social.web.context import get_context
from social.web.openapi import endpoint
from social.web.responses import json_response

MASTODON_VERSION = "4.3.0"


def version() -> str:
    return f"{MASTODON_VERSION} (compatible; social {__version__})"


def _configuration(ctx: AppContext) -> dict[str, Any]:
    return {
        "urls": {"streaming": ctx.settings.base_url.replace("http", "ws", 1)},
        "accounts": {"max_featured_tags": 0, "max_pinned_statuses": 0},
        "statuses": {
            "max_characters": ctx.settings.max_status_chars,
            "max_media_attachments": 0,
            "characters_reserved_per_url": 23,
        },
        "media_attachments": {
            "supported_mime_types": [],
            "image_size_limit": 0,
            "image_matrix_limit": 0,
            "video_size_limit": 0,
            "video_frame_rate_limit": 0,
            "video_matrix_limit": 0,
        },
        "polls": {
            "max_options": 0,
            "max_characters_per_option": 0,
            "min_expiration": 0,
            "max_expiration": 0,
        },
        "translation": {"enabled": False},
    }


@endpoint("Instance information (v1)")
async def instance_v1(request: Request) -> Response:
    ctx = get_context(request)
    s = ctx.settings
    return json_response(
        {
            "uri": s.domain,
            "title": s.title,
            "short_description": s.description,
            "description": s.description,
            "email": s.contact_email,
            "version": version(),
            "urls": {"streaming_api": _configuration(ctx)["urls"]["streaming"]},
            "stats": {"user_count": 0, "status_count": 0, "domain_count": 0},
            "thumbnail": None,
            "languages": ["en"],
            "registrations": s.registrations_open,
            "approval_required": False,
            "invites_enabled": False,
            "configuration": _configuration(ctx),
            "contact_account": None,
            "rules": [],
        }
    )


@endpoint("Instance information (v2)")
async def instance_v2(request: Request) -> Response:
    ctx = get_context(request)
    s = ctx.settings
    config = _configuration(ctx)
    config["vapid"] = {"public_key": ""}
    return json_response(
        {
            "domain": s.domain,
            "title": s.title,
            "version": version(),
            "source_url": "https://example.invalid/social",
            "description": s.description,
            "usage": {"users": {"active_month": 0}},
            "thumbnail": {"url": f"{ctx.settings.base_url}/headers/original/missing.png"},
            "languages": ["en"],
            "configuration": config,
            "registrations": {
                "enabled": s.registrations_open,
                "approval_required": False,
                "message": None,
            },
            "api_versions": {"mastodon": 2},
            "contact": {"email": s.contact_email, "account": None},
            "rules": [],
        }
    )


routes = [
    Route("/api/v1/instance", instance_v1, methods=["GET"]),
    Route("/api/v2/instance", instance_v2, methods=["GET"]),
]
