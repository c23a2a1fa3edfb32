"""Notifications: someone followed you, asked to, mentioned or favourited you, or posted
(a follow with `notify`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from social.platform.db.models.base import Base, id_column
from social.platform.db.types import UTCDateTime, utcnow

TYPES = (
    "mention",
    "status",
    "reblog",
    "follow",
    "follow_request",
    "favourite",
    "poll",
    "update",
)


class Notification(Base):
    __tablename__ = "notifications"

    id: Mapped[int] = id_column()
    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE")
    )
    from_account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE")
    )
    type: Mapped[str] = mapped_column(String(32))
    status_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("statuses.id", ondelete="CASCADE"), default=None
    )
    dedupe_key: Mapped[str] = mapped_column(String(128), unique=True)
    group_key: Mapped[str | None] = mapped_column(String(64), default=None)
    """What grouped notifications (`/api/v2/notifications`) gather by, as Mastodon 4.3 keeps it."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        Index("ix_notifications_account_id_id", "account_id", "id"),
        Index("ix_notifications_account_id_group_key_id", "account_id", "group_key", "id"),
    )
