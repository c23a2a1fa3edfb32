"""what people attach to statuses: media, polls and votes, scheduled statuses, earlier
versions of edited statuses and the mentions an edit dropped; accounts' avatar, header and
search opt-in

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.BigInteger(), autoincrement=False, primary_key=True)


def _ref(name: str, table: str, *, ondelete: str = "CASCADE") -> sa.Column[int]:
    return sa.Column(
        name,
        sa.BigInteger(),
        sa.ForeignKey(f"{table}.id", ondelete=ondelete),
        nullable=ondelete != "CASCADE",
    )


def _at(name: str = "created_at", *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _text(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.Text(), nullable=nullable)


def _key(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.String(length=255), nullable=True)


def upgrade() -> None:
    # Plain ADD COLUMNs, never a batch (see 0005).
    op.add_column(
        "accounts",
        sa.Column("indexable", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column("accounts", _key("avatar_key"))
    op.add_column("accounts", _key("header_key"))
    # the favourites page of a heavy user, read by the favourite's id without sorting them all
    op.create_index("ix_favourites_account_id_id", "favourites", ["account_id", "id"])
    op.add_column(
        "mentions", sa.Column("silent", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.create_table(
        "scheduled_statuses",
        _id(),
        _ref("account_id", "accounts"),
        _at("scheduled_at"),
        _text("params"),
        _at(),
    )
    op.create_index(
        "ix_scheduled_statuses_account_id_scheduled_at",
        "scheduled_statuses",
        ["account_id", "scheduled_at"],
    )
    op.create_index("ix_scheduled_statuses_scheduled_at", "scheduled_statuses", ["scheduled_at"])
    op.create_table(
        "media_attachments",
        _id(),
        _ref("account_id", "accounts"),
        _ref("status_id", "statuses", ondelete="SET NULL"),
        _ref("scheduled_status_id", "scheduled_statuses", ondelete="SET NULL"),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        _text("error", nullable=True),
        _key("upload_key"),
        _key("file_key"),
        _key("preview_key"),
        sa.Column("content_type", sa.String(length=100), nullable=True),
        sa.Column("file_size", sa.BigInteger(), nullable=False),
        _text("description"),
        sa.Column("focus_x", sa.Float(), nullable=True),
        sa.Column("focus_y", sa.Float(), nullable=True),
        sa.Column("blurhash", sa.String(length=100), nullable=True),
        _text("meta"),
        _at(),
        _at("processed_at", nullable=True),
    )
    for name, columns in (
        ("ix_media_attachments_status_id", ["status_id"]),
        ("ix_media_attachments_scheduled_status_id", ["scheduled_status_id"]),
        ("ix_media_attachments_account_id_id", ["account_id", "id"]),
        ("ix_media_attachments_created_at", ["created_at"]),
    ):
        op.create_index(name, "media_attachments", columns)
    op.create_table(
        "polls",
        _id(),
        sa.Column(
            "status_id",
            sa.BigInteger(),
            sa.ForeignKey("statuses.id", ondelete="CASCADE"),
            nullable=False,
            unique=True,
        ),
        _ref("account_id", "accounts"),
        _text("options"),
        sa.Column("multiple", sa.Boolean(), nullable=False),
        sa.Column("hide_totals", sa.Boolean(), nullable=False),
        sa.Column("votes_count", sa.Integer(), nullable=False),
        sa.Column("voters_count", sa.Integer(), nullable=False),
        _at("expires_at"),
        _at("expiry_notified_at", nullable=True),
        _at(),
        _at("updated_at"),
    )
    op.create_index("ix_polls_expires_at", "polls", ["expires_at"])
    op.create_table(
        "poll_votes",
        _id(),
        _ref("poll_id", "polls"),
        _ref("account_id", "accounts"),
        sa.Column("choice", sa.Integer(), nullable=False),
        _at(),
        sa.UniqueConstraint("poll_id", "account_id", "choice", name="uq_poll_votes_choice"),
    )
    op.create_index("ix_poll_votes_account_id", "poll_votes", ["account_id"])
    op.create_table(
        "status_edits",
        _id(),
        _ref("status_id", "statuses"),
        _ref("account_id", "accounts"),
        _text("text"),
        _text("content"),
        _text("spoiler_text"),
        sa.Column("sensitive", sa.Boolean(), nullable=False),
        _text("media"),
        _text("poll_options", nullable=True),
        _at(),
    )
    op.create_index("ix_status_edits_status_id_id", "status_edits", ["status_id", "id"])


def downgrade() -> None:
    for table in ("status_edits", "poll_votes", "polls", "media_attachments", "scheduled_statuses"):
        op.drop_table(table)  # its indexes go with it
    op.drop_column("mentions", "silent")
    op.drop_index("ix_favourites_account_id_id", "favourites")
    for column in ("header_key", "avatar_key", "indexable"):
        op.drop_column("accounts", column)  # SQLite 3.35+ drops a column in place
