"""full-text search of statuses: an FTS5 table kept by triggers on SQLite, a generated
tsvector column with a GIN index on PostgreSQL; existing statuses indexed

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# What is searched: the content warning and the text of a status, never of a boost (its own
# text is empty). The same expressions are in social/search/fulltext.py, which the queries
# must match for the index to be used.
# PostgreSQL: a stored column, not an index of the expression alone, so that rechecking a
# page of hits reads the vector instead of computing it again (and the planner, costing
# that, does not reach for JIT compilation: seconds a query). Adding it rewrites the table.
POSTGRESQL = [
    "ALTER TABLE statuses ADD COLUMN search_vector tsvector"
    " GENERATED ALWAYS AS (to_tsvector('simple', spoiler_text || ' ' || text)) STORED",
    "CREATE INDEX ix_statuses_fulltext ON statuses USING gin (search_vector)"
    " WHERE reblog_of_id IS NULL",
]
SQLITE = [
    "CREATE VIRTUAL TABLE statuses_fts"
    " USING fts5(body, tokenize = 'unicode61 remove_diacritics 2')",
    "INSERT INTO statuses_fts (rowid, body)"
    " SELECT id, spoiler_text || ' ' || text FROM statuses WHERE reblog_of_id IS NULL",
    "CREATE TRIGGER statuses_fts_insert AFTER INSERT ON statuses"
    " WHEN new.reblog_of_id IS NULL BEGIN"
    " INSERT INTO statuses_fts (rowid, body) VALUES (new.id, new.spoiler_text || ' ' || new.text);"
    " END",
    "CREATE TRIGGER statuses_fts_delete AFTER DELETE ON statuses BEGIN"
    " DELETE FROM statuses_fts WHERE rowid = old.id;"
    " END",
    "CREATE TRIGGER statuses_fts_update AFTER UPDATE OF text, spoiler_text ON statuses"
    " WHEN new.reblog_of_id IS NULL BEGIN"
    " DELETE FROM statuses_fts WHERE rowid = old.id;"
    " INSERT INTO statuses_fts (rowid, body) VALUES (new.id, new.spoiler_text || ' ' || new.text);"
    " END",
]


def upgrade() -> None:
    statements = POSTGRESQL if op.get_bind().dialect.name == "postgresql" else SQLITE
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_statuses_fulltext")
        op.execute("ALTER TABLE statuses DROP COLUMN IF EXISTS search_vector")
        return
    for trigger in ("statuses_fts_update", "statuses_fts_delete", "statuses_fts_insert"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS statuses_fts")
