"""Which statuses a viewer sees in a thread they muted (the `muted` flag), read beside the
other flags: the rows are the truth; Redis holds a set per account (`keys.muted_threads`): the
muted thread ids, `0` once complete and `any` once it holds one, so a timeline learns in the
same round trip as its other flags that nothing is muted, and asks the database only for an
account that muted something. A mute or unmute deletes the set and the token of a fill under
way (after its commit); the next read fills it again (`marks_fill.lua`, as the marks)."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable

from redis.exceptions import RedisError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from social.platform.context import AppContext
from social.platform.db.models import ConversationMute, Status
from social.statuses.marks import COMPLETE, FILL_TOKEN_TTL_S, MARKS_TTL_S, fill_script

log = logging.getLogger(__name__)

ANY = "any"  # member of a complete set holding at least one thread
FILL_KIND = "threads"  # in the fill token's key
ASKED: list[str | int] = [COMPLETE, ANY]  # what a read asks of the set (SMISMEMBER)


def nothing_muted(flags: list[bool] | None) -> bool:
    """From SMISMEMBER over `ASKED`: whether the set is known complete and empty."""
    return flags is not None and flags[0] and not flags[1]


async def muted_among(db: AsyncSession, account_id: int, status_ids: Iterable[int]) -> set[int]:
    """Of `status_ids`, those whose thread the account muted (one query)."""
    ids = list(status_ids)
    if not ids:
        return set()
    muted = select(ConversationMute.conversation_id).where(
        ConversationMute.account_id == account_id
    )
    query = select(Status.id).where(Status.id.in_(ids), Status.conversation_id.in_(muted))
    return set((await db.execute(query)).scalars())


async def muters_of(db: AsyncSession, thread_id: int, account_ids: Iterable[int]) -> set[int]:
    """Of `account_ids`, those who muted the thread."""
    ids = set(account_ids)
    if not ids:
        return set()
    query = select(ConversationMute.account_id).where(
        ConversationMute.conversation_id == thread_id, ConversationMute.account_id.in_(ids)
    )
    return set((await db.execute(query)).scalars())


async def fill(ctx: AppContext, account_id: int) -> None:
    """The account's set from the database; best effort (after the response)."""
    token = secrets.token_hex(8)
    set_key = ctx.keys.muted_threads(account_id)
    token_key = ctx.keys.marks_fill(FILL_KIND, account_id)
    try:
        await ctx.redis.set(token_key, token, ex=FILL_TOKEN_TTL_S)
        query = select(ConversationMute.conversation_id).where(
            ConversationMute.account_id == account_id
        )
        async with ctx.db() as db:
            threads = list((await db.execute(query)).scalars())
        members = [COMPLETE, ANY, *threads] if threads else [COMPLETE]
        await fill_script.call(ctx.redis, [set_key, token_key], [token, MARKS_TTL_S, *members])
    except Exception as exc:
        log.warning("filling the muted threads of %d failed: %r", account_id, exc)


async def forget(ctx: AppContext, account_id: int) -> None:
    try:
        await ctx.redis.delete(
            ctx.keys.muted_threads(account_id), ctx.keys.marks_fill(FILL_KIND, account_id)
        )
    except RedisError as exc:
        ctx.metrics.redis_errors.labels("threads.change").inc()
        log.warning("forgetting the muted threads of %d failed: %r", account_id, exc)


async def muted_pairs(db: AsyncSession, pairs: Iterable[tuple[int, int]]) -> set[tuple[int, int]]:
    """Of (account, status) pairs, those where the account muted the status's thread (one
    query): Mastodon's `conversation_muted?`, which drops the notification."""
    wanted = set(pairs)
    if not wanted:
        return set()
    query = (
        select(ConversationMute.account_id, Status.id)
        .join(Status, Status.conversation_id == ConversationMute.conversation_id)
        .where(
            ConversationMute.account_id.in_({a for a, _ in wanted}),
            Status.id.in_({s for _, s in wanted}),
        )
    )
    return {(a, s) for a, s in await db.execute(query)} & wanted
