"""Who may see a status: public and unlisted to all, private to followers and the mentioned,
direct to the mentioned only; the author always."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from social.platform.db.models import Follow

if TYPE_CHECKING:
    from social.statuses.render import CachedStatus

OPEN = ("public", "unlisted")
T = TypeVar("T")


async def followed_among(db: AsyncSession, viewer_id: int, author_ids: Iterable[int]) -> set[int]:
    ids = set(author_ids)
    if not ids:
        return set()
    query = select(Follow.target_account_id).where(
        Follow.account_id == viewer_id, Follow.target_account_id.in_(ids)
    )
    return set((await db.execute(query)).scalars())


def may_see(status: CachedStatus, viewer_id: int | None, following: set[int]) -> bool:
    if status.visibility in OPEN:
        return True
    if viewer_id is None:
        return False
    if viewer_id == status.account_id or viewer_id in status.mention_ids:
        return True
    return status.visibility == "private" and status.account_id in following


async def filter_visible(
    db: AsyncSession, statuses: list[tuple[T, CachedStatus]], viewer_id: int | None
) -> list[tuple[T, CachedStatus]]:
    """Drop what the viewer may not see; one query, and only when a non-open status is there."""
    closed = {s.account_id for _, s in statuses if s.visibility not in OPEN}
    following = await followed_among(db, viewer_id, closed) if viewer_id and closed else set()
    return [(k, s) for k, s in statuses if may_see(s, viewer_id, following)]
