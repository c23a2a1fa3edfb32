"""A large author (more followers than `fanout_push_max`) is merged into homes as they are
read, not pushed into each feed: their statuses still reach every follower's `user` socket."""

from __future__ import annotations

import asyncio
import contextlib

import httpx
import pytest
from sqlalchemy import event
from websockets.asyncio.client import connect

from social.platform.keys import Keys
from social.platform.live.history import watchers
from social.platform.redis.client import AnyRedis
from tests.helpers import follow, home_ids, post
from tests.streaming.conftest import MakeUser, Server
from tests.streaming.frames import next_frame, nothing_more, status_of


@pytest.mark.parametrize("server", [{"fanout_push_max": 1}], indirect=True)
async def test_a_large_authors_status_reaches_every_followers_user_stream(
    server: Server, http: httpx.AsyncClient, user: MakeUser
) -> None:
    big, alice, bob = await user("big"), await user("alice"), await user("bob")
    for fan in (alice, bob):
        await follow(http, fan, big)
        assert await home_ids(http, fan) == []  # built
    base = f"{server.ws}?stream=user&access_token="
    async with connect(base + alice.token) as one, connect(base + bob.token) as other:
        sent = await post(http, big, "to my many followers")
        for ws in (one, other):
            assert status_of(await next_frame(ws))["id"] == sent["id"]
    # the `timelines` group runs apart from the `streaming` one (it makes the author's recent
    # set, then names the author in each follower's large authors): the home shows the status
    # once it has, asked over HTTP as a client would (the server's Redis client is its loop's)
    seen: list[str] = []
    for _ in range(250):
        seen = await home_ids(http, alice)
        if seen:
            break
        await asyncio.sleep(0.02)
    assert seen == [sent["id"]]  # merged as the home is read


@pytest.mark.parametrize("server", [{"fanout_push_max": 1}], indirect=True)
async def test_a_large_authors_status_goes_to_its_followers_among_the_watchers(
    server: Server, http: httpx.AsyncClient, user: MakeUser, redis: AnyRedis
) -> None:
    """The `streaming` group sends a large author's status to the `user` channels of its
    followers among the accounts watching theirs (`stream_watchers`), not of every follower:
    a follower who listens hears it, one who mutes the author does not, nor a listener who
    does not follow; a follower away has no history of it."""
    big, alice, erin, dave, carol = [
        await user(n) for n in ("big", "alice", "erin", "dave", "carol")
    ]
    for fan in (alice, erin, carol):
        await follow(http, fan, big)
    r = await http.post(f"/api/v1/accounts/{big.id}/mute", headers=erin.auth)
    assert r.status_code == 200, r.text
    keys = Keys()
    base = f"{server.ws}?stream=user&access_token="
    async with contextlib.AsyncExitStack() as sockets:
        alice_ws, erin_ws, dave_ws = [
            await sockets.enter_async_context(connect(base + u.token)) for u in (alice, erin, dave)
        ]
        listening = sorted(int(u.id) for u in (alice, erin, dave))
        for _ in range(250):  # each socket's server side subscribes once it is open
            if sorted(await watchers(redis, keys)) == listening:
                break
            await asyncio.sleep(0.02)
        assert sorted(await watchers(redis, keys)) == listening
        # its first status as a large author makes its recent set and names it in its
        # followers' large authors (walking them once, in `timelines`; the home shows it
        # once that is done), and `streaming` sends it (alice hears it)
        first = await post(http, big, "the first")
        assert status_of(await next_frame(alice_ws))["id"] == first["id"]
        for _ in range(250):
            if await home_ids(http, alice) == [first["id"]]:
                break
            await asyncio.sleep(0.02)
        statements: list[str] = []
        engine = server.app.state.ctx.engine.sync_engine
        capture = lambda *a: statements.append(a[2])  # noqa: E731 (conn, cursor, statement, ...)
        event.listen(engine, "before_cursor_execute", capture)
        try:
            sent = await post(http, big, "to those listening")
            assert status_of(await next_frame(alice_ws))["id"] == sent["id"]
            await nothing_more(erin_ws)
            await nothing_more(dave_ws)
        finally:
            event.remove(engine, "before_cursor_execute", capture)
    # the followers were never walked (keyset paging on follows.id): the watchers were asked
    walks = [s for s in statements if "ORDER BY follows.id" in s and "notify" not in s]
    assert walks == []  # (those to notify of its posts are asked apart, and are none here)
    assert [s for s in statements if "follows.account_id IN" in s]
    # and `streaming` knew the author large from its first status: only `timelines` asked
    assert len([s for s in statements if "SELECT accounts.followers_count" in s]) == 1
    carol_history = keys.stream_channel(f"user:{carol.id}")
    assert await redis.xlen(carol_history) == 0  # away: nothing kept for carol
    assert await redis.exists(keys.stream_watched(carol_history)) == 0
