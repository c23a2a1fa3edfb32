"""Mastodon's Notification entity, rendered from its rows."""

from __future__ import annotations

from typing import Any

import orjson

from social.accounts.render import accounts_json
from social.platform.context import AppContext
from social.platform.db.models import Notification
from social.statuses.render import iso, render_statuses


async def render_notifications(
    ctx: AppContext, rows: list[Notification], viewer: int
) -> list[dict[str, Any]]:
    accounts = await accounts_json(ctx, list({n.from_account_id for n in rows}))
    status_ids = [n.status_id for n in rows if n.status_id]
    statuses = {
        int(s["id"]): s for s in await render_statuses(ctx, list(dict.fromkeys(status_ids)), viewer)
    }
    out = []
    for n in rows:
        if n.from_account_id not in accounts:
            continue
        status = statuses.get(n.status_id) if n.status_id else None
        if n.status_id and status is None:
            continue  # the status is gone or no longer visible
        out.append(
            {
                "id": str(n.id),
                "type": n.type,
                "group_key": f"ungrouped-{n.id}",
                "created_at": iso(n.created_at),
                "account": orjson.loads(accounts[n.from_account_id]),
                "status": status,
            }
        )
    return out
