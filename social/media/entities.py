"""Mastodon's MediaAttachment entity."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class MediaSize(BaseModel):
    width: int
    height: int
    size: str = Field(description='"WxH"')
    aspect: float
    frames: int | None = Field(default=None, description="an animated GIF's frame count")


class MediaFocus(BaseModel):
    x: float
    y: float


class MediaMeta(BaseModel):
    original: MediaSize | None = None
    small: MediaSize | None = None
    focus: MediaFocus | None = None


class MediaAttachment(BaseModel):
    id: str
    type: Literal["image", "gifv", "video", "audio", "unknown"] = Field(
        description="always `image` here: animated GIFs too (no transcoder for `gifv`)"
    )
    url: str | None = Field(description="null while processing")
    preview_url: str | None
    remote_url: None = None
    preview_remote_url: None = None
    text_url: None = None
    meta: MediaMeta
    description: str | None
    blurhash: str | None


class MediaJob(BaseModel):
    id: str
    account_id: str
    state: str = Field(description="processing, failed or ready")
    error: str | None
    file_size: int
    created_at: str
    processed_at: str | None
