"""Id cursors (`max_id`, `since_id`, `min_id`, `limit`) as Mastodon pages, and a query
restricted to a page."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, Field, JsonValue, field_validator
from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute

MAX_ID = (1 << 63) - 1


def _blank_allowed(schema: dict[str, JsonValue]) -> None:
    """A blank cursor (`max_id=`, as some clients send) means none: the schema says so too."""
    choices = schema["anyOf"]
    assert isinstance(choices, list)
    choices.append({"const": ""})


class PageQuery(BaseModel):
    max_id: int | None = Field(default=None, ge=0, le=MAX_ID, json_schema_extra=_blank_allowed)
    since_id: int | None = Field(default=None, ge=0, le=MAX_ID, json_schema_extra=_blank_allowed)
    min_id: int | None = Field(default=None, ge=0, le=MAX_ID, json_schema_extra=_blank_allowed)
    limit: int = Field(default=20, ge=1)

    @field_validator("limit")
    @classmethod
    def _clamp(cls, value: int) -> int:
        return min(value, 40)  # Mastodon clamps rather than refusing

    @field_validator("max_id", "since_id", "min_id", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if value == "" else value


class LongPageQuery(PageQuery):
    """The pages Mastodon makes longer: accounts (followers, blocks, mutes, requests, who
    favourited or boosted, ...) and notifications: 40 by default, at most 80."""

    limit: int = Field(default=40, ge=1)

    @field_validator("limit")
    @classmethod
    def _clamp(cls, value: int) -> int:
        return min(value, 80)


S = TypeVar("S", bound=Select[*tuple[Any, ...]])


def paged(query: S, column: InstrumentedAttribute[int], page: PageQuery) -> S:
    """`query` restricted to the page's cursors on `column`, ordered and limited: newest first,
    or oldest first after `min_id` (the caller puts the rows back newest first)."""
    if page.max_id is not None:
        query = query.where(column < page.max_id)
    if page.since_id is not None:
        query = query.where(column > page.since_id)
    if page.min_id is not None:
        query = query.where(column > page.min_id)
    order = column.asc() if page.min_id is not None else column.desc()
    return query.order_by(order).limit(page.limit)
