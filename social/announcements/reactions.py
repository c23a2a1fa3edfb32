"""Reactions to an announcement: a Unicode emoji each (no custom emoji can be added here, so a
shortcode is not a recognized emoji, as Mastodon answers for an unknown one), each name once per
person, at most eight different names on one announcement (Mastodon's limit)."""

from __future__ import annotations

from typing import Any

import emoji
from sqlalchemy import CursorResult, delete, func, select
from sqlalchemy.exc import IntegrityError

from social.announcements.service import Sessions, shown_one
from social.platform.db.models import AnnouncementReaction
from social.platform.errors import Invalid, NotFound, invalid
from social.platform.events.topics import AnnouncementReacted, publish

DIFFERENT_MAX = 8


def is_unicode_emoji(name: str) -> bool:
    """One emoji, as Unicode lists them (with its skin tone, or a ZWJ sequence)."""
    return emoji.is_emoji(name)


async def react(sessions: Sessions, announcement_id: int, account_id: int, name: str) -> None:
    """`account_id` reacts with `name`; reacting again with it changes nothing."""
    async with sessions() as db:
        await shown_one(db, announcement_id)
        if not is_unicode_emoji(name):
            raise invalid("name", "is not a recognized emoji")
        mine = await db.get(AnnouncementReaction, (announcement_id, account_id, name))
        if mine is not None:
            return
        names = set(
            (
                await db.execute(
                    select(AnnouncementReaction.name)
                    .where(AnnouncementReaction.announcement_id == announcement_id)
                    .group_by(AnnouncementReaction.name)
                )
            ).scalars()
        )
        if name not in names and len(names) >= DIFFERENT_MAX:
            raise Invalid("Validation failed: Limit of different reactions reached")
        db.add(
            AnnouncementReaction(announcement_id=announcement_id, account_id=account_id, name=name)
        )
        publish(db, AnnouncementReacted(announcement_id=announcement_id, reaction=name))
        try:
            await db.commit()
        except IntegrityError:  # the same reaction, by a request beside this one
            await db.rollback()


async def unreact(sessions: Sessions, announcement_id: int, account_id: int, name: str) -> None:
    """Take back `account_id`'s reaction `name`; not found when there is none."""
    async with sessions() as db:
        await shown_one(db, announcement_id)
        if not is_unicode_emoji(name):  # none can exist (and PostgreSQL takes no U+0000)
            raise NotFound()
        gone: CursorResult[Any] = await db.execute(  # type: ignore[assignment]
            delete(AnnouncementReaction).where(
                AnnouncementReaction.announcement_id == announcement_id,
                AnnouncementReaction.account_id == account_id,
                AnnouncementReaction.name == name,
            )
        )
        if gone.rowcount == 0:
            raise NotFound()
        publish(db, AnnouncementReacted(announcement_id=announcement_id, reaction=name))
        await db.commit()


async def count_of(sessions: Sessions, announcement_id: int, name: str) -> int:
    async with sessions() as db:
        query = select(func.count()).where(
            AnnouncementReaction.announcement_id == announcement_id,
            AnnouncementReaction.name == name,
        )
        return int((await db.execute(query)).scalar() or 0)
