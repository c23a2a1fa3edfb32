"""What a person keeps of statuses: bookmarks, and the pins on their own profile."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from social.platform.db.models.base import Base, id_column
from social.platform.db.types import UTCDateTime, utcnow


class Bookmark(Base):
    __tablename__ = "bookmarks"

    id: Mapped[int] = id_column()
    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE")
    )
    status_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("statuses.id", ondelete="CASCADE")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("account_id", "status_id", name="uq_bookmarks_account_status"),
        Index("ix_bookmarks_account_id_id", "account_id", "id"),
    )


class StatusPin(Base):
    """One of the (at most five) statuses an account shows first on its profile."""

    __tablename__ = "status_pins"

    id: Mapped[int] = id_column()
    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE")
    )
    status_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("statuses.id", ondelete="CASCADE")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("account_id", "status_id", name="uq_status_pins_account_status"),
    )
