"""statuses, tags, mentions, favourites, follows

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Timestamp = sa.DateTime(timezone=True)


def _account_fk(column: str) -> sa.Column[int]:
    return sa.Column(
        column, sa.BigInteger(), sa.ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False
    )


def upgrade() -> None:
    op.create_table(
        "statuses",
        sa.Column("id", sa.BigInteger(), autoincrement=False, primary_key=True),
        _account_fk("account_id"),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("spoiler_text", sa.Text(), nullable=False),
        sa.Column("sensitive", sa.Boolean(), nullable=False),
        sa.Column("visibility", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column(
            "in_reply_to_id",
            sa.BigInteger(),
            sa.ForeignKey("statuses.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("in_reply_to_account_id", sa.BigInteger(), nullable=True),
        sa.Column("replies_count", sa.Integer(), nullable=False),
        sa.Column("favourites_count", sa.Integer(), nullable=False),
        sa.Column("reblogs_count", sa.Integer(), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("edited_at", Timestamp, nullable=True),
    )
    op.create_index("ix_statuses_account_id_id", "statuses", ["account_id", "id"])
    op.create_index("ix_statuses_in_reply_to_id", "statuses", ["in_reply_to_id"])
    op.create_index("ix_statuses_visibility_id", "statuses", ["visibility", "id"])
    op.create_table(
        "tags",
        sa.Column("id", sa.BigInteger(), autoincrement=False, primary_key=True),
        sa.Column("name", sa.String(length=100), nullable=False, unique=True),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
    )
    op.create_table(
        "statuses_tags",
        sa.Column(
            "status_id",
            sa.BigInteger(),
            sa.ForeignKey("statuses.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "tag_id",
            sa.BigInteger(),
            sa.ForeignKey("tags.id", ondelete="CASCADE"),
            primary_key=True,
        ),
    )
    op.create_index("ix_statuses_tags_tag_id_status_id", "statuses_tags", ["tag_id", "status_id"])
    op.create_table(
        "mentions",
        sa.Column(
            "status_id",
            sa.BigInteger(),
            sa.ForeignKey("statuses.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "account_id",
            sa.BigInteger(),
            sa.ForeignKey("accounts.id", ondelete="CASCADE"),
            primary_key=True,
        ),
    )
    op.create_index("ix_mentions_account_id_status_id", "mentions", ["account_id", "status_id"])
    op.create_table(
        "favourites",
        sa.Column("id", sa.BigInteger(), autoincrement=False, primary_key=True),
        _account_fk("account_id"),
        sa.Column(
            "status_id",
            sa.BigInteger(),
            sa.ForeignKey("statuses.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.UniqueConstraint("account_id", "status_id", name="uq_favourites_account_status"),
    )
    op.create_index("ix_favourites_status_id_id", "favourites", ["status_id", "id"])
    op.create_table(
        "follows",
        sa.Column("id", sa.BigInteger(), autoincrement=False, primary_key=True),
        _account_fk("account_id"),
        _account_fk("target_account_id"),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.UniqueConstraint("account_id", "target_account_id", name="uq_follows_pair"),
    )
    op.create_index("ix_follows_target_account_id_id", "follows", ["target_account_id", "id"])


def downgrade() -> None:
    op.drop_table("follows")
    op.drop_table("favourites")
    op.drop_table("mentions")
    op.drop_table("statuses_tags")
    op.drop_table("tags")
    op.drop_table("statuses")
