"""Following hashtags: a row per follow (`tag_follows`), its event in the same transaction,
so the `timelines` group merges the tag's statuses into the home or takes them out.

A tag is named as a path names it (`statuses.text.tag_in_path`: `#` allowed, normalised);
a name no tag could have is not found, as Mastodon. Following a tag no status carries yet
creates it, as Mastodon's `find_or_create`; unfollowing one that does not exist is not found,
as showing it is (`GET /api/v1/tags/:name`)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Select

from social.platform.context import AppContext
from social.platform.db.models import StatusTag, Tag, TagFollow
from social.platform.db.toggle import toggle
from social.platform.errors import NotFound
from social.platform.events.topics import TagFollowed, TagUnfollowed, publish
from social.platform.paging import PageQuery, paged
from social.search.index import index_tags
from social.statuses import marks
from social.statuses.text import TAG_MAX, tag_in_path


def statuses_tagged(tag_id: int) -> Select[int]:
    return select(StatusTag.status_id).where(StatusTag.tag_id == tag_id)


def _name(raw: str) -> str:
    name = tag_in_path(raw)
    if name is None:
        raise NotFound()
    return name


async def _existing(db: AsyncSession, name: str) -> Tag | None:
    return (await db.execute(select(Tag).where(Tag.name == name))).scalar_one_or_none()


async def _find_or_create(db: AsyncSession, name: str, shown: str) -> Tag:
    tag = await _existing(db, name)
    if tag is not None:
        return tag
    try:
        async with db.begin_nested():
            tag = Tag(name=name, display_name=shown)
            db.add(tag)
        return tag
    except IntegrityError:  # created concurrently
        found = await _existing(db, name)
        assert found is not None
        return found


async def follow_tag(ctx: AppContext, account_id: int, raw: str) -> Tag:
    """Follow the tag `raw` names (idempotent, as Mastodon since 4.1)."""
    name = _name(raw)
    async with ctx.db() as db:
        tag = await _find_or_create(db, name, raw.removeprefix("#")[:TAG_MAX])
        changed = await toggle(db, True, TagFollow, account_id=account_id, tag_id=tag.id)
        if changed:
            publish(db, TagFollowed(account_id=account_id, tag_id=tag.id))
        await db.commit()
    if changed:
        ctx.events.wake()
        await marks.changed(ctx, marks.FOLLOWED_TAGS, account_id, tag.id, True)
        await index_tags(ctx, [tag])  # following may have created it
    return tag


async def unfollow_tag(ctx: AppContext, account_id: int, raw: str) -> Tag:
    """Unfollow it (idempotent)."""
    name = _name(raw)
    async with ctx.db() as db:
        tag = await _existing(db, name)
        if tag is None:
            raise NotFound()
        changed = await toggle(db, False, TagFollow, account_id=account_id, tag_id=tag.id)
        if changed:
            publish(db, TagUnfollowed(account_id=account_id, tag_id=tag.id))
            await db.commit()
    if changed:
        ctx.events.wake()
        await marks.changed(ctx, marks.FOLLOWED_TAGS, account_id, tag.id, False)
    return tag


async def followed_tags(
    ctx: AppContext, account_id: int, page: PageQuery
) -> tuple[list[int], list[Tag]]:
    """A page of the account's followed tags, newest follow first: the follows' ids (the
    page's cursors) and their tags."""
    query = (
        select(TagFollow.id, Tag)
        .join(Tag, Tag.id == TagFollow.tag_id)
        .where(TagFollow.account_id == account_id)
    )
    async with ctx.db() as db:
        rows = (await db.execute(paged(query, TagFollow.id, page))).all()
    rows = sorted(rows, key=lambda row: int(row[0]), reverse=True)
    return [r[0] for r in rows], [r[1] for r in rows]


async def following_among(
    ctx: AppContext, account_id: int | None, tag_ids: Iterable[int]
) -> set[int]:
    """Of the tags `tag_ids`, those the account follows (one query; none for the signed-out)."""
    ids = set(tag_ids)
    if account_id is None or not ids:
        return set()
    query = select(TagFollow.tag_id).where(
        TagFollow.account_id == account_id, TagFollow.tag_id.in_(ids)
    )
    async with ctx.db() as db:
        return set((await db.execute(query)).scalars())
