"""What the instance tells every client: its rules, its texts, and its announcements."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from social.platform.db.models.base import Base, id_column
from social.platform.db.types import UTCDateTime, utcnow


class Rule(Base):
    """A server rule (`GET /api/v1/instance/rules`), in the order an admin gave."""

    __tablename__ = "instance_rules"

    id: Mapped[int] = id_column()
    text: Mapped[str] = mapped_column(Text)
    hint: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class SiteText(Base):
    """An admin-set text by name (e.g. `extended_description`), with when it last changed."""

    __tablename__ = "instance_texts"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    text: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Announcement(Base):
    """An admin's announcement: shown while published and not ended."""

    __tablename__ = "announcements"

    id: Mapped[int] = id_column()
    text: Mapped[str] = mapped_column(Text)
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    all_day: Mapped[bool] = mapped_column(Boolean, default=False)
    published: Mapped[bool] = mapped_column(Boolean, default=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class AnnouncementRead(Base):
    """A person dismissed (read) an announcement."""

    __tablename__ = "announcement_reads"

    announcement_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("announcements.id", ondelete="CASCADE"), primary_key=True
    )
    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )


class AnnouncementReaction(Base):
    """A person's reaction (an emoji) to an announcement; each name once per person."""

    __tablename__ = "announcement_reactions"

    announcement_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("announcements.id", ondelete="CASCADE"), primary_key=True
    )
    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
