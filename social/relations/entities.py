"""Mastodon's Relationship entity."""

from __future__ import annotations

from pydantic import BaseModel


class Relationship(BaseModel):
    id: str
    following: bool
    showing_reblogs: bool
    notifying: bool
    followed_by: bool
    blocking: bool = False
    blocked_by: bool = False
    muting: bool = False
    muting_notifications: bool = False
    requested: bool = False
    requested_by: bool = False
    domain_blocking: bool = False
    endorsed: bool = False
    note: str = ""
    languages: list[str] | None = None
