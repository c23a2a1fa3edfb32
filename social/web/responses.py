"""JSON responses rendered with orjson."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from pydantic import BaseModel
from starlette.responses import Response

CONTENT_TYPE = (b"content-type", b"application/json")


class JSONResponse(Response):
    """JSON from orjson, or JSON already rendered (bytes, sent as they are). Its headers are
    built directly: Starlette's generic `init_headers` costs more than the rest of a cached
    read's response."""

    media_type = "application/json"

    def __init__(
        self, content: Any, status_code: int = 200, headers: Mapping[str, str] | None = None
    ) -> None:
        self.status_code = status_code
        self.background = None
        body = content if isinstance(content, bytes) else orjson.dumps(content, default=_default)
        self.body = body
        raw = [(b"content-length", str(len(body)).encode()), CONTENT_TYPE]
        if headers:
            raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
            names = {name for name, _ in raw}
            if b"content-type" not in names:
                raw.append(CONTENT_TYPE)
            if b"content-length" not in names:
                raw.append((b"content-length", str(len(body)).encode()))
        self.raw_headers = raw


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
