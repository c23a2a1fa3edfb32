"""Full-text search of statuses in the database, each dialect its own way (migration 0009):
SQLite an FTS5 table (`statuses_fts`, rowid = status id) kept by triggers, PostgreSQL a
generated column `search_vector` (`to_tsvector('simple', spoiler_text || ' ' || text)`) with
a GIN index over statuses that are no boost.

A query is words, all of which a status must hold (in any order); on SQLite accents and case
are ignored (`remove_diacritics`), on PostgreSQL case only ('simple' knows no language, so a
status in any language is found by its words as written)."""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, Integer, Select, func, literal_column, select, text

from social.platform.db.models import Status

# What the schema comparison of the tests leaves aside: not in the models, the migration's
SCHEMA_OBJECTS = frozenset(
    [
        "ix_statuses_fulltext",
        "search_vector",
        "statuses_fts",
        *(f"statuses_fts_{shadow}" for shadow in ("data", "idx", "content", "docsize", "config")),
    ]
)
WORDS_MAX = 16
WORD = re.compile(r"\w+")


def words(query: str) -> list[str]:
    """The words a status must hold (punctuation and query syntax are no words)."""
    return WORD.findall(query)[:WORDS_MAX]


def matching(dialect: str, query: str) -> ColumnElement[bool] | None:
    """The condition on `Status` rows holding every word of `query` (None: no word in it)."""
    found = words(query)
    if not found:
        return None
    if dialect == "postgresql":
        document: ColumnElement[str] = literal_column("statuses.search_vector")  # 0009 only
        terms = func.plainto_tsquery(literal_column("'simple'"), " ".join(found))
        return Status.reblog_of_id.is_(None) & document.op("@@")(terms)
    phrase = " ".join('"' + word.replace('"', '""') + '"' for word in found)
    hits: Select[int] = (
        select(literal_column("rowid", Integer))
        .select_from(text("statuses_fts"))
        .where(text("statuses_fts MATCH :phrase").bindparams(phrase=phrase))
    )
    return Status.id.in_(hits)
