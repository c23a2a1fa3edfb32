"""An edit on open sockets: the new version as `status.update` on every stream the status
reached, and not on the streams of those who hide its author."""

from __future__ import annotations

import asyncio

import httpx
from websockets.asyncio.client import connect

from tests.helpers import follow, post
from tests.relations.helpers import act
from tests.streaming.conftest import MakeUser, Server
from tests.streaming.frames import next_event, next_frame, nothing_more, payload_of, status_of


async def test_an_edit_reaches_open_sockets_as_status_update(
    server: Server, http: httpx.AsyncClient, user: MakeUser
) -> None:
    alice, bob, carol = await user("alice"), await user("bob"), await user("carol")
    await follow(http, bob, alice)
    await act(http, carol, alice, "mute")
    await asyncio.sleep(0.2)
    bobs = f"{server.ws}?access_token={bob.token}&stream="
    carols = f"{server.ws}?access_token={carol.token}&stream="
    async with (
        connect(bobs + "user") as home,
        connect(bobs + "hashtag&tag=news") as tagged,
        connect(carols + "public") as muting,
    ):
        original = await post(http, alice, "the #news")
        assert status_of(await next_frame(home))["id"] == original["id"]
        assert status_of(await next_frame(tagged))["id"] == original["id"]
        r = await http.put(
            f"/api/v1/statuses/{original['id']}",
            headers=alice.auth,
            data={"status": "the #news, corrected"},
        )
        assert r.status_code == 200, r.text
        for ws in (home, tagged):
            frame = await next_event(ws, "status.update")
            shown = payload_of(frame)
            assert shown["id"] == original["id"]
            assert "corrected" in shown["content"]
            assert shown["edited_at"] == r.json()["edited_at"]
        await nothing_more(muting)
