"""Which statuses a viewer marked: favourited, bookmarked, pinned (their own); and which tags
they follow. The rows are the truth; Redis holds a set per viewer and kind, with a sentinel
member once it holds every row, so a timeline reads the viewer's flags with its statuses, in
the same round trip.

A fill (after a read found no complete set) takes a token first, loads the rows, and stores
the set only if its token is still there. A write, after its commit, adds or removes its one
member in a set that exists and deletes the token: a fill that may have read rows older than
the write gives up, and the next read fills again. Redis failures are absorbed: reads then ask
the database."""

from __future__ import annotations

import itertools
import logging
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from redis.exceptions import RedisError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from social.platform.context import AppContext
from social.platform.db.models import Bookmark, Favourite, Status, StatusPin, TagFollow
from social.platform.keys import Keys
from social.platform.paging import PageQuery, paged
from social.platform.redis.scripts import Script

log = logging.getLogger(__name__)

MARKS_TTL_S = 3600
FILL_TOKEN_TTL_S = 60  # longer than any fill's database read
COMPLETE = "0"  # sentinel member: the set holds every such mark of the viewer (no status has id 0)

fill_script = Script(Path(__file__).with_name("marks_fill.lua"))
change_script = Script(Path(__file__).with_name("marks_change.lua"))


@dataclass(frozen=True)
class Kind:
    name: str  # in fill-token keys and metrics
    model: type[Favourite] | type[Bookmark] | type[StatusPin] | type[Status] | type[TagFollow]
    key: Callable[[Keys, int], str]
    column: str = "status_id"  # the marked status's id in `model`

    @property
    def marked(self) -> Any:  # the column (an InstrumentedAttribute)
        return getattr(self.model, self.column)


FAVOURITES = Kind("favs", Favourite, Keys.favourites)
BOOKMARKS = Kind("bookmarks", Bookmark, Keys.bookmarks)
PINS = Kind("pins", StatusPin, Keys.pins)
REBLOGS = Kind("boosted", Status, Keys.reblogs, "reblog_of_id")  # the viewer's boosts' originals
FOLLOWED_TAGS = Kind("tagfollows", TagFollow, Keys.followed_tags, "tag_id")


def members(flags: list[bool] | None, ids: Sequence[int]) -> set[int] | None:
    """From SMISMEMBER over [COMPLETE, *ids]: the marked ids, or None if the set is not known
    to be complete (missing, expired, or Redis failed)."""
    if not flags or not flags[0]:
        return None
    return set(itertools.compress(ids, flags[1:]))


async def marked_among(
    db: AsyncSession, kind: Kind, viewer_id: int, status_ids: Iterable[int]
) -> set[int]:
    ids = list(status_ids)
    if not ids:
        return set()
    model = kind.model
    query = select(kind.marked).where(model.account_id == viewer_id, kind.marked.in_(ids))
    return set((await db.execute(query)).scalars())


async def page_of(
    ctx: AppContext, kind: Kind, account_id: int, page: PageQuery
) -> list[tuple[int, int]]:
    """A page of the account's marks of `kind`, most recent first, paged by the mark's id:
    (the mark's id, its status's)."""
    model = kind.model
    query = select(model.id, kind.marked).where(model.account_id == account_id)
    async with ctx.db() as db:
        rows = await db.execute(paged(query, model.id, page))
        return sorted(((mark, status) for mark, status in rows), reverse=True)


async def fill(ctx: AppContext, viewer_id: int, kinds: Sequence[Kind]) -> None:
    """The viewer's sets of `kinds` from the database, marked complete; best effort (run after
    the response)."""
    token = secrets.token_hex(8)
    try:
        async with ctx.redis.pipeline(transaction=False) as pipe:
            for kind in kinds:
                pipe.set(ctx.keys.marks_fill(kind.name, viewer_id), token, ex=FILL_TOKEN_TTL_S)
            await pipe.execute()
        loaded: list[list[int]] = []
        async with ctx.db() as db:
            for kind in kinds:
                query = select(kind.marked).where(
                    kind.model.account_id == viewer_id, kind.marked.is_not(None)
                )
                loaded.append(list((await db.execute(query)).scalars()))
        await fill_script.run_batch(
            ctx.redis,
            [
                (
                    [kind.key(ctx.keys, viewer_id), ctx.keys.marks_fill(kind.name, viewer_id)],
                    [token, MARKS_TTL_S, COMPLETE, *ids],
                )
                for kind, ids in zip(kinds, loaded, strict=True)
            ],
        )
    except Exception as exc:
        log.warning("filling the marks of %d failed: %r", viewer_id, exc)


async def changed(ctx: AppContext, kind: Kind, viewer_id: int, status_id: int, on: bool) -> None:
    """After the commit of a mark (`on`) or unmark of `status_id`: the viewer's set follows."""
    keys = [kind.key(ctx.keys, viewer_id), ctx.keys.marks_fill(kind.name, viewer_id)]
    try:
        await change_script.call(ctx.redis, keys, ["1" if on else "0", status_id])
    except RedisError as exc:
        ctx.metrics.redis_errors.labels(f"{kind.name}.change").inc()
        log.warning("updating the %s of %d failed: %r", kind.name, viewer_id, exc)
