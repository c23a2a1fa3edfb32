"""The Poll entity. A status's cached form keeps its poll's state (what every viewer shares:
options, tallies, when it ends); each read renders the entity from it for the viewer and the
moment, so `expired`, the totals a `hide_totals` poll keeps back and the viewer's own votes
are never stale in the cache."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import orjson
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from social.platform.db.models import Poll, PollVote

State = dict[str, Any]


def state_of(poll: Poll, tallies: dict[int, int], expires_at: str) -> State:
    """What the status cache keeps of a poll (never sent as it is: the tallies of a poll
    hiding its totals are in it); `expires_at` as the status's times are written."""
    options: list[str] = orjson.loads(poll.options)
    return {
        "id": poll.id,
        "account_id": poll.account_id,
        "expires_at": expires_at,
        "expires_s": poll.expires_at.timestamp(),
        "multiple": poll.multiple,
        "hide_totals": poll.hide_totals,
        "votes_count": poll.votes_count,
        "voters_count": poll.voters_count,
        "options": options,
        "tallies": [tallies.get(n, 0) for n in range(len(options))],
    }


async def tallies_of(db: AsyncSession, poll_ids: Iterable[int]) -> dict[int, dict[int, int]]:
    """Votes per option of each poll: one query."""
    found: dict[int, dict[int, int]] = defaultdict(dict)
    ids = list(poll_ids)
    if not ids:
        return found
    query = (
        select(PollVote.poll_id, PollVote.choice, func.count())
        .where(PollVote.poll_id.in_(ids))
        .group_by(PollVote.poll_id, PollVote.choice)
    )
    for poll_id, choice, count in await db.execute(query):
        found[poll_id][choice] = count
    return found


async def own_votes(
    db: AsyncSession, viewer_id: int, poll_ids: Iterable[int]
) -> dict[int, list[int]]:
    """The viewer's choices in each of these polls (those they voted in): one query."""
    found: dict[int, list[int]] = defaultdict(list)
    query = (
        select(PollVote.poll_id, PollVote.choice)
        .where(PollVote.account_id == viewer_id, PollVote.poll_id.in_(list(poll_ids)))
        .order_by(PollVote.poll_id, PollVote.choice)
    )
    for poll_id, choice in await db.execute(query):
        found[poll_id].append(choice)
    return found


def entity(state: State, viewer_id: int | None, own: list[int], now_s: float) -> dict[str, Any]:
    """Mastodon's Poll as `viewer_id` sees it at `now_s`: per option `votes_count` is null
    while a `hide_totals` poll runs (for its author too, as Mastodon's `show_totals_now?`);
    `voted` and `own_votes` only for the signed-in, the author counting as having voted."""
    expired = now_s >= state["expires_s"]
    shown = expired or not state["hide_totals"]
    out: dict[str, Any] = {
        "id": str(state["id"]),
        "expires_at": state["expires_at"],
        "expired": expired,
        "multiple": state["multiple"],
        "votes_count": state["votes_count"],
        "voters_count": state["voters_count"],
    }
    if viewer_id is not None:
        out["voted"] = viewer_id == state["account_id"] or bool(own)
        out["own_votes"] = own
    out["options"] = [
        {"title": title, "votes_count": count if shown else None}
        for title, count in zip(state["options"], state["tallies"], strict=True)
    ]
    out["emojis"] = []
    return out
