"""The transactional outbox: events written in the same transaction as the change they describe."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from social.platform.db.models.base import Base, id_column
from social.platform.db.types import UTCDateTime, utcnow


class OutboxEvent(Base):
    """One event waiting for (or done with) the relay to the Redis stream."""

    __tablename__ = "outbox"

    id: Mapped[int] = id_column()
    topic: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    # Partial index: only unsent rows, so "unsent, oldest first" stays cheap however many
    # sent rows wait for pruning.
    __table_args__ = (
        Index(
            "ix_outbox_unsent",
            "id",
            postgresql_where=sent_at.is_(None),
            sqlite_where=sent_at.is_(None),
        ),
    )
