"""what clients ask for at start: posting preferences, markers, rules, site texts,
announcements, notification groups

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _account(name: str = "account_id", *, key: bool = False) -> sa.Column[int]:
    return sa.Column(
        name,
        sa.BigInteger(),
        sa.ForeignKey("accounts.id", ondelete="CASCADE"),
        nullable=False,
        primary_key=key,
    )


def _announcement() -> sa.Column[int]:
    return sa.Column(
        "announcement_id",
        sa.BigInteger(),
        sa.ForeignKey("announcements.id", ondelete="CASCADE"),
        nullable=False,
        primary_key=True,
    )


def upgrade() -> None:
    # Plain ADD COLUMNs, never a batch: SQLite's batch mode copies the table, and its copy
    # loses the lower(...) indexes it cannot reflect (the unique e-mail index among them).
    op.add_column(
        "users",
        sa.Column("default_privacy", sa.String(length=16), nullable=False, server_default="public"),
    )
    op.add_column(
        "users",
        sa.Column("default_sensitive", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column("users", sa.Column("default_language", sa.String(length=16), nullable=True))
    op.add_column("notifications", sa.Column("group_key", sa.String(length=64), nullable=True))
    op.create_index(
        "ix_notifications_account_id_group_key_id",
        "notifications",
        ["account_id", "group_key", "id"],
    )
    op.create_table(
        "markers",
        _account(key=True),
        sa.Column("timeline", sa.String(length=16), nullable=False, primary_key=True),
        sa.Column("last_read_id", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "instance_rules",
        sa.Column("id", sa.BigInteger(), autoincrement=False, primary_key=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("hint", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "instance_texts",
        sa.Column("name", sa.String(length=64), primary_key=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "announcements",
        sa.Column("id", sa.BigInteger(), autoincrement=False, primary_key=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("all_day", sa.Boolean(), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table("announcement_reads", _announcement(), _account(key=True))
    op.create_table(
        "announcement_reactions",
        _announcement(),
        _account(key=True),
        sa.Column("name", sa.String(length=64), nullable=False, primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("announcement_reactions")
    op.drop_table("announcement_reads")
    op.drop_table("announcements")
    op.drop_table("instance_texts")
    op.drop_table("instance_rules")
    op.drop_table("markers")
    op.drop_index("ix_notifications_account_id_group_key_id", "notifications")
    for table, column in (
        ("notifications", "group_key"),
        ("users", "default_language"),
        ("users", "default_sensitive"),
        ("users", "default_privacy"),
    ):
        op.drop_column(table, column)  # SQLite 3.35+ drops a column in place
