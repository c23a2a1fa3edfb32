"""The bodies of errors and of empty answers, as Mastodon sends them."""

from __future__ import annotations

from pydantic import BaseModel


class Error(BaseModel):
    error: str
    error_description: str | None = None
    details: dict[str, list[dict[str, str]]] | None = None


class Empty(BaseModel):
    pass
