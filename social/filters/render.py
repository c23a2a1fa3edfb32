"""Mastodon's Filter, FilterKeyword, FilterStatus and (v1) Filter entities from rows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from social.platform.db.models.filters import CustomFilter, CustomFilterKeyword, CustomFilterStatus
from social.platform.times import iso


def contexts_of(row: CustomFilter) -> list[str]:
    return [c for c in row.context.split(",") if c]


def keyword_json(k: CustomFilterKeyword) -> dict[str, Any]:
    return {"id": str(k.id), "keyword": k.keyword, "whole_word": k.whole_word}


def status_json(s: CustomFilterStatus) -> dict[str, Any]:
    return {"id": str(s.id), "status_id": str(s.status_id)}


def filter_json(
    row: CustomFilter,
    keywords: Sequence[CustomFilterKeyword],
    statuses: Sequence[CustomFilterStatus],
) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "title": row.title,
        "context": contexts_of(row),
        "expires_at": iso(row.expires_at) if row.expires_at else None,
        "filter_action": row.action,
        "keywords": [keyword_json(k) for k in keywords],
        "statuses": [status_json(s) for s in statuses],
    }


def v1_filter_json(keyword: CustomFilterKeyword, row: CustomFilter) -> dict[str, Any]:
    """A v1 filter is one keyword of a filter, with its filter's context and expiry."""
    return {
        "id": str(keyword.id),
        "phrase": keyword.keyword,
        "context": contexts_of(row),
        "whole_word": keyword.whole_word,
        "expires_at": iso(row.expires_at) if row.expires_at else None,
        "irreversible": row.action == "hide",
    }
