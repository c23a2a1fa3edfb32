"""A timed mute ends on the scheduler (`mute.expiry`) as an unmute ends it: the row goes, the
relationship and the mutes list say so, and what it kept out of the home comes back; a mute
made lasting or longer meanwhile is not ended early."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import func, select, update
from starlette.applications import Starlette

from social.platform.context import AppContext
from social.platform.db.models import Mute
from social.relations.blocks import MUTE_EXPIRY, timed_mutes
from tests.helpers import User, follow, home_ids, make_user, post, register_app
from tests.relations.helpers import act, home_three_ways, relationship


async def time_up(ctx: AppContext, muter: User, muted: User) -> None:
    """As if the mute's time had come: its end moved to the past, and its job with it."""
    at = datetime.now(UTC) - timedelta(seconds=1)
    async with ctx.db() as db:
        await db.execute(
            update(Mute)
            .where(Mute.account_id == int(muter.id), Mute.target_account_id == int(muted.id))
            .values(expires_at=at)
        )
        await db.commit()
    await ctx.scheduler.schedule(MUTE_EXPIRY, f"{muter.id}:{muted.id}", at.timestamp())


async def mutes(ctx: AppContext) -> int:
    async with ctx.db() as db:
        return int((await db.execute(select(func.count(Mute.id)))).scalar_one())


async def test_a_timed_mute_is_ended_by_its_job(app: Starlette, client: httpx.AsyncClient) -> None:
    ctx: AppContext = app.state.ctx
    client_app = await register_app(client)
    alice, bob = [await make_user(client, client_app, n) for n in ("alice", "bob")]
    await follow(client, alice, bob)
    assert await home_ids(client, alice) == []
    await ctx.settle()
    before = datetime.now(UTC).timestamp()
    assert (await act(client, alice, bob, "mute", duration="3600"))["muting"]
    due = await ctx.scheduler.due_at(MUTE_EXPIRY, f"{alice.id}:{bob.id}")
    assert due == pytest.approx(before + 3600, abs=5)
    assert [k for k, _ in await timed_mutes(ctx)] == [f"{alice.id}:{bob.id}"]
    hidden = await post(client, bob, "while muted")
    await ctx.events.drain()
    assert await home_ids(client, alice) == []

    await time_up(ctx, alice, bob)
    assert await ctx.scheduler.run_once(ctx) == 1
    await ctx.events.drain()
    await ctx.settle()

    assert await mutes(ctx) == 0
    assert not (await relationship(client, alice, bob))["muting"]
    assert (await client.get("/api/v1/mutes", headers=alice.auth)).json() == []
    assert await home_three_ways(app, client, alice) == [hidden["id"]]
    assert (await ctx.scheduler.stats())["kinds"][MUTE_EXPIRY]["pending"] == 0


async def test_a_mute_made_lasting_or_longer_is_not_ended_early(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    ctx: AppContext = app.state.ctx
    client_app = await register_app(client)
    alice, bob, carol = [await make_user(client, client_app, n) for n in ("alice", "bob", "carol")]
    await act(client, alice, bob, "mute", duration="60")
    await act(client, alice, carol, "mute", duration="60")
    key = f"{alice.id}:{carol.id}"
    queued_s = await ctx.scheduler.due_at(MUTE_EXPIRY, key)
    await act(client, alice, bob, "mute")  # now until unmuted
    await act(client, alice, carol, "mute", duration="7200")
    for user in (bob, carol):  # the jobs of the first mutes come due
        await ctx.scheduler.schedule(MUTE_EXPIRY, f"{alice.id}:{user.id}", 0)

    assert await ctx.scheduler.run_once(ctx) == 2

    assert await mutes(ctx) == 2
    assert (await relationship(client, alice, bob))["muting"]
    assert (await relationship(client, alice, carol))["muting"]
    assert await ctx.scheduler.due_at(MUTE_EXPIRY, f"{alice.id}:{bob.id}") is None
    later = await ctx.scheduler.due_at(MUTE_EXPIRY, key)
    assert queued_s is not None
    assert later == pytest.approx(queued_s + 7140, abs=5)
