"""Statuses, their tags and mentions, favourites, and follows between accounts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from social.platform.db.models.base import Base, id_column
from social.platform.db.types import UTCDateTime, utcnow

VISIBILITIES = ("public", "unlisted", "private", "direct")


class Status(Base):
    __tablename__ = "statuses"

    id: Mapped[int] = id_column()
    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE")
    )
    text: Mapped[str] = mapped_column(Text, default="")
    content: Mapped[str] = mapped_column(Text, default="")
    spoiler_text: Mapped[str] = mapped_column(Text, default="")
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    visibility: Mapped[str] = mapped_column(String(16), default="public")
    language: Mapped[str | None] = mapped_column(String(16), default=None)
    in_reply_to_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("statuses.id", ondelete="SET NULL"), default=None
    )
    in_reply_to_account_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    reblog_of_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    """A boost: the status it boosts (its own text is empty). No foreign key: deleting a
    status deletes its boosts in code, each with its event (social/statuses/service.py)."""
    conversation_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    """The thread it belongs to: the id of the status the thread began with (None: written
    before threads were kept; found by walking its replies up)."""
    replies_count: Mapped[int] = mapped_column(Integer, default=0)
    favourites_count: Mapped[int] = mapped_column(Integer, default=0)
    reblogs_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    __table_args__ = (
        Index("ix_statuses_account_id_id", "account_id", "id"),
        Index("ix_statuses_in_reply_to_id", "in_reply_to_id"),
        Index("ix_statuses_visibility_id", "visibility", "id"),
        Index("ix_statuses_reblog_of_id_account_id", "reblog_of_id", "account_id", unique=True),
        Index("ix_statuses_conversation_id", "conversation_id"),
    )


class Tag(Base):
    __tablename__ = "tags"

    id: Mapped[int] = id_column()
    name: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StatusTag(Base):
    __tablename__ = "statuses_tags"

    status_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("statuses.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True
    )

    __table_args__ = (Index("ix_statuses_tags_tag_id_status_id", "tag_id", "status_id"),)


class Mention(Base):
    __tablename__ = "mentions"

    status_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("statuses.id", ondelete="CASCADE"), primary_key=True
    )
    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    silent: Mapped[bool] = mapped_column(Boolean, default=False)
    """Dropped by an edit: no longer shown among the status's mentions, but the account keeps
    seeing the status (as Mastodon's silent mentions)."""

    __table_args__ = (Index("ix_mentions_account_id_status_id", "account_id", "status_id"),)


class Favourite(Base):
    __tablename__ = "favourites"

    id: Mapped[int] = id_column()
    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE")
    )
    status_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("statuses.id", ondelete="CASCADE")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("account_id", "status_id", name="uq_favourites_account_status"),
        Index("ix_favourites_status_id_id", "status_id", "id"),
        Index("ix_favourites_account_id_id", "account_id", "id"),
    )


class Follow(Base):
    __tablename__ = "follows"

    id: Mapped[int] = id_column()
    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE")
    )
    target_account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE")
    )
    show_reblogs: Mapped[bool] = mapped_column(Boolean, default=True)
    """The follower sees the account's boosts in their home (Mastodon's `reblogs` option)."""
    notify: Mapped[bool] = mapped_column(Boolean, default=False)
    """The follower is notified of each status the account posts."""
    languages: Mapped[str | None] = mapped_column(String(255), default=None)
    """Only statuses in these languages (comma-separated ISO 639-1) enter the home; None: all."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("account_id", "target_account_id", name="uq_follows_pair"),
        Index("ix_follows_target_account_id_id", "target_account_id", "id"),
    )
