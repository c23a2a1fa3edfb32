"""An open `user` socket hears the public statuses with a tag its owner follows, once, and not
those of whom the owner hides, nor unlisted or private ones."""

from __future__ import annotations

import httpx
from websockets.asyncio.client import connect

from tests.helpers import follow, post
from tests.relations.helpers import act
from tests.streaming.conftest import MakeUser, Server
from tests.streaming.frames import next_frame, nothing_more, status_of


async def test_the_user_stream_hears_a_followed_tag(
    server: Server, http: httpx.AsyncClient, user: MakeUser
) -> None:
    alice, bob, carol, dave = (
        await user("alice"),
        await user("bob"),
        await user("carol"),
        await user("dave"),
    )
    r = await http.post("/api/v1/tags/gardening/follow", headers=alice.auth)
    assert r.status_code == 200, r.text
    await follow(http, alice, carol)
    await act(http, alice, dave, "mute")
    async with connect(f"{server.ws}?access_token={alice.token}&stream=user") as home:
        strangers = await post(http, bob, "bob on #Gardening")
        assert status_of(await next_frame(home))["id"] == strangers["id"]
        await post(http, bob, "bob, unlisted, #gardening", visibility="unlisted")
        await post(http, bob, "bob, private, #gardening", visibility="private")
        await post(http, bob, "bob on #cooking")
        await post(http, dave, "dave on #gardening")
        followed = await post(http, carol, "carol on #gardening")
        assert status_of(await next_frame(home))["id"] == followed["id"]
        await nothing_more(home)  # carol's came once, though alice follows her and the tag
