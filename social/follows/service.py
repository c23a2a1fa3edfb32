"""Following: the edge, both counters and the outbox event in one transaction; a locked
account's follow requests, accepted or rejected; the options a follow carries."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from social.accounts.render import account_bytes
from social.platform.context import AppContext
from social.platform.db.models import Account, AccountPin, Block, Follow, FollowRequest
from social.platform.db.toggle import toggle
from social.platform.errors import Forbidden, NotFound
from social.platform.events.topics import (
    FollowCreated,
    FollowDeleted,
    FollowRequested,
    FollowRequestEnded,
    publish,
)
from social.platform.ids import next_id

FAMILIAR_MAX = 80  # familiar followers shown per account (Mastodon's docs name no limit)


@dataclass(frozen=True)
class FollowOptions:
    """A follow's options (`reblogs`, `notify`, `languages`); None: as it is (a new follow:
    Mastodon's defaults, boosts shown, no notifications, every language)."""

    reblogs: bool | None = None
    notify: bool | None = None
    languages: tuple[str, ...] | None = None

    def values(self) -> dict[str, object]:
        found: dict[str, object] = {}
        if self.reblogs is not None:
            found["show_reblogs"] = self.reblogs
        if self.notify is not None:
            found["notify"] = self.notify
        if self.languages is not None:
            found["languages"] = ",".join(self.languages) or None
        return found


async def follow(
    ctx: AppContext, follower_id: int, target_id: int, options: FollowOptions = FollowOptions()
) -> None:
    """Follow, or ask to when the account is locked; again with other options: the follow (or
    the request) takes them. Refused between accounts where one blocks the other."""
    if follower_id == target_id:
        raise Forbidden("You cannot follow yourself")
    async with ctx.db() as db:
        target = await db.get(Account, target_id)
        if target is None or target.suspended:
            raise NotFound()
        if await _blocked_either_way(db, follower_id, target_id):
            raise Forbidden()
        pair = {"account_id": follower_id, "target_account_id": target_id}
        values = options.values()
        for model in (Follow, FollowRequest):
            mine = (model.account_id == follower_id, model.target_account_id == target_id)
            if (await db.execute(select(model.id).where(*mine))).first() is None:
                continue
            if values:  # already following, or asked: only the options change
                await db.execute(update(model).where(*mine).values(values))
                await db.commit()
            return
        if target.locked:
            request_id = next_id()
            if not await toggle(db, True, FollowRequest, id=request_id, **pair, **values):
                return  # a concurrent request won
            publish(db, FollowRequested(follower_id, target_id, request_id))
            await db.commit()
            ctx.events.wake()
            return
        if not await _add_follow(db, follower_id, target_id, values):
            return
        await db.commit()
        fresh = await accounts_now(ctx, db, [follower_id, target_id])
    ctx.events.wake()
    await ctx.accounts.put(fresh)


async def unfollow(ctx: AppContext, follower_id: int, target_id: int) -> None:
    """Stop following, or withdraw the request (idempotent)."""
    if follower_id == target_id:
        raise Forbidden("You cannot follow yourself")
    async with ctx.db() as db:
        target = await db.get(Account, target_id)
        if target is None or target.suspended:
            raise NotFound()
        withdrawn = await end_request(db, follower_id, target_id)
        removed = await remove_follow(db, follower_id, target_id)
        if not (withdrawn or removed):
            return
        await db.commit()
        fresh = await accounts_now(ctx, db, [follower_id, target_id]) if removed else {}
    ctx.events.wake()
    await ctx.accounts.put(fresh)


async def remove_from_followers(ctx: AppContext, account_id: int, follower_id: int) -> None:
    """End `follower_id`'s follow of `account_id` (idempotent; Mastodon's
    RemoveFromFollowersService)."""
    async with ctx.db() as db:
        follower = await db.get(Account, follower_id)
        if follower is None or follower.suspended:
            raise NotFound()
        if not await remove_follow(db, follower_id, account_id):
            return
        await db.commit()
        fresh = await accounts_now(ctx, db, [follower_id, account_id])
    ctx.events.wake()
    await ctx.accounts.put(fresh)


async def familiar_followers(
    ctx: AppContext, viewer_id: int, account_ids: list[int]
) -> dict[int, list[int]]:
    """For each of `account_ids` that exists: the accounts the viewer follows that follow it,
    the most recent follow first, at most `FAMILIAR_MAX` (one query)."""
    async with ctx.db() as db:
        known = select(Account.id).where(Account.id.in_(account_ids), Account.suspended.is_(False))
        found: dict[int, list[int]] = {i: [] for i in (await db.execute(known)).scalars()}
        followed = select(Follow.target_account_id).where(Follow.account_id == viewer_id)
        rows = await db.execute(
            select(Follow.target_account_id, Follow.account_id)
            .where(Follow.target_account_id.in_(found), Follow.account_id.in_(followed))
            .order_by(Follow.id.desc())
        )
        for target, follower in rows:
            if len(found[target]) < FAMILIAR_MAX:
                found[target].append(follower)
    return found


