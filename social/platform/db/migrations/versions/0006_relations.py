"""the social graph: blocks, mutes, follow requests and follow options, private notes,
bookmarks, pins, filters

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.BigInteger(), autoincrement=False, primary_key=True)


def _ref(name: str, table: str) -> sa.Column[int]:
    return sa.Column(
        name, sa.BigInteger(), sa.ForeignKey(f"{table}.id", ondelete="CASCADE"), nullable=False
    )


def _at(name: str = "created_at", *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _pair(table: str, *extra: sa.Column[object], unique: str) -> None:
    op.create_table(
        table,
        _id(),
        _ref("account_id", "accounts"),
        _ref("target_account_id", "accounts"),
        *extra,
        sa.UniqueConstraint("account_id", "target_account_id", name=unique),
    )


def _options() -> list[sa.Column[object]]:
    return [
        sa.Column("show_reblogs", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("notify", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("languages", sa.String(length=255), nullable=True),
    ]


def upgrade() -> None:
    # Plain ADD COLUMNs, never a batch (see 0005).
    for column in _options():
        op.add_column("follows", column)
    _pair("blocks", _at(), unique="uq_blocks_pair")
    op.create_index("ix_blocks_target_account_id", "blocks", ["target_account_id"])
    _pair(
        "mutes",
        sa.Column("hide_notifications", sa.Boolean(), nullable=False),
        _at("expires_at", nullable=True),
        _at(),
        unique="uq_mutes_pair",
    )
    op.create_index("ix_mutes_target_account_id", "mutes", ["target_account_id"])
    op.create_index("ix_mutes_expires_at", "mutes", ["expires_at"])
    _pair("follow_requests", *_options(), _at(), unique="uq_follow_requests_pair")
    op.create_index(
        "ix_follow_requests_target_account_id_id",
        "follow_requests",
        ["target_account_id", "id"],
    )
    _pair(
        "account_notes",
        sa.Column("comment", sa.Text(), nullable=False),
        _at(),
        _at("updated_at"),
        unique="uq_account_notes_pair",
    )
    for table, unique in (
        ("bookmarks", "uq_bookmarks_account_status"),
        ("status_pins", "uq_status_pins_account_status"),
    ):
        op.create_table(
            table,
            _id(),
            _ref("account_id", "accounts"),
            _ref("status_id", "statuses"),
            _at(),
            sa.UniqueConstraint("account_id", "status_id", name=unique),
        )
    op.create_index("ix_bookmarks_account_id_id", "bookmarks", ["account_id", "id"])
    op.create_table(
        "custom_filters",
        _id(),
        _ref("account_id", "accounts"),
        sa.Column("title", sa.String(length=256), nullable=False),
        sa.Column("context", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=8), nullable=False),
        _at("expires_at", nullable=True),
        _at(),
        _at("updated_at"),
    )
    op.create_index("ix_custom_filters_account_id", "custom_filters", ["account_id"])
    op.create_table(
        "custom_filter_keywords",
        _id(),
        _ref("custom_filter_id", "custom_filters"),
        sa.Column("keyword", sa.Text(), nullable=False),
        sa.Column("whole_word", sa.Boolean(), nullable=False),
        _at(),
        _at("updated_at"),
    )
    op.create_index(
        "ix_custom_filter_keywords_custom_filter_id",
        "custom_filter_keywords",
        ["custom_filter_id"],
    )
    op.create_table(
        "custom_filter_statuses",
        _id(),
        _ref("custom_filter_id", "custom_filters"),
        _ref("status_id", "statuses"),
        _at(),
        sa.UniqueConstraint("custom_filter_id", "status_id", name="uq_custom_filter_statuses_pair"),
    )


def downgrade() -> None:
    for table in (
        "custom_filter_statuses",
        "custom_filter_keywords",
        "custom_filters",
        "status_pins",
        "bookmarks",
        "account_notes",
        "follow_requests",
        "mutes",
        "blocks",
    ):
        op.drop_table(table)  # its indexes go with it
    for column in ("languages", "notify", "show_reblogs"):
        op.drop_column("follows", column)  # SQLite 3.35+ drops a column in place
