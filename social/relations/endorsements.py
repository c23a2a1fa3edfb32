"""Endorsements: accounts you feature on your profile (Mastodon's account pins). Only an
account you follow: the follow's end takes the endorsement with it (`follows.remove_follow`),
as Mastodon's `Follow#remove_endorsements`."""

from __future__ import annotations

from sqlalchemy import select

from social.platform.context import AppContext
from social.platform.db.models import Account, AccountPin, Follow
from social.platform.db.toggle import toggle
from social.platform.errors import Invalid, NotFound

NOT_FOLLOWING = "Validation failed: You must be already following the person you want to endorse"


async def endorse(ctx: AppContext, account_id: int, target_id: int, on: bool) -> None:
    """Feature (`on`) or stop featuring `target_id` (idempotent)."""
    async with ctx.db() as db:
        target = await db.get(Account, target_id)
        if target is None or target.suspended:
            raise NotFound()
        pair = {"account_id": account_id, "target_account_id": target_id}
        if on:
            follows = select(Follow.id).where(
                Follow.account_id == account_id, Follow.target_account_id == target_id
            )
            if (await db.execute(follows.limit(1))).first() is None:
                raise Invalid(NOT_FOLLOWING)
        await toggle(db, on, AccountPin, **pair)
        await db.commit()
