"""Lists as Mastodon renders them."""

from __future__ import annotations

from typing import Any

from social.platform.db.models import AccountList


def render_list(row: AccountList) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "title": row.title,
        "replies_policy": row.replies_policy,
        "exclusive": row.exclusive,
    }
