"""What one account keeps about another: blocks, mutes, follow requests, private notes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from social.platform.db.models.base import Base, id_column
from social.platform.db.types import UTCDateTime, utcnow


def _account() -> Mapped[int]:
    return mapped_column(BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"))


class Block(Base):
    """`account_id` blocks `target_account_id`: neither sees the other."""

    __tablename__ = "blocks"

    id: Mapped[int] = id_column()
    account_id: Mapped[int] = _account()
    target_account_id: Mapped[int] = _account()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("account_id", "target_account_id", name="uq_blocks_pair"),
        Index("ix_blocks_target_account_id", "target_account_id"),
    )


class Mute(Base):
    """`account_id` mutes `target_account_id` (their notifications too with
    `hide_notifications`), until `expires_at` if set."""

    __tablename__ = "mutes"

    id: Mapped[int] = id_column()
    account_id: Mapped[int] = _account()
    target_account_id: Mapped[int] = _account()
    hide_notifications: Mapped[bool] = mapped_column(Boolean, default=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("account_id", "target_account_id", name="uq_mutes_pair"),
        Index("ix_mutes_target_account_id", "target_account_id"),
        Index("ix_mutes_expires_at", "expires_at"),
    )


class FollowRequest(Base):
    """A follow a locked account has not accepted yet, with the options the follow will take."""

    __tablename__ = "follow_requests"

    id: Mapped[int] = id_column()
    account_id: Mapped[int] = _account()
    target_account_id: Mapped[int] = _account()
    show_reblogs: Mapped[bool] = mapped_column(Boolean, default=True)
    notify: Mapped[bool] = mapped_column(Boolean, default=False)
    languages: Mapped[str | None] = mapped_column(String(255), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("account_id", "target_account_id", name="uq_follow_requests_pair"),
        Index("ix_follow_requests_target_account_id_id", "target_account_id", "id"),
    )


class AccountNote(Base):
    """A private note one account keeps on another (`Relationship.note`)."""

    __tablename__ = "account_notes"

    id: Mapped[int] = id_column()
    account_id: Mapped[int] = _account()
    target_account_id: Mapped[int] = _account()
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (
        UniqueConstraint("account_id", "target_account_id", name="uq_account_notes_pair"),
    )
