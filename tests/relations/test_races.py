"""Blocks and mutes racing fan-out: a fan-out that chose its readers before the block (or the
mute) and writes after it adds nothing, and one running at the same moment leaves nothing
behind; a guard ends with the mute's time."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from starlette.applications import Starlette

from social.timelines.service import add_to_feeds
from tests.helpers import follow, home_ids, make_user, post, register_app
from tests.relations.helpers import act, home_three_ways


@pytest.mark.parametrize("action", ["block", "mute"])
async def test_a_fan_out_chosen_before_writes_nothing_after(
    app: Starlette, client: httpx.AsyncClient, action: str
) -> None:
    ctx = app.state.ctx
    client_app = await register_app(client)
    alice, bob = [await make_user(client, client_app, n) for n in ("alice", "bob")]
    await follow(client, alice, bob)
    assert await home_ids(client, alice) == []
    await ctx.settle()  # the feed built
    late = await post(client, bob, "chosen for alice's home before she acts")
    await act(client, alice, bob, action)
    # the fan-out that read the followers before the block writes now
    await add_to_feeds(ctx, [int(alice.id)], [(int(late["id"]), int(bob.id))])
    assert await home_ids(client, alice) == []
    await ctx.events.drain()  # the real fan-out of that status, after the block: the same
    assert await home_three_ways(app, client, alice) == []


async def test_a_block_at_the_same_moment_as_a_fan_out(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    ctx = app.state.ctx
    client_app = await register_app(client)
    alice, bob = [await make_user(client, client_app, n) for n in ("alice", "bob")]
    fans = [await make_user(client, client_app, f"fan{i}") for i in range(30)]
    for reader in (alice, *fans):
        await follow(client, reader, bob)
        assert await home_ids(client, reader) == []
    statuses = [await post(client, bob, f"status {i}") for i in range(5)]
    # the fan-out of bob's statuses runs while alice blocks him
    await asyncio.gather(ctx.events.drain(), act(client, alice, bob, "block"))
    await ctx.events.drain()
    assert await home_three_ways(app, client, alice) == []
    assert await home_ids(client, fans[-1]) == [s["id"] for s in reversed(statuses)]


async def test_the_guard_of_a_timed_mute_ends_with_it(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    ctx = app.state.ctx
    client_app = await register_app(client)
    alice, bob = [await make_user(client, client_app, n) for n in ("alice", "bob")]
    await follow(client, alice, bob)
    assert await home_ids(client, alice) == []
    await ctx.settle()  # the feed built
    before = time.time()
    await act(client, alice, bob, "mute", duration="1")
    until = await ctx.redis.zscore(ctx.keys.home_hidden(int(alice.id)), bob.id)
    assert until is not None
    assert before + 1 - 0.001 <= until <= time.time() + 1  # the mute's end, not "never"
    status = await post(client, bob, "after")
    await asyncio.sleep(max(0.0, until - time.time()) + 0.05)
    await add_to_feeds(ctx, [int(alice.id)], [(int(status["id"]), int(bob.id))])
    assert await home_ids(client, alice) == [status["id"]]


async def test_a_mute_while_a_boost_is_delivered(app: Starlette, client: httpx.AsyncClient) -> None:
    """The boost's fan-out chose alice before she muted the boosted author; its write after
    the mute adds nothing (the guard names the original's author too)."""
    ctx = app.state.ctx
    client_app = await register_app(client)
    alice, bob, carol = [await make_user(client, client_app, n) for n in ("alice", "bob", "carol")]
    await follow(client, alice, carol)
    assert await home_ids(client, alice) == []
    await ctx.settle()  # the feed built
    original = await post(client, bob, "bob's, boosted by carol")
    r = await client.post(f"/api/v1/statuses/{original['id']}/reblog", headers=carol.auth)
    assert r.status_code == 200, r.text
    boost = (int(r.json()["id"]), int(carol.id), int(original["id"]), int(bob.id))
    await act(client, alice, bob, "mute")
    await add_to_feeds(ctx, [int(alice.id)], [boost])
    assert await home_ids(client, alice) == []
    await ctx.events.drain()
    assert await home_three_ways(app, client, alice) == []
