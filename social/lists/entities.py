"""Mastodon's List entity."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

RepliesPolicy = Literal["followed", "list", "none"]


class List(BaseModel):
    id: str
    title: str
    replies_policy: RepliesPolicy = Field(
        description="replies shown: to anyone you follow, to members of the list, to nobody"
        " (but you)"
    )
    exclusive: bool = Field(description="its members' statuses stay out of your home")
