"""Conversation JSON for its owner: the other participants (the owner alone when there are
none, as Mastodon), and the last status as the owner sees it. A conversation whose last status
the owner's blocks or mutes hide is left out (until they end), never shown with it."""

from __future__ import annotations

from collections.abc import Sequence

import orjson

from social.accounts.render import accounts_json
from social.conversations.service import participant_ids
from social.platform.context import AppContext
from social.platform.db.models import AccountConversation
from social.relations.hidden import Hidden
from social.statuses.render import render_raw


async def render_conversations(
    ctx: AppContext, entries: Sequence[AccountConversation], viewer_id: int
) -> list[bytes]:
    others = {e.id: participant_ids(e) for e in entries}
    wanted = {viewer_id, *(i for ids in others.values() for i in ids)}
    accounts = await accounts_json(ctx, list(wanted))
    status_ids = [e.last_status_id for e in entries if e.last_status_id is not None]
    statuses: dict[int, bytes] = {}
    async with ctx.db() as db:
        hidden = await Hidden.load(db, viewer_id)
    for raw in await render_raw(ctx, status_ids, viewer_id):
        status = orjson.loads(raw)
        mentioned = [int(m["id"]) for m in status["mentions"]]
        if not hidden.hides([int(status["account"]["id"])], mentioned):
            statuses[int(status["id"])] = raw
    rendered = []
    for entry in entries:
        last = statuses.get(entry.last_status_id or 0)
        if last is None:
            continue  # hidden from the owner, or gone
        shown = [accounts[i] for i in others[entry.id] if i in accounts]
        if not shown and viewer_id in accounts:
            shown = [accounts[viewer_id]]
        rendered.append(
            b'{"id":"%d","unread":%s,"accounts":[%s],"last_status":%s}'
            % (entry.id, b"true" if entry.unread else b"false", b",".join(shown), last)
        )
    return rendered
