"""Mastodon's Notification entity, and its GroupedNotificationsResults, rendered from rows."""

from __future__ import annotations

from typing import Any

import orjson

from social.accounts.render import accounts_json
from social.filters.apply import filtered_dicts
from social.notifications.groups import Group
from social.platform.context import AppContext
from social.platform.db.models import Notification
from social.platform.times import iso
from social.statuses.render import render_statuses

STATUS_TYPES = frozenset({"favourite", "reblog", "status", "mention", "poll", "update"})
PARTIAL_ACCOUNT = ("id", "acct", "locked", "bot", "url", "avatar", "avatar_static")


async def render_notifications(
    ctx: AppContext, rows: list[Notification], viewer: int
) -> list[dict[str, Any]]:
    accounts = await accounts_json(ctx, list({n.from_account_id for n in rows}))
    status_ids = [n.status_id for n in rows if n.status_id]
    rendering = render_statuses(ctx, list(dict.fromkeys(status_ids)), viewer)
    statuses = {
        int(s["id"]): s for s in await filtered_dicts(ctx, viewer, "notifications", rendering)
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
                "group_key": n.group_key or f"ungrouped-{n.id}",
                "created_at": iso(n.created_at),
                "account": orjson.loads(accounts[n.from_account_id]),
                "status": status,
            }
        )
    return out


async def render_groups(
    ctx: AppContext, groups: list[Group], viewer: int, *, partial_avatars: bool = False
) -> dict[str, Any]:
    """GroupedNotificationsResults: the groups, and their senders and statuses beside them,
    each once. A group whose status is gone or hidden from the viewer, or whose senders are
    all gone, is left out. With `partial_avatars`, only each group's newest sender is a full
    Account; the others are PartialAccountWithAvatar."""
    status_ids = list(dict.fromkeys(g.notification.status_id for g in groups))
    rendering = render_statuses(ctx, [i for i in status_ids if i], viewer)
    rendered = await filtered_dicts(ctx, viewer, "notifications", rendering)
    statuses = {int(s["id"]): s for s in rendered}
    groups = [
        g for g in groups if not g.notification.status_id or g.notification.status_id in statuses
    ]
    # The senders: after the statuses, which name only their authors (from the near cache, as
    # a rule, both).
    accounts = await accounts_json(
        ctx, list(dict.fromkeys(a for g in groups for a in g.sample_account_ids))
    )
    entries: list[dict[str, Any]] = []
    shown: dict[int, None] = {}  # the statuses of the groups shown, in their order
    full: dict[int, None] = {}
    partial: dict[int, None] = {}
    for group in groups:
        senders = [a for a in group.sample_account_ids if a in accounts]
        if not senders:
            continue
        entries.append(_group_json(group, senders))
        if group.notification.status_id:
            shown[group.notification.status_id] = None
        if partial_avatars:
            full[senders[0]] = None
            partial.update(dict.fromkeys(senders[1:]))
        else:
            full.update(dict.fromkeys(senders))
    body: dict[str, Any] = {"accounts": [orjson.Fragment(accounts[a]) for a in full]}
    if partial_avatars:
        body["partial_accounts"] = [_partial(accounts[a]) for a in partial if a not in full]
    body["statuses"] = [statuses[s] for s in shown]
    body["notification_groups"] = entries
    return body


def _group_json(group: Group, senders: list[int]) -> dict[str, Any]:
    notification = group.notification
    out: dict[str, Any] = {
        "group_key": group.key,
        "notifications_count": group.count,
        "type": notification.type,
        "most_recent_notification_id": str(group.most_recent_id),
    }
    if group.page_min_id is not None and group.latest_at is not None:
        out["page_min_id"] = str(group.page_min_id)
        out["page_max_id"] = str(group.most_recent_id)
        out["latest_page_notification_at"] = iso(group.latest_at)
    out["sample_account_ids"] = [str(a) for a in senders]
    if notification.type in STATUS_TYPES and notification.status_id:
        out["status_id"] = str(notification.status_id)
    return out


def _partial(account: bytes) -> dict[str, Any]:
    full = orjson.loads(account)
    return {name: full[name] for name in PARTIAL_ACCOUNT}
