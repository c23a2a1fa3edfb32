"""Mastodon's ScheduledStatus entity, for the OpenAPI spec."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ScheduledPoll(BaseModel):
    options: list[str]
    expires_in: int
    multiple: bool
    hide_totals: bool


class ScheduledParams(BaseModel):
    text: str
    poll: ScheduledPoll | None
    media_ids: list[str] | None
    sensitive: bool | None
    spoiler_text: str | None
    visibility: str | None
    scheduled_at: None = None
    idempotency: None = None
    application_id: int | None
    in_reply_to_id: int | None
    language: str | None
    with_rate_limit: bool


class ScheduledStatus(BaseModel):
    id: str
    scheduled_at: str
    params: ScheduledParams
    media_attachments: list[dict[str, Any]] = Field(
        description="the media to be posted with it (Attachment entities)"
    )
