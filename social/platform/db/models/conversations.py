"""Direct conversations as each participant sees them, and muted threads."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from social.platform.db.models.base import Base, id_column
from social.platform.db.types import UTCDateTime, utcnow


class AccountConversation(Base):
    """One participant's view of a direct conversation: with whom (the others, sorted,
    comma-separated), its last status, and whether it is unread."""

    __tablename__ = "account_conversations"

    id: Mapped[int] = id_column()
    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE")
    )
    conversation_id: Mapped[int] = mapped_column(BigInteger)
    participant_ids: Mapped[str] = mapped_column(String(2000), default="")
    last_status_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("statuses.id", ondelete="SET NULL"), default=None
    )
    unread: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (
        UniqueConstraint(
            "account_id",
            "conversation_id",
            "participant_ids",
            name="uq_account_conversations_account_conversation_participants",
        ),
        Index("ix_account_conversations_account_id_last_status_id", "account_id", "last_status_id"),
    )


class ConversationMute(Base):
    """An account muted a thread: no notifications from it."""

    __tablename__ = "conversation_mutes"

    id: Mapped[int] = id_column()
    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE")
    )
    conversation_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("account_id", "conversation_id", name="uq_conversation_mutes_pair"),
    )
