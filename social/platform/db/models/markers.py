"""Read positions: where a person stopped reading a timeline, synced across their apps."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from social.platform.db.models.base import Base
from social.platform.db.types import UTCDateTime, utcnow

TIMELINES = ("home", "notifications")


class Marker(Base):
    __tablename__ = "markers"

    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    timeline: Mapped[str] = mapped_column(String(16), primary_key=True)
    last_read_id: Mapped[int] = mapped_column(BigInteger)
    version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
