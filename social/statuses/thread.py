"""A status's thread: the replies it answers (ancestors) and the replies to it (descendants)."""

from __future__ import annotations

from sqlalchemy import select

from social.platform.context import AppContext
from social.platform.db.models import Status
from social.relations.hidden import shown_to

CONTEXT_MAX = 4096
"""Of each side, at most this many (a thread is walked one level a query)."""


async def thread_of(
    ctx: AppContext, status_id: int, viewer_id: int | None = None
) -> tuple[list[int], list[int]]:
    """The ancestors, oldest first, and the descendants, in id order, leaving out those hidden
    from the viewer (blocks, mutes; a descendant's own replies stay, as Mastodon's)."""
    async with ctx.db() as db:
        ancestors: list[int] = []
        parent = (
            await db.execute(select(Status.in_reply_to_id).where(Status.id == status_id))
        ).scalar()
        while parent is not None and len(ancestors) < CONTEXT_MAX and parent not in ancestors:
            ancestors.append(parent)
            parent = (
                await db.execute(select(Status.in_reply_to_id).where(Status.id == parent))
            ).scalar()
        descendants: list[int] = []
        frontier = [status_id]
        while frontier and len(descendants) < CONTEXT_MAX:
            children = list(
                (
                    await db.execute(
                        select(Status.id)
                        .where(Status.in_reply_to_id.in_(frontier))
                        .order_by(Status.id)
                    )
                ).scalars()
            )
            descendants += children
            frontier = children
        shown = set(ancestors) | set(descendants)
        if viewer_id is not None and shown:
            shown = set(
                (
                    await db.execute(
                        select(Status.id).where(Status.id.in_(shown), shown_to(viewer_id))
                    )
                ).scalars()
            )
    ancestors = [i for i in reversed(ancestors) if i in shown]
    return ancestors, sorted(i for i in descendants if i in shown)
