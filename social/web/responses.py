"""JSON responses rendered with orjson."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from pydantic import BaseModel
from starlette.responses import Response


class JSONResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        if isinstance(content, bytes):
            return content
        return orjson.dumps(content, default=_default)


def _default(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    raise TypeError(f"cannot serialise {type(value).__name__}")


def json_response(
    content: Any, status_code: int = 200, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(content, status_code=status_code, headers=headers)


def raw_json_list(items: list[bytes]) -> bytes:
    """A JSON array from already-rendered JSON documents (cached entities), without re-parsing."""
    return b"[" + b",".join(items) + b"]"
