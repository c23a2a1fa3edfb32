"""The server's rules, in the order an admin gave them: listed to everyone, added and removed by
admins (the admin API and `social admin rules`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import CursorResult, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from social.platform.db.models import Rule
from social.platform.errors import NotFound, invalid

TEXT_MAX = 300
HINT_MAX = 2000
POSITION_MAX = 10_000

Sessions = async_sessionmaker[AsyncSession]


async def rules(sessions: Sessions) -> list[Rule]:
    async with sessions() as db:
        found = await db.execute(select(Rule).order_by(Rule.position, Rule.id))
        return list(found.scalars())


def _checked(text: str, hint: str, position: int | None) -> tuple[str, str]:
    text, hint = text.strip(), hint.strip()
    if not text:
        raise invalid("text", "can't be blank", "ERR_BLANK")
    if len(text) > TEXT_MAX:
        raise invalid("text", f"is too long (maximum is {TEXT_MAX} characters)", "ERR_TOO_LONG")
    if len(hint) > HINT_MAX:
        raise invalid("hint", f"is too long (maximum is {HINT_MAX} characters)", "ERR_TOO_LONG")
    if position is not None and not 0 <= position <= POSITION_MAX:
        raise invalid("position", f"must be between 0 and {POSITION_MAX}")
    return text, hint


async def add_rule(
    sessions: Sessions, text: str, hint: str = "", position: int | None = None
) -> Rule:
    """A new rule at `position` (those from there on move one down); without one, after the
    last."""
    text, hint = _checked(text, hint, position)
    async with sessions() as db:
        if position is None:
            last = (await db.execute(select(func.max(Rule.position)))).scalar()
            position = (last if last is not None else -1) + 1
        else:
            moved = update(Rule).where(Rule.position >= position)
            await db.execute(moved.values(position=Rule.position + 1))
        rule = Rule(text=text, hint=hint, position=position)
        db.add(rule)
        await db.commit()
        return rule


async def remove_rule(sessions: Sessions, rule_id: int) -> None:
    async with sessions() as db:
        gone: CursorResult[Any] = await db.execute(delete(Rule).where(Rule.id == rule_id))  # type: ignore[assignment]
        if gone.rowcount == 0:
            raise NotFound()
        await db.commit()
