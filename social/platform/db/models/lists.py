"""Lists of followed accounts (each with its own timeline), followed hashtags, endorsements."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from social.platform.db.models.base import Base, id_column
from social.platform.db.types import UTCDateTime, utcnow

REPLIES_POLICIES = ("followed", "list", "none")


class AccountList(Base):
    __tablename__ = "lists"

    id: Mapped[int] = id_column()
    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE")
    )
    title: Mapped[str] = mapped_column(String(256), default="")
    replies_policy: Mapped[str] = mapped_column(String(16), default="list")
    exclusive: Mapped[bool] = mapped_column(Boolean, default=False)
    """Its members' statuses stay out of the owner's home."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (Index("ix_lists_account_id", "account_id"),)


class ListAccount(Base):
    """A member of a list: an account its owner follows (the follow's end removes it)."""

    __tablename__ = "list_accounts"

    list_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("lists.id", ondelete="CASCADE"), primary_key=True
    )
    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    follow_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("follows.id", ondelete="CASCADE"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_list_accounts_account_id", "account_id"),)


class TagFollow(Base):
    """An account follows a hashtag: statuses carrying it enter its home."""

    __tablename__ = "tag_follows"

    id: Mapped[int] = id_column()
    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE")
    )
    tag_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("tags.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("account_id", "tag_id", name="uq_tag_follows_account_tag"),
        Index("ix_tag_follows_tag_id_id", "tag_id", "id"),
    )


class AccountPin(Base):
    """An endorsement: an account featured on another's profile."""

    __tablename__ = "account_pins"

    id: Mapped[int] = id_column()
    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE")
    )
    target_account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("account_id", "target_account_id", name="uq_account_pins_pair"),
    )
