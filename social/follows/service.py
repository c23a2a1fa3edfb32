"""Following: the edge, both counters and the outbox event in one transaction; relationships."""

from __future__ import annotations

from sqlalchemy import select, update

from social.accounts.render import account_bytes
from social.follows import entities
from social.platform.context import AppContext
from social.platform.db.models import Account, Follow
from social.platform.db.toggle import toggle
from social.platform.errors import Forbidden, NotFound
from social.platform.events.topics import FollowCreated, FollowDeleted, publish


async def set_following(ctx: AppContext, follower_id: int, target_id: int, on: bool) -> None:
    """Follow or unfollow (idempotent: repeating it changes nothing and emits nothing)."""
    if follower_id == target_id:
        raise Forbidden("You cannot follow yourself")
    async with ctx.db() as db:
        target = await db.get(Account, target_id)
        if target is None or target.suspended:
            raise NotFound()
        delta = await toggle(db, on, Follow, account_id=follower_id, target_account_id=target_id)
        if not delta:
            return
        counters = {
            follower_id: {"following_count": Account.following_count + delta},
            target_id: {"followers_count": Account.followers_count + delta},
        }
        # Both rows in id order: concurrent follows (a follows b while b follows c while c
        # follows a) then never wait on each other in a cycle (a deadlock on PostgreSQL).
        for account_id in sorted(counters):
            await db.execute(
                update(Account).where(Account.id == account_id).values(counters[account_id])
            )
        publish(db, (FollowCreated if on else FollowDeleted)(follower_id, target_id))
        await db.commit()
        rows = (
            await db.execute(select(Account).where(Account.id.in_([follower_id, target_id])))
        ).scalars()
        base = ctx.settings.base_url
        fresh = {a.id: account_bytes(a, base) for a in rows}
    ctx.events.wake()
    await ctx.accounts.put(fresh)


async def relationships(
    ctx: AppContext, viewer_id: int, target_ids: list[int]
) -> list[entities.Relationship]:
    async with ctx.db() as db:
        following = set(
            (
                await db.execute(
                    select(Follow.target_account_id).where(
                        Follow.account_id == viewer_id, Follow.target_account_id.in_(target_ids)
                    )
                )
            ).scalars()
        )
        followed_by = set(
            (
                await db.execute(
                    select(Follow.account_id).where(
                        Follow.target_account_id == viewer_id, Follow.account_id.in_(target_ids)
                    )
                )
            ).scalars()
        )
        existing = set(
            (await db.execute(select(Account.id).where(Account.id.in_(target_ids)))).scalars()
        )
    return [
        entities.Relationship(
            id=str(t),
            following=t in following,
            showing_reblogs=t in following,
            notifying=False,
            followed_by=t in followed_by,
        )
        for t in dict.fromkeys(target_ids)
        if t in existing
    ]
