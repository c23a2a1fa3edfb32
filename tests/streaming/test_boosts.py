"""A boost on the streams: to the booster's followers' `user` streams with its original
inside, never on the public ones; its undoing as a `delete`."""

from __future__ import annotations

import httpx
from websockets.asyncio.client import connect

from tests.helpers import follow, post
from tests.streaming.conftest import MakeUser, Server
from tests.streaming.frames import next_event, next_frame, nothing_more, status_of


async def test_a_boost_is_streamed_to_the_boosters_followers(
    server: Server, http: httpx.AsyncClient, user: MakeUser
) -> None:
    alice, bob, carol = await user("alice"), await user("bob"), await user("carol")
    await follow(http, bob, carol)
    base = f"{server.ws}?access_token={bob.token}&stream="
    async with connect(base + "user") as home, connect(base + "public") as public:
        original = await post(http, alice, "worth spreading")
        assert status_of(await next_frame(public))["id"] == original["id"]
        r = await http.post(f"/api/v1/statuses/{original['id']}/reblog", headers=carol.auth)
        assert r.status_code == 200, r.text
        shown = status_of(await next_frame(home))
        assert shown["id"] == r.json()["id"]
        assert shown["account"]["username"] == "carol"
        assert shown["reblog"]["id"] == original["id"]
        assert shown["reblog"]["account"]["username"] == "alice"
        await nothing_more(public)
        await http.post(f"/api/v1/statuses/{original['id']}/unreblog", headers=carol.auth)
        gone = await next_event(home, "delete")
        assert gone["payload"] == r.json()["id"]
