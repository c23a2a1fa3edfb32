"""Id cursors (`max_id`, `since_id`, `min_id`, `limit`) and the `Link` header, as Mastodon pages."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any, TypeVar
from urllib.parse import urlencode

from pydantic import BaseModel, Field, JsonValue, field_validator
from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute
from starlette.datastructures import URL
from starlette.requests import Request

MAX_ID = (1 << 63) - 1
_CURSORS = ("max_id", "since_id", "min_id")


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


def link_header(
    request: Request, ids: Sequence[int], *, extra: dict[str, str] | None = None
) -> str:
    """`next` pages older (max_id = oldest), `prev` pages newer (min_id = newest)."""
    if not ids:
        return ""
    scope = request.scope
    host = next((value for key, value in scope["headers"] if key == b"host"), None)
    server = scope.get("server")
    base = _page_url(
        scope.get("scheme", "http"), None if server is None else tuple(server), scope["path"], host
    )
    if not scope.get("query_string") and not extra:  # a first page: only the cursors
        return f'<{base}?max_id={min(ids)}>; rel="next", <{base}?min_id={max(ids)}>; rel="prev"'
    keep = {k: v for k, v in request.query_params.items() if k not in _CURSORS}
    keep.update(extra or {})
    older = urlencode({**keep, "max_id": str(min(ids))})
    newer = urlencode({**keep, "min_id": str(max(ids))})
    return f'<{base}?{older}>; rel="next", <{base}?{newer}>; rel="prev"'


@functools.lru_cache(maxsize=256)
def _page_url(
    scheme: str, server: tuple[str, int | None] | None, path: str, host: bytes | None
) -> str:
    """The request's URL without its query, as Starlette builds it from these parts of the
    scope (remembered: a client pages the same few URLs, and building one costs more than
    the rest of the header)."""
    headers = [] if host is None else [(b"host", host)]
    scope = {"scheme": scheme, "server": server, "path": path, "headers": headers}
    return str(URL(scope=scope))
