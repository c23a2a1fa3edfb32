"""The `list` stream (Mastodon's `stream=list&list=<id>`): its owner hears the statuses that
enter the list's feed, and their deletions, on an open socket; another's list, a list that
does not exist, no list, or a token without the scopes are refused."""

from __future__ import annotations

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from tests.helpers import PASSWORD, follow, make_user, post, register_app
from tests.lists.helpers import add, new_list
from tests.relations.helpers import act
from tests.streaming.conftest import MakeUser, Server
from tests.streaming.frames import next_event, next_frame, nothing_more, status_of


async def test_the_owner_hears_what_enters_the_list(
    server: Server, http: httpx.AsyncClient, user: MakeUser
) -> None:
    alice, bob, carol, dave = [await user(n) for n in ("alice", "bob", "carol", "dave")]
    for other in (bob, carol, dave):
        await follow(http, alice, other)
    friends = await new_list(http, alice, "Friends", replies_policy="none")
    await add(http, alice, friends, bob, carol)
    url = f"{server.ws}?access_token={alice.token}&stream=list&list={friends}"
    async with connect(url) as ws:
        await nothing_more(ws)
        b1 = await post(http, bob, "bob for his followers", visibility="private")
        frame = await next_frame(ws)
        assert frame["stream"] == ["list", friends]
        assert status_of(frame)["id"] == b1["id"]

        await post(http, dave, "dave is no member")
        d1 = await post(http, dave, "dave asks")
        await post(http, bob, "bob answers dave", in_reply_to_id=d1["id"])  # policy: none
        await post(http, bob, f"a word for @{alice.username}", visibility="direct")
        await act(http, alice, carol, "mute")
        await post(http, carol, "carol, muted")
        c1 = await post(http, bob, "bob again")
        assert status_of(await next_frame(ws))["id"] == c1["id"]

        r = await http.delete(f"/api/v1/statuses/{c1['id']}", headers=bob.auth)
        assert r.status_code == 200
        frame = await next_event(ws, "delete")
        assert (frame["stream"], frame["payload"]) == (["list", friends], c1["id"])
        await nothing_more(ws)


async def test_subscribing_to_lists_over_one_socket(
    server: Server, http: httpx.AsyncClient, user: MakeUser
) -> None:
    alice, bob, mallory = [await user(n) for n in ("alice", "bob", "mallory")]
    await follow(http, alice, bob)
    friends = await new_list(http, alice, "Friends")
    await add(http, alice, friends, bob)
    theirs = await new_list(http, mallory, "Mallory's")
    async with connect(f"{server.ws}?access_token={alice.token}") as ws:
        for bad, status in [
            ('{"type":"subscribe","stream":"list"}', 400),
            (f'{{"type":"subscribe","stream":"list","list":"{theirs}"}}', 404),
            ('{"type":"subscribe","stream":"list","list":"999999"}', 404),
            ('{"type":"subscribe","stream":"list","list":"nope"}', 404),
        ]:
            await ws.send(bad)
            error = await next_frame(ws)
            assert error["status"] == status, bad
            assert isinstance(error["error"], str)
        await ws.send(f'{{"type":"subscribe","stream":"list","list":{friends}}}')
        await nothing_more(ws)
        b1 = await post(http, bob, "bob one")
        frame = await next_frame(ws)
        assert (frame["stream"], status_of(frame)["id"]) == (["list", friends], b1["id"])
        await ws.send(f'{{"type":"unsubscribe","stream":"list","list":"{friends}"}}')
        await nothing_more(ws)
        await post(http, bob, "bob two")
        await nothing_more(ws)

    with pytest.raises(InvalidStatus) as refused:  # as `stream=user`: before the upgrade
        async with connect(f"{server.ws}?stream=list&list={friends}"):
            pass
    assert refused.value.response.status_code == 403


async def test_the_list_stream_takes_read_statuses_or_read_lists(
    server: Server, http: httpx.AsyncClient
) -> None:
    client_app = await register_app(http)
    alice = await make_user(http, client_app, "alice")
    friends = await new_list(http, alice, "Friends")
    for scope, status in [("read:lists", None), ("read:statuses", None), ("read:accounts", 403)]:
        r = await http.post(
            "/oauth/token",
            data={
                "grant_type": "password",
                "client_id": client_app.client_id,
                "client_secret": client_app.client_secret,
                "username": alice.username,
                "password": PASSWORD,
                "scope": scope,
            },
        )
        assert r.status_code == 200, r.text
        token = r.json()["access_token"]
        async with connect(f"{server.ws}?access_token={token}") as ws:
            await ws.send(f'{{"type":"subscribe","stream":"list","list":"{friends}"}}')
            if status is None:
                await nothing_more(ws)
            else:
                assert (await next_frame(ws))["status"] == status, scope
