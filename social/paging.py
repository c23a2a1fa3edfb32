"""Id cursors (`max_id`, `since_id`, `min_id`, `limit`) and the `Link` header, as Mastodon pages."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlencode

from pydantic import BaseModel, Field, field_validator
from starlette.requests import Request

MAX_ID = (1 << 63) - 1


class PageQuery(BaseModel):
    max_id: int | None = Field(default=None, ge=0, le=MAX_ID)
    since_id: int | None = Field(default=None, ge=0, le=MAX_ID)
    min_id: int | None = Field(default=None, ge=0, le=MAX_ID)
    limit: int = Field(default=20, ge=1)

    @field_validator("limit")
    @classmethod
    def _clamp(cls, value: int) -> int:
        return min(value, 40)  # Mastodon clamps rather than refusing

    @field_validator("max_id", "since_id", "min_id", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if value == "" else value


def link_header(
    request: Request, ids: Sequence[int], *, extra: dict[str, str] | None = None
) -> str:
    """`next` pages older (max_id = oldest), `prev` pages newer (min_id = newest)."""
    if not ids:
        return ""
    base = str(request.url.replace(query=""))
    keep = {
        k: v for k, v in request.query_params.items() if k not in ("max_id", "since_id", "min_id")
    }
    keep.update(extra or {})
    older = urlencode({**keep, "max_id": str(min(ids))})
    newer = urlencode({**keep, "min_id": str(max(ids))})
    return f'<{base}?{older}>; rel="next", <{base}?{newer}>; rel="prev"'
