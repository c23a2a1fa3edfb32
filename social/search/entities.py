"""Mastodon's Search entity: what `GET /api/v2/search` answers."""

from __future__ import annotations

from pydantic import BaseModel

from social.accounts.entities import Account
from social.statuses.entities import Status
from social.trends.render import TagEntity


class Search(BaseModel):
    accounts: list[Account]
    statuses: list[Status]
    hashtags: list[TagEntity]
