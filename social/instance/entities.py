"""What the instance tells about itself, as Mastodon's entities (and NodeInfo's documents)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, RootModel


class Rule(BaseModel):
    id: str
    text: str
    hint: str


class ExtendedDescription(BaseModel):
    updated_at: str | None = Field(description="null when none was ever set")
    content: str = Field(description="HTML; empty when none is set")


class ActivityWeek(BaseModel):
    week: str = Field(description="Monday 00:00 UTC of the week, seconds since the epoch")
    statuses: str = Field(description="statuses posted that week (and not deleted since)")
    logins: str = Field(description="people whose latest sign-in fell in that week")
    registrations: str


class Language(BaseModel):
    code: str = Field(description="ISO 639-1, or ISO 639-3 where there is no 639-1 code")
    name: str = Field(description="its English name, as ISO 639 gives it")


class Domain(RootModel[str]):
    """A domain this server knows of."""


class CustomEmoji(BaseModel):
    shortcode: str
    url: str
    static_url: str
    visible_in_picker: bool
    category: str | None = None


class DomainBlock(BaseModel):
    domain: str
    digest: str
    severity: Literal["silence", "suspend"]
    comment: str | None = None


class NodeInfoLink(BaseModel):
    rel: str
    href: str


class NodeInfoLinks(BaseModel):
    links: list[NodeInfoLink]


class NodeInfoSoftware(BaseModel):
    name: str = Field(pattern=r"^[a-z0-9-]+$")
    version: str
    repository: str | None = None
    homepage: str | None = None


class NodeInfoServices(BaseModel):
    inbound: list[str]
    outbound: list[str]


class NodeInfoUsers(BaseModel):
    total: int = Field(ge=0)
    activeMonth: int = Field(ge=0, description="signed in or posted in the last 30 days")
    activeHalfyear: int = Field(ge=0, description="signed in or posted in the last 180 days")


class NodeInfoUsage(BaseModel):
    users: NodeInfoUsers
    localPosts: int = Field(ge=0)


class NodeInfo(BaseModel):
    """NodeInfo 2.0 or 2.1 (http://nodeinfo.diaspora.software/ns/schema/2.x)."""

    version: Literal["2.0", "2.1"]
    software: NodeInfoSoftware
    protocols: list[str] = Field(min_length=1)
    services: NodeInfoServices
    openRegistrations: bool
    usage: NodeInfoUsage
    metadata: dict[str, Any]
