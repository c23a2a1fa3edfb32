"""Texts an admin writes for the instance (`instance_texts`), by name: for now the extended
description of `GET /api/v1/instance/extended_description`."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from social.platform.db.models import SiteText
from social.platform.db.types import utcnow
from social.platform.errors import invalid

EXTENDED_DESCRIPTION = "extended_description"
TEXT_MAX = 100_000

Sessions = async_sessionmaker[AsyncSession]


async def site_text(sessions: Sessions, name: str) -> SiteText | None:
    async with sessions() as db:
        return await db.get(SiteText, name)


async def set_site_text(sessions: Sessions, name: str, text: str) -> SiteText | None:
    """Set the text (blank: remove it, and the answer is as if none was ever set)."""
    text = text.strip()
    if len(text) > TEXT_MAX:
        raise invalid("text", f"is too long (maximum is {TEXT_MAX} characters)", "ERR_TOO_LONG")
    async with sessions() as db:
        row = await db.get(SiteText, name)
        if not text:
            if row is not None:
                await db.delete(row)
                await db.commit()
            return None
        if row is None:
            row = SiteText(name=name, text=text)
            db.add(row)
        else:
            row.text, row.updated_at = text, utcnow()
        await db.commit()
        return row
