"""what spreads and gathers statuses: boosts, threads (conversation ids), lists, followed
hashtags, endorsements, direct conversations, muted threads

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BACKFILL_DEPTH_MAX = 10_000


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.BigInteger(), autoincrement=False, primary_key=True)


def _ref(name: str, table: str, *, key: bool = False, ondelete: str = "CASCADE") -> sa.Column[int]:
    return sa.Column(
        name,
        sa.BigInteger(),
        sa.ForeignKey(f"{table}.id", ondelete=ondelete),
        nullable=ondelete != "CASCADE",
        primary_key=key,
    )


def _at(name: str = "created_at") -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    # Plain ADD COLUMNs, never a batch (see 0005). A boost's original is no foreign key:
    # SQLite takes none in an added column that its reflection reads back right, and the
    # boosts of a deleted status are deleted with it in code (each one's deletion an event).
    op.add_column("statuses", sa.Column("reblog_of_id", sa.BigInteger(), nullable=True))
    op.add_column("statuses", sa.Column("conversation_id", sa.BigInteger(), nullable=True))
    op.create_index(
        "ix_statuses_reblog_of_id_account_id",
        "statuses",
        ["reblog_of_id", "account_id"],
        unique=True,
    )
    op.create_index("ix_statuses_conversation_id", "statuses", ["conversation_id"])
    # Threads of the statuses written before: a root is its own; each reply takes its
    # parent's, a level a statement (a reply whose parent is gone starts its own).
    bind = op.get_bind()
    bind.execute(sa.text("UPDATE statuses SET conversation_id = id WHERE in_reply_to_id IS NULL"))
    for _ in range(BACKFILL_DEPTH_MAX):
        changed = bind.execute(
            sa.text(
                "UPDATE statuses SET conversation_id = (SELECT p.conversation_id FROM statuses p "
                "WHERE p.id = statuses.in_reply_to_id) WHERE conversation_id IS NULL AND "
                "EXISTS (SELECT 1 FROM statuses p WHERE p.id = statuses.in_reply_to_id AND "
                "p.conversation_id IS NOT NULL)"
            )
        ).rowcount
        if not changed:
            break
    bind.execute(sa.text("UPDATE statuses SET conversation_id = id WHERE conversation_id IS NULL"))

    op.create_table(
        "lists",
        _id(),
        _ref("account_id", "accounts"),
        sa.Column("title", sa.String(length=256), nullable=False),
        sa.Column("replies_policy", sa.String(length=16), nullable=False),
        sa.Column("exclusive", sa.Boolean(), nullable=False),
        _at(),
        _at("updated_at"),
    )
    op.create_index("ix_lists_account_id", "lists", ["account_id"])
    op.create_table(
        "list_accounts",
        _ref("list_id", "lists", key=True),
        _ref("account_id", "accounts", key=True),
        sa.Column(
            "follow_id",
            sa.BigInteger(),
            sa.ForeignKey("follows.id", ondelete="CASCADE"),
            nullable=True,
        ),
        _at(),
    )
    op.create_index("ix_list_accounts_account_id", "list_accounts", ["account_id"])
    op.create_table(
        "tag_follows",
        _id(),
        _ref("account_id", "accounts"),
        _ref("tag_id", "tags"),
        _at(),
        sa.UniqueConstraint("account_id", "tag_id", name="uq_tag_follows_account_tag"),
    )
    op.create_index("ix_tag_follows_tag_id_id", "tag_follows", ["tag_id", "id"])
    op.create_table(
        "account_pins",
        _id(),
        _ref("account_id", "accounts"),
        _ref("target_account_id", "accounts"),
        _at(),
        sa.UniqueConstraint("account_id", "target_account_id", name="uq_account_pins_pair"),
    )
    op.create_table(
        "account_conversations",
        _id(),
        _ref("account_id", "accounts"),
        sa.Column("conversation_id", sa.BigInteger(), nullable=False),
        sa.Column("participant_ids", sa.String(length=2000), nullable=False),
        _ref("last_status_id", "statuses", ondelete="SET NULL"),
        sa.Column("unread", sa.Boolean(), nullable=False),
        _at("updated_at"),
        sa.UniqueConstraint(
            "account_id",
            "conversation_id",
            "participant_ids",
            name="uq_account_conversations_account_conversation_participants",
        ),
    )
    op.create_index(
        "ix_account_conversations_account_id_last_status_id",
        "account_conversations",
        ["account_id", "last_status_id"],
    )
    op.create_table(
        "conversation_mutes",
        _id(),
        _ref("account_id", "accounts"),
        sa.Column("conversation_id", sa.BigInteger(), nullable=False),
        _at(),
        sa.UniqueConstraint("account_id", "conversation_id", name="uq_conversation_mutes_pair"),
    )


def downgrade() -> None:
    for table in (
        "conversation_mutes",
        "account_conversations",
        "account_pins",
        "tag_follows",
        "list_accounts",
        "lists",
    ):
        op.drop_table(table)
    op.drop_index("ix_statuses_conversation_id", "statuses")
    op.drop_index("ix_statuses_reblog_of_id_account_id", "statuses")
    op.drop_column("statuses", "conversation_id")
    op.drop_column("statuses", "reblog_of_id")
