"""What people attach to statuses: media files, polls and their votes, scheduled statuses,
and the earlier versions of edited statuses."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
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

MEDIA_STATES = ("processing", "ready", "failed")


class MediaAttachment(Base):
    """An uploaded file: processed in the background (`state`), then attached to at most one
    status (or a scheduled status). Files are named by storage keys the server chose, never
    by anything the uploader sent."""

    __tablename__ = "media_attachments"

    id: Mapped[int] = id_column()
    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE")
    )
    status_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("statuses.id", ondelete="SET NULL"), default=None
    )
    """Detached, not deleted, with its status: Mastodon keeps a deleted status's media about
    a day for "delete and redraft"; the cleanup of unattached media removes it after."""
    scheduled_status_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("scheduled_statuses.id", ondelete="SET NULL"), default=None
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    type: Mapped[str] = mapped_column(String(16), default="unknown")
    state: Mapped[str] = mapped_column(String(16), default="processing")
    error: Mapped[str | None] = mapped_column(Text, default=None)
    upload_key: Mapped[str | None] = mapped_column(String(255), default=None)
    """The file as uploaded, until processing replaces it with `file_key`."""
    file_key: Mapped[str | None] = mapped_column(String(255), default=None)
    preview_key: Mapped[str | None] = mapped_column(String(255), default=None)
    content_type: Mapped[str | None] = mapped_column(String(100), default=None)
    file_size: Mapped[int] = mapped_column(BigInteger, default=0)
    description: Mapped[str] = mapped_column(Text, default="")
    focus_x: Mapped[float | None] = mapped_column(Float, default=None)
    focus_y: Mapped[float | None] = mapped_column(Float, default=None)
    blurhash: Mapped[str | None] = mapped_column(String(100), default=None)
    meta: Mapped[str] = mapped_column(Text, default="{}")
    """Mastodon's `meta` (sizes, aspect, focus) as JSON."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    __table_args__ = (
        Index("ix_media_attachments_status_id", "status_id"),
        Index("ix_media_attachments_scheduled_status_id", "scheduled_status_id"),
        Index("ix_media_attachments_account_id_id", "account_id", "id"),
        Index("ix_media_attachments_created_at", "created_at"),
    )


class Poll(Base):
    """A status's poll. `options` is a JSON list of titles; the tallies are its votes."""

    __tablename__ = "polls"

    id: Mapped[int] = id_column()
    status_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("statuses.id", ondelete="CASCADE"), unique=True
    )
    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE")
    )
    options: Mapped[str] = mapped_column(Text)
    multiple: Mapped[bool] = mapped_column(Boolean, default=False)
    hide_totals: Mapped[bool] = mapped_column(Boolean, default=False)
    votes_count: Mapped[int] = mapped_column(Integer, default=0)
    voters_count: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expiry_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    """When its `poll` notifications went out (once)."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_polls_expires_at", "expires_at"),)


class PollVote(Base):
    """One chosen option of one voter (several rows for a multiple-choice vote)."""

    __tablename__ = "poll_votes"

    id: Mapped[int] = id_column()
    poll_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("polls.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE")
    )
    choice: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("poll_id", "account_id", "choice", name="uq_poll_votes_choice"),
        Index("ix_poll_votes_account_id", "account_id"),
    )


class ScheduledStatus(Base):
    """A status to post at `scheduled_at`; `params` is Mastodon's ScheduledStatus params as
    JSON. The row is the truth: the scheduler's Redis queue is rebuilt from these."""

    __tablename__ = "scheduled_statuses"

    id: Mapped[int] = id_column()
    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE")
    )
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime)
    params: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        Index("ix_scheduled_statuses_account_id_scheduled_at", "account_id", "scheduled_at"),
        Index("ix_scheduled_statuses_scheduled_at", "scheduled_at"),
    )


class StatusEdit(Base):
    """A version of an edited status, as Mastodon's StatusEdit: the text, spoiler and
    sensitivity it had, its media (ids and their descriptions) and poll options, as JSON."""

    __tablename__ = "status_edits"

    id: Mapped[int] = id_column()
    status_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("statuses.id", ondelete="CASCADE")
    )
    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE")
    )
    text: Mapped[str] = mapped_column(Text, default="")
    content: Mapped[str] = mapped_column(Text, default="")
    """The text as HTML, as it was rendered then (its mentions' links of that time)."""
    spoiler_text: Mapped[str] = mapped_column(Text, default="")
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    media: Mapped[str] = mapped_column(Text, default="[]")
    poll_options: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_status_edits_status_id_id", "status_id", "id"),)
