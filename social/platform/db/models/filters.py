"""A person's filters (Mastodon's `CustomFilter`): keywords and statuses that warn, blur or hide
in the contexts they name."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from social.platform.db.models.base import Base, id_column
from social.platform.db.types import UTCDateTime, utcnow

CONTEXTS = ("home", "notifications", "public", "thread", "account")
ACTIONS = ("warn", "hide", "blur")


class CustomFilter(Base):
    __tablename__ = "custom_filters"

    id: Mapped[int] = id_column()
    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE")
    )
    title: Mapped[str] = mapped_column(String(256), default="")
    context: Mapped[str] = mapped_column(String(64), default="")
    """The contexts it applies in, comma-separated (of `CONTEXTS`)."""
    action: Mapped[str] = mapped_column(String(8), default="warn")
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (Index("ix_custom_filters_account_id", "account_id"),)


class CustomFilterKeyword(Base):
    __tablename__ = "custom_filter_keywords"

    id: Mapped[int] = id_column()
    custom_filter_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("custom_filters.id", ondelete="CASCADE")
    )
    keyword: Mapped[str] = mapped_column(Text)
    whole_word: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (Index("ix_custom_filter_keywords_custom_filter_id", "custom_filter_id"),)


class CustomFilterStatus(Base):
    __tablename__ = "custom_filter_statuses"

    id: Mapped[int] = id_column()
    custom_filter_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("custom_filters.id", ondelete="CASCADE")
    )
    status_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("statuses.id", ondelete="CASCADE")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("custom_filter_id", "status_id", name="uq_custom_filter_statuses_pair"),
    )
