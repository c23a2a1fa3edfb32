"""The `direct` stream: each participant hears of their conversation, as they see it, when a
direct status enters it (Mastodon's `conversation` event); nobody else does."""

from __future__ import annotations

import httpx
from websockets.asyncio.client import connect

from tests.helpers import post
from tests.streaming.conftest import MakeUser, Server
from tests.streaming.frames import next_frame, nothing_more, payload_of


async def test_participants_hear_of_their_conversation(
    server: Server, http: httpx.AsyncClient, user: MakeUser
) -> None:
    alice, bob, carol = await user("alice"), await user("bob"), await user("carol")
    base = f"{server.ws}?stream=direct&access_token="
    async with (
        connect(base + alice.token) as alices,
        connect(base + bob.token) as bobs,
        connect(base + carol.token) as carols,
    ):
        sent = await post(http, alice, "@bob just us", visibility="direct")
        await post(http, alice, "@carol in public")
        for ws, unread, other in ((alices, False, "bob"), (bobs, True, "alice")):
            frame = await next_frame(ws)
            assert frame["stream"] == ["direct"]
            assert frame["event"] == "conversation"
            conversation = payload_of(frame)
            assert conversation["unread"] is unread
            assert [a["username"] for a in conversation["accounts"]] == [other]
            assert conversation["last_status"]["id"] == sent["id"]
        await nothing_more(carols)

    r = await http.get("/api/v1/conversations", headers=bob.auth)
    assert [c["id"] for c in r.json()] == [conversation["id"]]


async def test_the_direct_stream_needs_a_token_that_reads_statuses(
    server: Server, http: httpx.AsyncClient, user: MakeUser
) -> None:
    r = await http.get("/api/v1/streaming/direct")
    assert r.status_code == 401
