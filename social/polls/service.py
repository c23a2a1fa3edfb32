"""Polls read and voted on: a poll is seen where its status is, and voted on once per voter
(and per option of a multiple-choice poll) however many votes arrive at once."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import orjson
from redis.exceptions import RedisError
from sqlalchemy import insert, select, update

from social.platform.context import AppContext
from social.platform.db.models import Poll, PollVote
from social.platform.errors import Forbidden, Invalid, NotFound
from social.platform.ids import next_id
from social.platform.redis.scripts import Script
from social.polls.rules import ALREADY_VOTED, EXPIRED, INVALID_CHOICE, SELF_VOTE
from social.relations.hidden import blocking_among
from social.statuses.audience import filter_visible
from social.statuses.render import CachedStatus, cached_statuses, load_cached_forms

store_script = Script(Path(__file__).with_name("poll_store.lua"))


async def visible_status_of(ctx: AppContext, poll_id: int, viewer_id: int | None) -> int:
    """The id of the poll's status, if the viewer may see it (the one rule); else NotFound."""
    async with ctx.db() as db:
        status_id = (
            await db.execute(select(Poll.status_id).where(Poll.id == poll_id))
        ).scalar_one_or_none()
        if status_id is None:
            raise NotFound()
        cached = (await cached_statuses(ctx, [status_id])).get(status_id)
        if cached is None or not await filter_visible(db, [(status_id, cached)], viewer_id):
            raise NotFound()
    return status_id


async def vote(
    ctx: AppContext,
    voter_id: int,
    poll_id: int,
    choices: list[int],
    *,
    status_id: int | None = None,
    now: datetime | None = None,
) -> int:
    """Record the voter's choices in a poll they may see (`status_id`: its status, if the
    caller has just checked); returns the poll's status id.

    The poll's row is locked first (an UPDATE, so on SQLite too the write lock comes before
    anything is read): a voter's votes already there are read under it, so two votes of
    one voter arriving together are counted once, and the counters move with the votes."""
    if status_id is None:  # else the caller found it visible just now
        status_id = await visible_status_of(ctx, poll_id, voter_id)
    now = now or datetime.now(UTC)
    async with ctx.db() as db:
        locked = await db.execute(
            update(Poll).where(Poll.id == poll_id).values(updated_at=now).returning(Poll)
        )
        poll = locked.scalar_one_or_none()
        if poll is None:
            raise NotFound()
        if await blocking_among(db, poll.account_id, [voter_id]):
            raise Forbidden()  # Mastodon's PollPolicy#vote?: not in a poll of someone blocked
        had = set(
            (
                await db.execute(
                    select(PollVote.choice).where(
                        PollVote.poll_id == poll_id, PollVote.account_id == voter_id
                    )
                )
            ).scalars()
        )
        _check_votes(poll, voter_id, choices, had, now)
        await db.execute(
            insert(PollVote),
            [
                {
                    "id": next_id(),
                    "poll_id": poll_id,
                    "account_id": voter_id,
                    "choice": c,
                    "created_at": now,
                }
                for c in choices
            ],
        )
        await db.execute(
            update(Poll)
            .where(Poll.id == poll_id)
            .values(
                votes_count=Poll.votes_count + len(choices),
                voters_count=Poll.voters_count + (0 if had else 1),
            )
        )
        await db.commit()
    await _store_fresh(ctx, status_id)
    return status_id


async def _store_fresh(ctx: AppContext, status_id: int) -> None:
    """The status's cached form rendered after the vote's commit, and stored unless a later
    vote's is there already: dropping it instead would let a reader that loaded the row
    before the commit fill the cache with the old tallies for an hour."""
    async with ctx.db() as db:
        loaded = await load_cached_forms(db, [status_id], ctx.settings.base_url)
    form = loaded.get(status_id)
    if form is None:
        return  # deleted since
    state = CachedStatus.decode(form).poll
    votes = state["votes_count"] if state else 0
    key = ctx.statuses.key(status_id)
    try:
        await store_script.call(ctx.redis, [key], [form, ctx.statuses.ttl_s, votes])
    except RedisError:
        ctx.metrics.redis_errors.labels("polls.store").inc()
        await ctx.statuses.invalidate([status_id])


def _check_votes(
    poll: Poll, voter_id: int, choices: list[int], had: set[int], now: datetime
) -> None:
    """Mastodon's VoteValidator on each vote in turn (as its votes are created one by one):
    the first refused refuses them all, with every reason it has."""
    count = len(orjson.loads(poll.options))
    voted = set(had)
    for choice in choices:
        problems = []
        if poll.expires_at <= now:
            problems.append(EXPIRED)
        if not 0 <= choice < count:
            problems.append(INVALID_CHOICE)
        if voter_id == poll.account_id:
            problems.append(SELF_VOTE)
        if (choice in voted) if poll.multiple else bool(voted):
            problems.append(ALREADY_VOTED)
        if problems:
            raise Invalid(
                "Validation failed: " + ", ".join(problems),
                {"base": [{"error": "ERR_INVALID", "description": p} for p in problems]},
            )
        voted.add(choice)
