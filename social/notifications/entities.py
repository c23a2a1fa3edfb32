"""Mastodon's Notification entity, and the grouped notifications of API v2."""

from __future__ import annotations

from pydantic import BaseModel, Field

from social.accounts.entities import Account
from social.statuses.entities import Status


class Notification(BaseModel):
    id: str
    type: str
    group_key: str
    created_at: str
    account: Account
    status: Status | None = None


class NotificationGroup(BaseModel):
    group_key: str = Field(description="opaque; `ungrouped-<id>` for a group of one")
    notifications_count: int
    type: str
    most_recent_notification_id: str
    page_min_id: str | None = Field(default=None, description="only in a page of groups")
    page_max_id: str | None = Field(default=None, description="only in a page of groups")
    latest_page_notification_at: str | None = Field(
        default=None, description="only in a page of groups"
    )
    sample_account_ids: list[str]
    status_id: str | None = Field(default=None, description="for a kind about a status")


class PartialAccountWithAvatar(BaseModel):
    id: str
    acct: str
    locked: bool
    bot: bool
    url: str
    avatar: str
    avatar_static: str


class GroupedNotificationsResults(BaseModel):
    accounts: list[Account]
    partial_accounts: list[PartialAccountWithAvatar] | None = Field(
        default=None, description="only with `expand_accounts=partial_avatars`"
    )
    statuses: list[Status]
    notification_groups: list[NotificationGroup]


class UnreadCount(BaseModel):
    count: int
