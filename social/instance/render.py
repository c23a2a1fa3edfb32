"""The Instance documents (`/api/v1/instance`, `/api/v2/instance`) in Mastodon's shape, and the
entities of the instance's rules and texts."""

from __future__ import annotations

from typing import Any

from social import __version__
from social.instance.entities import ExtendedDescription
from social.instance.entities import Rule as RuleEntity
from social.instance.stats import Stats
from social.media.processing import MIME_TYPES
from social.media.service import MAX_ATTACHMENTS, MAX_DESCRIPTION_CHARS
from social.platform.context import AppContext
from social.platform.db.models import Rule, SiteText
from social.platform.times import iso
from social.polls import rules as polls
from social.statuses import text

MASTODON_VERSION = "4.3.0"
SOURCE_URL = "https://example.invalid/social"


def version() -> str:
    """Mastodon's API version first (clients compare it), then who answers."""
    return f"{MASTODON_VERSION} (compatible; social {__version__})"


def render_rule(rule: Rule) -> RuleEntity:
    return RuleEntity(id=str(rule.id), text=rule.text, hint=rule.hint)


def render_extended_description(ctx: AppContext, row: SiteText | None) -> ExtendedDescription:
    """As Mastodon: `updated_at` null and `content` empty when none was ever set."""
    if row is None:
        return ExtendedDescription(updated_at=None, content="")
    return ExtendedDescription(updated_at=iso(row.updated_at), content=html(ctx, row.text))


def html(ctx: AppContext, written: str) -> str:
    """An admin's text as the app renders status text: escaped, in paragraphs, with links for
    URLs and hashtags (mentions are left as text: the entities list none)."""
    return text.render(written, text.Links(ctx.settings.base_url, lambda _username: None))


def configuration(ctx: AppContext) -> dict[str, Any]:
    return {
        "urls": {"streaming": ctx.settings.base_url.replace("http", "ws", 1)},
        "accounts": {"max_featured_tags": 0, "max_pinned_statuses": 0},
        "statuses": {
            "max_characters": ctx.settings.max_status_chars,
            "max_media_attachments": MAX_ATTACHMENTS,
            "characters_reserved_per_url": 23,
        },
        "media_attachments": {
            # images only, until a transcoder is part of the project: video and audio 0
            "supported_mime_types": list(MIME_TYPES),
            "description_limit": MAX_DESCRIPTION_CHARS,
            "image_size_limit": ctx.settings.media_max_bytes,
            "image_matrix_limit": ctx.settings.media_max_pixels,
            "video_size_limit": 0,
            "video_frame_rate_limit": 0,
            "video_matrix_limit": 0,
        },
        "polls": {
            "max_options": polls.MAX_OPTIONS,
            "max_characters_per_option": polls.MAX_OPTION_CHARS,
            "min_expiration": polls.MIN_EXPIRATION_S,
            "max_expiration": polls.MAX_EXPIRATION_S,
        },
        "translation": {"enabled": False},
    }


def instance_v1(ctx: AppContext, stats: Stats, rules: list[Rule]) -> dict[str, Any]:
    s = ctx.settings
    config = configuration(ctx)
    return {
        "uri": s.domain,
        "title": s.title,
        "short_description": s.description,
        "description": s.description,
        "email": s.contact_email,
        "version": version(),
        "urls": {"streaming_api": config["urls"]["streaming"]},
        # every account is local: no other domain is known
        "stats": {"user_count": stats.users, "status_count": stats.statuses, "domain_count": 0},
        "thumbnail": None,
        "languages": ["en"],
        "registrations": s.registrations_open,
        "approval_required": False,
        "invites_enabled": False,
        "configuration": config,
        "contact_account": None,
        "rules": [render_rule(r) for r in rules],
    }


def instance_v2(ctx: AppContext, stats: Stats, rules: list[Rule]) -> dict[str, Any]:
    s = ctx.settings
    config = configuration(ctx)
    config["vapid"] = {"public_key": ""}
    return {
        "domain": s.domain,
        "title": s.title,
        "version": version(),
        "source_url": SOURCE_URL,
        "description": s.description,
        "usage": {"users": {"active_month": stats.active_month}},
        "thumbnail": {"url": f"{s.base_url}/headers/original/missing.png"},
        "languages": ["en"],
        "configuration": config,
        "registrations": {
            "enabled": s.registrations_open,
            "approval_required": False,
            "message": None,
        },
        "api_versions": {"mastodon": 2},
        "contact": {"email": s.contact_email, "account": None},
        "rules": [render_rule(r) for r in rules],
    }
