"""Blocks and mutes: written in one transaction with what they end (follows both ways, follow
requests, the blocked account's notifications to the blocker), then made true at once in the
home feeds, and again by the `timelines` consumer should Redis fail meanwhile."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from redis.exceptions import RedisClusterException, RedisError
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from social.follows.service import accounts_now, end_request, remove_follow
from social.lists.feeds import hide_in_lists
from social.platform.context import AppContext
from social.platform.db.models import Account, Block, Mute, Notification
from social.platform.db.toggle import toggle
from social.platform.errors import Forbidden, NotFound
from social.platform.events.topics import (
    BlockCreated,
    BlockDeleted,
    MuteCreated,
    MuteDeleted,
    publish,
)
from social.relations.hidden import blocking_among, home_guard
from social.relations.live import announce_changed
from social.timelines.service import hide_in_home

log = logging.getLogger(__name__)

MUTE_EXPIRY = "mute.expiry"
"""The scheduler's job that ends a timed mute at its end, as an unmute does (so relationships,
notifications and feeds all see it ended; reads treat it as ended meanwhile: `hidden.py`).
Its key: `<account id>:<target account id>`."""


async def block(ctx: AppContext, account_id: int, target_id: int) -> None:
    async with ctx.db() as db:
        await _target(db, account_id, target_id)
        if not await toggle(db, True, Block, account_id=account_id, target_account_id=target_id):
            return  # blocked already
        ended = False
        for one, other in ((account_id, target_id), (target_id, account_id)):
            ended |= await remove_follow(db, one, other)
            await end_request(db, one, other)
        await db.execute(
            delete(Notification).where(
                Notification.account_id == account_id,
                Notification.from_account_id == target_id,
            )
        )
        publish(db, BlockCreated(account_id, target_id))
        await db.commit()
        fresh = await accounts_now(ctx, db, [account_id, target_id]) if ended else {}
    ctx.events.wake()
    await ctx.accounts.put(fresh)
    await _hide(ctx, [(account_id, target_id, None), (target_id, account_id, None)])


async def unblock(ctx: AppContext, account_id: int, target_id: int) -> None:
    async with ctx.db() as db:
        await _target(db, account_id, target_id, unblocking=True)
        if not await toggle(db, False, Block, account_id=account_id, target_account_id=target_id):
            return
        publish(db, BlockDeleted(account_id, target_id))
        await db.commit()
    ctx.events.wake()
    await settle_guards(ctx, [(account_id, target_id), (target_id, account_id)])


async def mute(
    ctx: AppContext, account_id: int, target_id: int, *, notifications: bool, duration_s: int
) -> None:
    """Mute (again: with the new options), for `duration_s` seconds (0: until unmuted)."""
    expires_at = datetime.now(UTC) + timedelta(seconds=duration_s) if duration_s else None
    values = {"hide_notifications": notifications, "expires_at": expires_at}
    async with ctx.db() as db:
        await _target(db, account_id, target_id)
        pair = {"account_id": account_id, "target_account_id": target_id}
        changed = await db.execute(
            update(Mute)
            .where(Mute.account_id == account_id, Mute.target_account_id == target_id)
            .values(values)
        )
        if not changed.rowcount:  # type: ignore[attr-defined]
            await toggle(db, True, Mute, **pair, **values)
        until = expires_at.timestamp() if expires_at else None
        publish(db, MuteCreated(account_id, target_id, until))
        await db.commit()
    ctx.events.wake()
    await _hide(ctx, [(account_id, target_id, until)])
    if until is not None:
        await _queue_expiry(ctx, account_id, target_id, until)


async def unmute(ctx: AppContext, account_id: int, target_id: int) -> None:
    async with ctx.db() as db:
        await _target(db, account_id, target_id, unblocking=True)
        if not await toggle(db, False, Mute, account_id=account_id, target_account_id=target_id):
            return
        await _unmuted(ctx, db, account_id, target_id)


async def end_expired_mute(ctx: AppContext, account_id: int, target_id: int) -> bool:
    """End the mute as `unmute` does if its time is up (not if it was made longer or
    lasting meanwhile); whether it ended."""
    async with ctx.db() as db:
        ended = await db.execute(
            delete(Mute).where(
                Mute.account_id == account_id,
                Mute.target_account_id == target_id,
                Mute.expires_at <= datetime.now(UTC),
            )
        )
        if not ended.rowcount:  # type: ignore[attr-defined]
            return False
        await _unmuted(ctx, db, account_id, target_id)
    return True


async def expire_mute(ctx: AppContext, key: str) -> None:
    """The `mute.expiry` job."""
    account_id, target_id = (int(part) for part in key.split(":"))
    if await end_expired_mute(ctx, account_id, target_id):
        return
    async with ctx.db() as db:
        until = await db.scalar(
            select(Mute.expires_at).where(
                Mute.account_id == account_id, Mute.target_account_id == target_id
            )
        )
    if until is not None and until > datetime.now(UTC):  # made longer since: its new end
        await ctx.scheduler.schedule(MUTE_EXPIRY, key, until.timestamp())


async def timed_mutes(ctx: AppContext) -> list[tuple[str, float]]:
    """Every mute with an end, as `mute.expiry` jobs."""
    async with ctx.db() as db:
        rows = await db.execute(
            select(Mute.account_id, Mute.target_account_id, Mute.expires_at).where(
                Mute.expires_at.is_not(None)
            )
        )
        return [(f"{a}:{t}", at.timestamp()) for a, t, at in rows.all() if at is not None]


async def _queue_expiry(ctx: AppContext, account_id: int, target_id: int, until_s: float) -> None:
    """After the mute committed, best effort: reads expire it meanwhile, and the next start of
    a process queues it from the row."""
    try:
        await ctx.scheduler.schedule(MUTE_EXPIRY, f"{account_id}:{target_id}", until_s)
    except (RedisError, RedisClusterException) as exc:
        log.warning("relations: mute expiry not queued now (queued at the next start): %r", exc)


async def _unmuted(ctx: AppContext, db: AsyncSession, account_id: int, target_id: int) -> None:
    publish(db, MuteDeleted(account_id, target_id))
    await db.commit()
    ctx.events.wake()
    await settle_guards(ctx, [(account_id, target_id)])


async def blocks_viewer(ctx: AppContext, account_id: int, viewer_id: int) -> bool:
    """Whether `account_id` blocks `viewer_id` (then it shows them nothing of its own)."""
    async with ctx.db() as db:
        return account_id in await blocking_among(db, viewer_id, [account_id])


async def settle_guards(ctx: AppContext, pairs: list[tuple[int, int]]) -> None:
    """After a block or a mute ended: each (owner, author)'s home guard as the database now
    says (another block or mute may still hide them); live streams told."""
    try:
        for owner, author in pairs:
            async with ctx.db() as db:
                until = (await home_guard(db, owner)).get(str(author))
            key = ctx.keys.home_hidden(owner)
            if until is None:
                await ctx.redis.zrem(key, str(author))
            else:
                await ctx.redis.zadd(key, {str(author): until})
        await announce_changed(ctx.redis, ctx.keys, {a for pair in pairs for a in pair})
    except (RedisError, RedisClusterException) as exc:
        log.warning("relations: home guards not settled now (the consumer will): %r", exc)


async def _hide(ctx: AppContext, hides: list[tuple[int, int, float | None]]) -> None:
    """Best effort at once; the `timelines` consumer does it again from the event."""
    try:
        for owner, author, until in hides:
            await hide_in_home(ctx, owner, author, until)
            await hide_in_lists(ctx, owner, author, until)
        await announce_changed(ctx.redis, ctx.keys, {h[0] for h in hides})
    except (RedisError, RedisClusterException) as exc:
        log.warning("relations: home feeds not cleared now (the consumer will): %r", exc)


async def _target(
    db: AsyncSession, account_id: int, target_id: int, *, unblocking: bool = False
) -> None:
    if account_id == target_id:
        raise Forbidden()
    target = await db.get(Account, target_id)
    if target is None or (target.suspended and not unblocking):
        raise NotFound()
