"""Mastodon's Poll entity."""

from __future__ import annotations

from pydantic import BaseModel, Field

from social.accounts.entities import Emoji


class PollOption(BaseModel):
    title: str
    votes_count: int | None = Field(
        description="null while a poll that hides its totals is running"
    )


class Poll(BaseModel):
    id: str
    expires_at: str
    expired: bool
    multiple: bool
    votes_count: int
    voters_count: int = Field(description="accounts that voted (single-choice polls too)")
    voted: bool | None = Field(
        default=None, description="signed in only; true for the poll's author"
    )
    own_votes: list[int] | None = Field(default=None, description="signed in only")
    options: list[PollOption]
    emojis: list[Emoji]
