"""Mastodon JSON entities, as pydantic models (they also make the OpenAPI document)."""

from __future__ import annotations

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
    privacy: str
    sensitive: bool
    language: str
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


class Application(BaseModel):
    id: str | None = None
    name: str
    website: str | None
    scopes: list[str]
    redirect_uri: str
    redirect_uris: list[str]
    vapid_key: str = ""


class CredentialApplication(Application):
    client_id: str
    client_secret: str
    client_secret_expires_at: int = 0


class Token(BaseModel):
    access_token: str
    token_type: str = "Bearer"
    scope: str
    created_at: int
    expires_in: int | None = None
    refresh_token: str | None = None


class Error(BaseModel):
    error: str
    error_description: str | None = None
    details: dict[str, list[dict[str, str]]] | None = None


class Empty(BaseModel):
    pass


class SessionApp(BaseModel):
    name: str


class LoginSession(BaseModel):
    """Our extension (`GET /api/v1/sessions`): one signed-in device or app."""

    id: str
    created_at: str
    last_active_at: str
    expires_at: str
    app: SessionApp | None
    user_agent: str
    current: bool


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
    reblog: None = None
    replies_count: int
    reblogs_count: int
    favourites_count: int
    favourited: bool = False
    reblogged: bool = False
    muted: bool = False
    bookmarked: bool = False
    pinned: bool = False
    media_attachments: list[dict[str, str]]
    mentions: list[StatusMention]
    tags: list[StatusTag]
    emojis: list[Emoji]
    card: None = None
    poll: None = None
    application: StatusApplication | None = None
    text: str | None = Field(default=None, description="source text, on delete only")


class Context(BaseModel):
    ancestors: list[Status]
    descendants: list[Status]


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


class Notification(BaseModel):
    id: str
    type: str
    group_key: str
    created_at: str
    account: Account
    status: Status | None = None
