"""Writing events into the outbox (inside the caller's transaction) and the relay's queries."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from social.platform.db.models import OutboxEvent
from social.platform.db.types import utcnow
from social.platform.ids import id_at

MAX_TOPIC_CHARS = 64


def enqueue(db: AsyncSession, topic: str, payload: dict[str, Any]) -> OutboxEvent:
    """Add an event to `db`'s transaction: it is published if, and only if, the caller commits.

    Call `EventBus.wake()` after the commit for prompt delivery; the relay's sweep finds it
    within a second otherwise.
    """
    if not topic or len(topic) > MAX_TOPIC_CHARS:
        raise ValueError(f"topic must be 1 to {MAX_TOPIC_CHARS} characters")
    row = OutboxEvent(topic=topic, payload=orjson.dumps(payload).decode())
    db.add(row)
    return row


async def unsent(db: AsyncSession, limit: int, *, lock: bool) -> list[tuple[int, str, str]]:
    """`(id, topic, payload)` of the oldest unsent rows; `lock` takes them with
    `FOR UPDATE SKIP LOCKED` (PostgreSQL)."""
    query = (
        select(OutboxEvent.id, OutboxEvent.topic, OutboxEvent.payload)
        .where(OutboxEvent.sent_at.is_(None))
        .order_by(OutboxEvent.id)
        .limit(limit)
    )
    if lock:
        query = query.with_for_update(skip_locked=True)
    return [(row.id, row.topic, row.payload) for row in await db.execute(query)]


async def mark_sent(db: AsyncSession, ids: Sequence[int]) -> None:
    await db.execute(
        update(OutboxEvent)
        .where(OutboxEvent.id.in_(ids), OutboxEvent.sent_at.is_(None))
        .values(sent_at=utcnow())
    )


async def has_unsent(db: AsyncSession) -> bool:
    query = select(OutboxEvent.id).where(OutboxEvent.sent_at.is_(None)).limit(1)
    return (await db.scalar(query)) is not None


async def count_unsent(db: AsyncSession) -> int:
    query = select(func.count()).select_from(OutboxEvent).where(OutboxEvent.sent_at.is_(None))
    return int(await db.scalar(query) or 0)


async def prune(db: AsyncSession, retention_s: float) -> int:
    """Delete sent rows created more than `retention_s` ago (ids are time ordered, so the
    primary key bounds the scan); unsent rows are kept however old. Commits."""
    cutoff = id_at(time.time() - retention_s)
    result = await db.execute(
        delete(OutboxEvent).where(OutboxEvent.id < cutoff, OutboxEvent.sent_at.is_not(None))
    )
    await db.commit()
    return int(getattr(result, "rowcount", 0) or 0)
