"""Mastodon's Announcement entity, its reactions, and the admin's view of an announcement."""

from __future__ import annotations

from pydantic import BaseModel, Field

from social.instance.entities import CustomEmoji


class Reaction(BaseModel):
    name: str = Field(description="a Unicode emoji (no custom emoji can be added here)")
    count: int
    me: bool
    url: str | None = Field(default=None, description="custom emoji only: never here")
    static_url: str | None = Field(default=None, description="custom emoji only: never here")


class MentionedAccount(BaseModel):
    id: str
    username: str
    url: str
    acct: str


class LinkedStatus(BaseModel):
    id: str
    url: str


class TagLink(BaseModel):
    name: str
    url: str


class Announcement(BaseModel):
    id: str
    content: str = Field(description="HTML")
    starts_at: str | None
    ends_at: str | None
    all_day: bool
    published_at: str
    updated_at: str
    read: bool
    mentions: list[MentionedAccount] = Field(description="always empty here")
    statuses: list[LinkedStatus] = Field(description="always empty here")
    tags: list[TagLink] = Field(description="always empty here")
    emojis: list[CustomEmoji] = Field(description="always empty here")
    reactions: list[Reaction]


class AdminAnnouncement(BaseModel):
    id: str
    text: str = Field(description="as the admin wrote it")
    content: str = Field(description="HTML, as people see it")
    starts_at: str | None
    ends_at: str | None
    all_day: bool
    published: bool
    published_at: str | None
    shown: bool = Field(description="published, started and not ended: people see it now")
    created_at: str
    updated_at: str
