"""Mastodon's Filter, FilterKeyword, FilterStatus, FilterResult and V1_Filter entities."""

from __future__ import annotations

from pydantic import BaseModel, Field


class FilterKeyword(BaseModel):
    id: str
    keyword: str
    whole_word: bool


class FilterStatus(BaseModel):
    id: str
    status_id: str


class Filter(BaseModel):
    id: str
    title: str
    context: list[str] = Field(description="home, notifications, public, thread, account")
    expires_at: str | None
    filter_action: str = Field(description="warn, hide or blur")
    keywords: list[FilterKeyword] | None = Field(
        default=None, description="absent where a FilterResult names the filter"
    )
    statuses: list[FilterStatus] | None = None


class FilterResult(BaseModel):
    filter: Filter
    keyword_matches: list[str] | None
    status_matches: list[str] | None


class V1Filter(BaseModel):
    id: str = Field(description="the id of the keyword it is")
    phrase: str
    context: list[str]
    whole_word: bool
    expires_at: str | None
    irreversible: bool