async def authorize(ctx: AppContext, target_id: int, requester_id: int) -> None:
    """Accept `requester_id`'s request to follow `target_id`. Only the request's deletion
    makes the follow, so accepting twice (or twice at once) follows once; a request that is
    not there (any more) is NotFound."""
    async with ctx.db() as db:
        request = (
            await db.execute(
                select(FollowRequest).where(
                    FollowRequest.account_id == requester_id,
                    FollowRequest.target_account_id == target_id,
                )
            )
        ).scalar()
        if request is None or not await end_request(db, requester_id, target_id):
            raise NotFound()
        values: dict[str, object] = {
            "show_reblogs": request.show_reblogs,
            "notify": request.notify,
            "languages": request.languages,
        }
        await _add_follow(db, requester_id, target_id, values, authorized=True)
        await db.commit()
        fresh = await accounts_now(ctx, db, [requester_id, target_id])
    ctx.events.wake()
    await ctx.accounts.put(fresh)


async def reject(ctx: AppContext, target_id: int, requester_id: int) -> None:
    async with ctx.db() as db:
        if not await end_request(db, requester_id, target_id):
            raise NotFound()
        await db.commit()
    ctx.events.wake()


async def authorize_all(ctx: AppContext, target_id: int) -> None:
    """Accept every pending request (an account that stops being locked, as Mastodon's)."""
    async with ctx.db() as db:
        requesters = list(
            (
                await db.execute(
                    select(FollowRequest.account_id).where(
                        FollowRequest.target_account_id == target_id
                    )
                )
            ).scalars()
        )
    for requester in requesters:
        try:
            await authorize(ctx, target_id, requester)
        except NotFound:
            continue  # withdrawn meanwhile


async def pending_requests(ctx: AppContext, account_id: int) -> int:
    """How many ask to follow the account (`source.follow_requests_count`)."""
    query = select(func.count()).where(FollowRequest.target_account_id == account_id)
    async with ctx.db() as db:
        return int((await db.execute(query)).scalar_one())


async def remove_follow(db: AsyncSession, follower_id: int, target_id: int) -> bool:
    """Delete the follow, its counters, its endorsement and event with it, in the caller's
    transaction."""
    if not await toggle(db, False, Follow, account_id=follower_id, target_account_id=target_id):
        return False
    await toggle(db, False, AccountPin, account_id=follower_id, target_account_id=target_id)
    await _count(db, follower_id, target_id, -1)
    publish(db, FollowDeleted(follower_id, target_id))
    return True


async def end_request(db: AsyncSession, requester_id: int, target_id: int) -> bool:
    """Delete a pending request (and, by its event, its notification), in the caller's
    transaction."""
    result = await db.execute(
        delete(FollowRequest).where(
            FollowRequest.account_id == requester_id,
            FollowRequest.target_account_id == target_id,
        )
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        return False
    publish(db, FollowRequestEnded(requester_id, target_id))
    return True


async def _add_follow(
    db: AsyncSession,
    follower_id: int,
    target_id: int,
    values: dict[str, object],
    *,
    authorized: bool = False,
) -> bool:
    pair = {"account_id": follower_id, "target_account_id": target_id}
    if not await toggle(db, True, Follow, **pair, **values):
        return False
    await _count(db, follower_id, target_id, +1)
    publish(db, FollowCreated(follower_id, target_id, authorized=authorized))
    return True


COUNTED = "follows.counted"  # the session's `info` key of the accounts `_count` updated


async def _count(db: AsyncSession, follower_id: int, target_id: int, delta: int) -> None:
    counters = {
        follower_id: {"following_count": Account.following_count + delta},
        target_id: {"followers_count": Account.followers_count + delta},
    }
    # Both rows in id order: concurrent follows (a follows b while b follows c while c
    # follows a) then never wait on each other in a cycle (a deadlock on PostgreSQL).
    for account_id in sorted(counters):
        counted = await db.scalar(
            update(Account)
            .where(Account.id == account_id)
            .values(counters[account_id])
            .returning(Account),
            execution_options={"populate_existing": True},
        )
        if counted is not None:  # as the update left it: `accounts_now` needs no query
            db.info.setdefault(COUNTED, {})[account_id] = counted


async def _blocked_either_way(db: AsyncSession, one: int, other: int) -> bool:
    query = select(Block.id).where(
        ((Block.account_id == one) & (Block.target_account_id == other))
        | ((Block.account_id == other) & (Block.target_account_id == one))
    )
    return (await db.execute(query.limit(1))).first() is not None


async def accounts_now(ctx: AppContext, db: AsyncSession, ids: list[int]) -> dict[int, bytes]:
    """The accounts' JSON as `db` reads them now (their counters changed), to cache: those
    the counters' update returned are in the session already, the others are read."""
    counted: dict[int, Account] = db.info.get(COUNTED, {})
    held = {i: counted[i] for i in ids if i in counted}
    missing = [i for i in ids if i not in held]
    if missing:
        query = select(Account).where(Account.id.in_(missing))
        held.update((a.id, a) for a in (await db.execute(query)).scalars())
    base = ctx.settings.base_url
    return {i: account_bytes(a, base) for i, a in held.items()}
