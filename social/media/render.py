"""MediaAttachment entities, alone and for a page of statuses."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from social.platform.db.models import MediaAttachment
from social.platform.times import iso

ROUTE = "/system/media/"


def file_url(base: str, key: str | None) -> str | None:
    return f"{base}{ROUTE}{key}" if key else None


def render_media(row: MediaAttachment, base: str) -> dict[str, Any]:
    meta: dict[str, Any] = orjson.loads(row.meta or "{}")
    if row.focus_x is not None and row.focus_y is not None:
        meta["focus"] = {"x": row.focus_x, "y": row.focus_y}
    ready = row.state == "ready"
    return {
        "id": str(row.id),
        "type": row.type if row.type != "unknown" else "image",
        "url": file_url(base, row.file_key) if ready else None,
        "preview_url": file_url(base, row.preview_key) if ready else None,
        "remote_url": None,
        "preview_remote_url": None,
        "text_url": None,
        "meta": meta,
        "description": row.description or None,
        "blurhash": row.blurhash if ready else None,
    }


def render_job(row: MediaAttachment) -> dict[str, Any]:
    """An upload as its job: whose, in what state, the error it failed with."""
    return {
        "id": str(row.id),
        "account_id": str(row.account_id),
        "state": row.state,
        "error": row.error,
        "file_size": row.file_size,
        "created_at": iso(row.created_at),
        "processed_at": iso(row.processed_at) if row.processed_at else None,
    }


async def attachments_of(
    db: AsyncSession, status_ids: list[int], base: str
) -> dict[int, list[dict[str, Any]]]:
    """The media of each status, in their order: one query for the page."""
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if not status_ids:
        return found
    rows = await db.execute(
        select(MediaAttachment)
        .where(MediaAttachment.status_id.in_(status_ids))
        .order_by(MediaAttachment.status_id, MediaAttachment.position, MediaAttachment.id)
    )
    for row in rows.scalars():
        assert row.status_id is not None
        found[row.status_id].append(render_media(row, base))
    return found


async def scheduled_attachments(
    db: AsyncSession, scheduled_ids: list[int], base: str
) -> dict[int, list[dict[str, Any]]]:
    """The media each scheduled status holds, in their order: one query."""
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if not scheduled_ids:
        return found
    rows = await db.execute(
        select(MediaAttachment)
        .where(MediaAttachment.scheduled_status_id.in_(scheduled_ids))
        .order_by(MediaAttachment.position, MediaAttachment.id)
    )
    for row in rows.scalars():
        assert row.scheduled_status_id is not None
        found[row.scheduled_status_id].append(render_media(row, base))
    return found
