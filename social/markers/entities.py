"""Mastodon's Marker entity, and the answer of the markers routes: markers by timeline."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Marker(BaseModel):
    last_read_id: str = Field(description="id of the last status or notification read")
    version: int = Field(description="raised by one on every save, from 1")
    updated_at: str


class Markers(BaseModel):
    """Only the timelines that have a marker (of those asked, or those saved)."""

    home: Marker | None = None
    notifications: Marker | None = None
