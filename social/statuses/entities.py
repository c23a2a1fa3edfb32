"""Mastodon's Status and Context entities."""

from __future__ import annotations

from pydantic import BaseModel, Field

from social.accounts.entities import Account, Emoji
from social.filters.entities import FilterResult
from social.media.entities import MediaAttachment
from social.polls.entities import Poll


class StatusMention(BaseModel):
    id: str
    username: str
    url: str
    acct: str


class StatusTag(BaseModel):
    name: str
    url: str


class StatusApplication(BaseModel):
    name: str
    website: str | None = None


class Status(BaseModel):
    id: str
    uri: str
    url: str
    created_at: str
    edited_at: str | None
    account: Account
    content: str = Field(description="HTML")
    visibility: str
    sensitive: bool
    spoiler_text: str
    language: str | None
    in_reply_to_id: str | None
    in_reply_to_account_id: str | None
    reblog: Status | None = Field(default=None, description="a boost: the status boosted")
    replies_count: int
    reblogs_count: int
    favourites_count: int
    favourited: bool = False
    reblogged: bool = False
    muted: bool = False
    bookmarked: bool = False
    pinned: bool = Field(
        default=False, description="only on your own statuses that may be pinned, as Mastodon"
    )
    media_attachments: list[MediaAttachment]
    mentions: list[StatusMention]
    tags: list[StatusTag]
    emojis: list[Emoji]
    card: None = None
    poll: Poll | None = None
    application: StatusApplication | None = None
    text: str | None = Field(default=None, description="source text, on delete only")
    filtered: list[FilterResult] | None = Field(
        default=None, description="the viewer's filters it matches; absent when none does"
    )


class Context(BaseModel):
    ancestors: list[Status]
    descendants: list[Status]


class StatusEditPollOption(BaseModel):
    title: str


class StatusEditPoll(BaseModel):
    options: list[StatusEditPollOption]


class StatusEdit(BaseModel):
    content: str = Field(description="HTML, as this version had it")
    spoiler_text: str
    sensitive: bool
    created_at: str = Field(description="when this version was written")
    account: Account
    poll: StatusEditPoll | None = Field(default=None, description="its poll's options then")
    media_attachments: list[MediaAttachment]
    emojis: list[Emoji]


class StatusSource(BaseModel):
    id: str
    text: str
    spoiler_text: str
