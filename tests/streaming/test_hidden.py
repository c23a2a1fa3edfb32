"""Sockets already open when someone is blocked or muted: what the viewer hides stops at once
on the public, hashtag and user streams, and comes back when undone."""

from __future__ import annotations

import asyncio

import httpx
from websockets.asyncio.client import connect

from tests.helpers import follow, post
from tests.relations.helpers import act
from tests.streaming.conftest import MakeUser, Server
from tests.streaming.frames import next_frame, nothing_more, status_of


async def test_open_streams_stop_showing_whom_the_viewer_blocks_or_mutes(
    server: Server, http: httpx.AsyncClient, user: MakeUser
) -> None:
    alice, bob, carol = await user("alice"), await user("bob"), await user("carol")
    await follow(http, alice, carol)
    base = f"{server.ws}?access_token={alice.token}&stream="
    async with (
        connect(base + "public") as public,
        connect(base + "hashtag&tag=news") as tagged,
        connect(base + "user") as home,
    ):
        seen = await post(http, bob, "bob on #news")
        assert status_of(await next_frame(public))["id"] == seen["id"]
        assert status_of(await next_frame(tagged))["id"] == seen["id"]

        await act(http, alice, bob, "block")
        await act(http, alice, carol, "mute")
        await asyncio.sleep(0.2)  # the streams hear of it (pub/sub) and reload
        await post(http, bob, "bob again on #news")
        await post(http, carol, "carol on #news")
        await post(http, carol, "carol, for her followers", visibility="private")
        mentions = await post(http, await user("dave"), "dave tells @bob the #news")
        fine = await post(http, await user("erin"), "erin's #news")
        assert status_of(await next_frame(public))["id"] == fine["id"]
        assert status_of(await next_frame(tagged))["id"] == fine["id"]
        await nothing_more(public)
        await nothing_more(tagged)
        await nothing_more(home)
        assert mentions["id"] != fine["id"]

        await act(http, alice, carol, "unmute")
        await asyncio.sleep(0.2)
        back = await post(http, carol, "carol is back on #news")
        for ws in (public, tagged, home):
            assert status_of(await next_frame(ws))["id"] == back["id"]
