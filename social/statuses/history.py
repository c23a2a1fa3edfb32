"""Mastodon's StatusEdit entity: each version of a status, oldest first."""

from __future__ import annotations

from typing import Any

import orjson

from social.accounts.render import accounts_json
from social.platform.context import AppContext
from social.platform.db.models import Status, StatusEdit
from social.statuses.edits import versions
from social.statuses.render import iso


async def render_history(ctx: AppContext, status_id: int) -> list[dict[str, Any]]:
    author, found = await versions(ctx, status_id)
    account = orjson.loads((await accounts_json(ctx, [author]))[author])
    return [_version(v, account) for v in found]


def _version(version: StatusEdit | Status, account: dict[str, Any]) -> dict[str, Any]:
    return {
        "content": version.content,
        "spoiler_text": version.spoiler_text,
        "sensitive": version.sensitive,
        "created_at": iso(version.created_at),
        "account": account,
        "poll": None,
        "media_attachments": [],
        "emojis": [],
    }
