"""Mastodon's Account entity and what it carries (its source and role for the owner)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class Emoji(BaseModel):
    shortcode: str
    url: str
    static_url: str
    visible_in_picker: bool


class AccountField(BaseModel):
    name: str
    value: str
    verified_at: str | None = None


class Account(BaseModel):
    id: str = Field(description="64-bit id as a string")
    username: str
    acct: str
    display_name: str
    locked: bool
    bot: bool
    discoverable: bool
    indexable: bool
    group: bool
    noindex: bool
    hide_collections: bool
    created_at: str
    note: str = Field(description="HTML")
    url: str
    uri: str
    avatar: str
    avatar_static: str
    header: str
    header_static: str
    followers_count: int
    following_count: int
    statuses_count: int
    last_status_at: str | None
    emojis: list[Emoji]
    fields: list[AccountField]


class Source(BaseModel):
    privacy: Visibility
    sensitive: bool
    language: str | None = Field(description="ISO 639; null: the app's or device's own")
    note: str = Field(description="plain text")
    fields: list[AccountField]
    follow_requests_count: int
    hide_collections: bool
    discoverable: bool
    indexable: bool


class Role(BaseModel):
    id: str
    name: str
    color: str
    permissions: str
    highlighted: bool


class CredentialAccount(Account):
    source: Source
    role: Role


Visibility = Literal["public", "unlisted", "private", "direct"]


class Preferences(BaseModel):
    """Mastodon's Preferences entity; its keys have colons (the aliases)."""

    visibility: Visibility = Field(alias="posting:default:visibility")
    sensitive: bool = Field(alias="posting:default:sensitive")
    language: str | None = Field(alias="posting:default:language")
    expand_media: Literal["default", "show_all", "hide_all"] = Field(alias="reading:expand:media")
    expand_spoilers: bool = Field(alias="reading:expand:spoilers")
