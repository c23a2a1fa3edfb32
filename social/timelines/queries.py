"""The timelines the database answers: public, a hashtag's, and an account's statuses (only
home feeds live in Redis). Each returns a page of status ids, newest first."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql import Select

from social.platform.context import AppContext
from social.platform.db.models import Mention, Status, StatusTag, Tag
from social.platform.paging import PageQuery, paged
from social.relations.hidden import shown_to
from social.statuses.text import tag_in_path


async def public_ids(
    ctx: AppContext, page: PageQuery, viewer: int | None, *, tag: str | None = None
) -> list[int]:
    """Public statuses, but those hidden from the viewer (blocks, mutes); with `tag` (as a
    path names it), only those carrying it."""
    query = select(Status.id).where(
        Status.visibility == "public", Status.reblog_of_id.is_(None), shown_to(viewer)
    )
    if tag is None:
        return await _page(ctx, query, page)
    name = tag_in_path(tag)
    if name is None:
        return []  # no status carries a tag spelled so
    # walked by the tag's index (tag, status), newest first: a rare tag's page is found among
    # its own statuses, not by walking every public status back for those carrying it
    tag_id = select(Tag.id).where(Tag.name == name).scalar_subquery()
    query = query.join(StatusTag, StatusTag.status_id == Status.id).where(
        StatusTag.tag_id == tag_id
    )
    return await _page(ctx, query, page, by=StatusTag.status_id)


async def account_status_ids(
    ctx: AppContext,
    account_id: int,
    viewer: int | None,
    page: PageQuery,
    *,
    exclude_replies: bool = False,
    exclude_reblogs: bool = False,
    tagged: str | None = None,
) -> list[int]:
    """The account's statuses: direct ones only to their author and the mentioned (others
    are filtered as they render); without replies to others with `exclude_replies`, without
    boosts with `exclude_reblogs`; only
    those carrying `tagged`, with it."""
    query = select(Status.id).where(Status.account_id == account_id)
    if viewer != account_id:
        mentioned = select(Mention.status_id).where(Mention.account_id == (viewer or 0))
        query = query.where((Status.visibility != "direct") | Status.id.in_(mentioned))
    if exclude_reblogs:
        query = query.where(Status.reblog_of_id.is_(None))
    if exclude_replies:
        query = query.where(
            Status.in_reply_to_id.is_(None) | (Status.in_reply_to_account_id == account_id)
        )
    if tagged is not None:
        with_tag = _tagged(tagged)
        if with_tag is None:
            return []
        query = query.where(Status.id.in_(with_tag))
    return await _page(ctx, query, page)


def _tagged(tag: str) -> Select[int] | None:
    name = tag_in_path(tag)
    if name is None:
        return None
    return select(StatusTag.status_id).join(Tag).where(Tag.name == name)


async def _page(
    ctx: AppContext,
    query: Select[int],
    page: PageQuery,
    *,
    by: InstrumentedAttribute[int] = Status.id,
) -> list[int]:
    async with ctx.db() as db:
        return sorted((await db.execute(paged(query, by, page))).scalars(), reverse=True)
