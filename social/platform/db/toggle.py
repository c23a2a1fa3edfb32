"""Idempotent edges (follows, favourites): add or remove a row, say whether anything changed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from social.platform.db.models import Base


async def toggle(db: AsyncSession, on: bool, model: type[Base], **match: Any) -> int:
    """Insert a `model` row with `match` (on) or delete the matching ones (off), inside the
    caller's transaction. Returns +1 or -1 when the edge changed, 0 when it already was so
    (a unique constraint makes a concurrent duplicate insert a no-op too)."""
    if on:
        try:
            async with db.begin_nested():
                db.add(model(**match))
        except IntegrityError:
            return 0
        return 1
    columns = [getattr(model, name) == value for name, value in match.items()]
    result = await db.execute(delete(model).where(*columns))
    return -1 if result.rowcount else 0  # type: ignore[attr-defined]
