"""Mastodon's StatusEdit entity: each version of a status, oldest first, with its media as
they were described then."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import select

from social.accounts.render import accounts_json
from social.media.render import attachments_of, render_media
from social.platform.context import AppContext
from social.platform.db.models import MediaAttachment, Poll, Status, StatusEdit
from social.platform.times import iso
from social.polls.rules import poll_options_of
from social.statuses.edits import versions


async def render_history(ctx: AppContext, status_id: int) -> list[dict[str, Any]]:
    author, found = await versions(ctx, status_id)
    account = orjson.loads((await accounts_json(ctx, [author]))[author])
    base = ctx.settings.base_url
    kept = [orjson.loads(v.media) if isinstance(v, StatusEdit) else [] for v in found]
    ids = {m["id"] for media in kept for m in media}
    async with ctx.db() as db:
        rows = {
            row.id: row
            for row in (
                await db.scalars(select(MediaAttachment).where(MediaAttachment.id.in_(ids)))
            )
        }
        current = await attachments_of(db, [status_id], base)
        query = select(Poll.options).where(Poll.status_id == status_id)
        current_poll = (await db.execute(query)).scalar_one_or_none()
    out = []
    for version, media in zip(found, kept, strict=True):
        if isinstance(version, Status):  # never edited: the status as it is
            shown = current.get(status_id, [])
        else:
            shown = [
                {**render_media(rows[m["id"]], base), "description": m["description"]}
                for m in media
                if m["id"] in rows  # deleted since
            ]
        poll = version.poll_options if isinstance(version, StatusEdit) else current_poll
        out.append(_version(version, account, shown, poll_options_of(poll)))
    return out


def _version(
    version: StatusEdit | Status,
    account: dict[str, Any],
    media: list[dict[str, Any]],
    poll: dict[str, object] | None,
) -> dict[str, Any]:
    return {
        "content": version.content,
        "spoiler_text": version.spoiler_text,
        "sensitive": version.sensitive,
        "created_at": iso(version.created_at),
        "account": account,
        "poll": poll,
        "media_attachments": media,
        "emojis": [],
    }
