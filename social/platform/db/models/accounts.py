"""SQLAlchemy models: accounts, their credentials, OAuth applications."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from social.platform.db.models.base import Base, id_column
from social.platform.db.types import UTCDateTime, utcnow


class Account(Base):
    """A profile: what other people see."""

    __tablename__ = "accounts"

    id: Mapped[int] = id_column()
    username: Mapped[str] = mapped_column(String(30))
    display_name: Mapped[str] = mapped_column(String(30), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    bot: Mapped[bool] = mapped_column(Boolean, default=False)
    discoverable: Mapped[bool] = mapped_column(Boolean, default=True)
    indexable: Mapped[bool] = mapped_column(Boolean, default=False)
    """Whether its public statuses may be found by full-text search (Mastodon's opt-in)."""
    avatar_key: Mapped[str | None] = mapped_column(String(255), default=None)
    """The avatar and header images: storage keys the server chose (None: the default)."""
    header_key: Mapped[str | None] = mapped_column(String(255), default=None)
    silenced: Mapped[bool] = mapped_column(Boolean, default=False)
    suspended: Mapped[bool] = mapped_column(Boolean, default=False)
    statuses_count: Mapped[int] = mapped_column(Integer, default=0)
    followers_count: Mapped[int] = mapped_column(Integer, default=0)
    following_count: Mapped[int] = mapped_column(Integer, default=0)
    last_status_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user: Mapped[User | None] = relationship(back_populates="account", uselist=False)

    __table_args__ = (Index("ix_accounts_username_lower", func.lower(username), unique=True),)


class User(Base):
    """The credentials and settings behind a local account."""

    __tablename__ = "users"

    id: Mapped[int] = id_column()
    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("accounts.id", ondelete="CASCADE"), unique=True
    )
    email: Mapped[str] = mapped_column(String(320))
    password_hash: Mapped[str] = mapped_column(String(255))
    locale: Mapped[str] = mapped_column(String(16), default="en")
    role: Mapped[str] = mapped_column(String(16), default="user")
    default_privacy: Mapped[str] = mapped_column(String(16), default="public")
    """Posting preferences (`source[privacy]`, `source[sensitive]`, `source[language]`)."""
    default_sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    default_language: Mapped[str | None] = mapped_column(String(16), default=None)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    account: Mapped[Account] = relationship(back_populates="user")

    __table_args__ = (Index("ix_users_email_lower", func.lower(email), unique=True),)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


class Application(Base):
    """An OAuth client registered with `POST /api/v1/apps`. Only a hash of its secret is kept."""

    __tablename__ = "oauth_applications"

    id: Mapped[int] = id_column()
    name: Mapped[str] = mapped_column(String(60))
    website: Mapped[str | None] = mapped_column(String(2000), default=None)
    redirect_uris: Mapped[str] = mapped_column(Text, default="urn:ietf:wg:oauth:2.0:oob")
    scopes: Mapped[str] = mapped_column(String(500), default="read")
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    client_secret_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
