"""Mastodon's Notification entity."""

from __future__ import annotations

from pydantic import BaseModel

from social.accounts.entities import Account
from social.statuses.entities import Status


class Notification(BaseModel):
    id: str
    type: str
    group_key: str
    created_at: str
    account: Account
    status: Status | None = None
