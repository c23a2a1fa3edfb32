"""Editing a status (Mastodon's UpdateStatusService): the new version replaces the old in one
transaction, each version is kept (the first edit keeps the original too), and an event tells
live streams and those who boosted it."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import orjson
from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from social.media import service as media
from social.platform.context import AppContext
from social.platform.db.models import Mention, Poll, Status, StatusEdit, StatusTag
from social.platform.db.types import utcnow
from social.platform.errors import NotFound
from social.platform.events.topics import StatusUpdated, publish
from social.platform.ids import next_id
from social.polls.rules import EXPIRY_KIND, replace_poll
from social.statuses.service import NewPoll, compose, schedule_job, status_event


@dataclass(frozen=True)
class Edit:
    """A status's new version. As Mastodon's, an edit states the whole status: what it
    leaves out is emptied (`spoiler_text`, `sensitive`), but for the language (kept)."""

    text: str
    spoiler_text: str = ""
    sensitive: bool = False
    language: str | None = None
    media_ids: tuple[int, ...] = ()
    described: dict[int, tuple[str | None, tuple[float, float] | None]] = field(
        default_factory=dict
    )
    """`media_attributes[]`: new descriptions and focus points of its media, by id."""
    poll: NewPoll | None = None
    """Its poll now (left out: none)."""


async def _snapshot(db: AsyncSession, status: Status) -> int:
    """The version a status has now, kept; returns its id."""
    edit_id = next_id()
    await db.execute(
        insert(StatusEdit).values(
            id=edit_id,
            status_id=status.id,
            account_id=status.account_id,
            text=status.text,
            content=status.content,
            spoiler_text=status.spoiler_text,
            sensitive=status.sensitive,
            media=orjson.dumps(await media.versions_of(db, status.id)).decode(),
            poll_options=await _poll_options(db, status.id),
            created_at=status.edited_at or status.created_at,
        )
    )
    return edit_id


async def _poll_options(db: AsyncSession, status_id: int) -> str | None:
    query = select(Poll.options).where(Poll.status_id == status_id)
    options: str | None = (await db.execute(query)).scalar_one_or_none()
    return options


async def _mentions(db: AsyncSession, status_id: int, now: set[int]) -> set[int]:
    """Mentions as the new text has them: those it drops turn silent (they still see the
    status), those it adds are written; returns the added."""
    query = select(Mention.account_id, Mention.silent).where(Mention.status_id == status_id)
    rows: dict[int, bool] = {}
    for account, silent in await db.execute(query):
        rows[account] = silent
    changes = {a: a not in now for a, silent in rows.items() if silent != (a not in now)}
    for account, silent in changes.items():
        await db.execute(
            update(Mention)
            .where(Mention.status_id == status_id, Mention.account_id == account)
            .values(silent=silent)
        )
    added = now - rows.keys()
    if added:
        await db.execute(
            insert(Mention), [{"status_id": status_id, "account_id": a} for a in added]
        )
    return added


async def check_editable(ctx: AppContext, author_id: int, status_id: int) -> None:
    """404 unless the status is the author's own and no boost, before its new version is
    judged (as Mastodon finds the status first)."""
    async with ctx.db() as db:
        query = select(Status.account_id, Status.reblog_of_id).where(Status.id == status_id)
        row = (await db.execute(query)).first()
    if row is None or row.account_id != author_id or row.reblog_of_id is not None:
        raise NotFound()


async def edit_status(ctx: AppContext, author_id: int, status_id: int, edit: Edit) -> bool:
    """Edit one of the author's statuses (not a boost); False when nothing changed (Mastodon
    then keeps no version and tells nobody)."""
    async with ctx.db() as db:
        status = await db.get(Status, status_id, with_for_update=True)
        if status is None or status.account_id != author_id or status.reblog_of_id is not None:
            raise NotFound()
        language = edit.language or status.language
        sensitive = edit.sensitive or bool(edit.spoiler_text)
        first = (
            await db.execute(select(StatusEdit.id).where(StatusEdit.status_id == status_id))
        ).first() is None
        if first:  # the original becomes the first version (dropped if nothing changes)
            await _snapshot(db, status)
        media_changed, detached = await media.reattach(
            db, author_id, status_id, edit.media_ids, edit.described
        )
        now = utcnow()
        poll_changed, poll_id = await replace_poll(db, status_id, author_id, edit.poll, now)
        if (
            not media_changed
            and not poll_changed
            and (
                status.text,
                status.spoiler_text,
                status.sensitive,
                status.language,
            )
            == (edit.text, edit.spoiler_text, sensitive, language)
        ):
            await db.rollback()
            return False
        content, mentioned, tags = await compose(ctx, db, edit.text)
        status.text, status.content, status.language = edit.text, content, language
        status.spoiler_text, status.sensitive = edit.spoiler_text, sensitive
        status.edited_at = now
        await db.execute(delete(StatusTag).where(StatusTag.status_id == status_id))
        if tags:
            await db.execute(
                insert(StatusTag), [{"status_id": status_id, "tag_id": t.id} for t in tags]
            )
        added = await _mentions(db, status_id, {a.id for a in mentioned})
        await db.flush()
        edit_id = await _snapshot(db, status)
        audience = list(
            (
                await db.execute(select(Mention.account_id).where(Mention.status_id == status_id))
            ).scalars()
        )
        event = status_event(StatusUpdated, status, [t.name for t in tags], audience)
        publish(
            db,
            StatusUpdated(
                **{**event.payload(), "edit_id": edit_id, "new_mention_ids": tuple(sorted(added))}
            ),
        )
        await db.commit()
    ctx.events.wake()
    await ctx.statuses.invalidate([status_id])
    await media.clean_later(ctx, detached, time.time())
    if poll_id is not None and edit.poll is not None:  # its end, anew
        await schedule_job(ctx, EXPIRY_KIND, poll_id, now.timestamp() + edit.poll.expires_in_s)
    return True


async def versions(ctx: AppContext, status_id: int) -> tuple[int, list[StatusEdit | Status]]:
    """The versions of a status, oldest first, and its author: its edits, or, never edited,
    the status itself (as Mastodon's history)."""
    async with ctx.db() as db:
        status = await db.get(Status, status_id)
        if status is None:
            raise NotFound()
        query = select(StatusEdit).where(StatusEdit.status_id == status_id).order_by(StatusEdit.id)
        edits: list[StatusEdit | Status] = list((await db.scalars(query)).all())
        return status.account_id, edits or [status]


async def source(ctx: AppContext, status_id: int) -> tuple[str, str]:
    async with ctx.db() as db:
        status = await db.get(Status, status_id)
        if status is None:
            raise NotFound()
        return status.text, status.spoiler_text
