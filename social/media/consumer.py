"""The `media` consumer group: processes each upload the v2 route left for later. A job that
keeps failing is dead-lettered by the group; `dead_lettered` then fails its attachment, so
GET /api/v1/media/:id stops answering 206 and says so."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from social.media.service import mark_failed, process_upload
from social.platform.context import AppContext
from social.platform.events.topics import MediaUploaded, TopicHandler


async def on_uploaded(ctx: AppContext, event: MediaUploaded) -> None:
    await process_upload(ctx, event.media_id)


HANDLERS: Mapping[str, TopicHandler] = {MediaUploaded.name: on_uploaded}


async def dead_lettered(ctx: AppContext, topic: str, payload: dict[str, Any], error: str) -> None:
    if topic == MediaUploaded.name:
        event = MediaUploaded.from_payload(payload)
        await mark_failed(ctx, event.media_id, f"processing gave up: {error}")
