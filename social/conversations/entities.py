"""Mastodon's Conversation entity."""

from __future__ import annotations

from pydantic import BaseModel, Field

from social.accounts.entities import Account
from social.statuses.entities import Status


class Conversation(BaseModel):
    id: str
    unread: bool
    accounts: list[Account] = Field(description="the other participants; you, when alone")
    last_status: Status | None
