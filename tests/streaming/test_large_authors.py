"""A large author (more followers than `fanout_push_max`) is merged into homes as they are
read, not pushed into each feed: their statuses still reach every follower's `user` socket."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from websockets.asyncio.client import connect

from tests.helpers import follow, home_ids, post
from tests.streaming.conftest import MakeUser, Server
from tests.streaming.frames import next_frame, status_of


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
