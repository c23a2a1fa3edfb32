"""The Mastodon protocol over a real socket: auth, streams, messages, events, visibility."""

from __future__ import annotations

import re

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from tests.helpers import follow, post
from tests.streaming.conftest import MakeUser, Server
from tests.streaming.frames import next_event, next_frame, nothing_more, payload_of, status_of

POSITION = re.compile(r"^\d+-\d+$")


async def test_health(http: httpx.AsyncClient) -> None:
    r = await http.get("/api/v1/streaming/health")
    assert r.status_code == 200
    assert r.text == "OK"
    assert r.headers["content-type"].startswith("text/plain")


@pytest.mark.parametrize(
    ("suffix", "headers"),
    [
        ("?stream=public", {"Authorization": "Bearer not-a-token"}),
        ("?stream=public&access_token=not-a-token", {}),
        ("?stream=user", {}),
    ],
)
async def test_bad_or_missing_token_is_refused_before_the_upgrade(
    server: Server, suffix: str, headers: dict[str, str]
) -> None:
    with pytest.raises(InvalidStatus) as refused:
        async with connect(server.ws + suffix, additional_headers=headers):
            pass
    assert refused.value.response.status_code == 403


@pytest.mark.parametrize("path", ["/api/v1/streaming/public", "/api/v1/timelines/home", "/"])
async def test_websockets_elsewhere_are_refused(server: Server, path: str) -> None:
    with pytest.raises(InvalidStatus) as refused:
        async with connect(server.url.replace("http", "ws", 1) + path):
            pass
    assert refused.value.response.status_code == 403


async def test_token_as_subprotocol_is_accepted_back(server: Server, user: MakeUser) -> None:
    alice = await user("alice")
    async with connect(server.ws + "?stream=user", subprotocols=[alice.token]) as ws:  # type: ignore[list-item]
        assert ws.subprotocol == alice.token


async def test_public_stream_receives_a_new_public_status(
    server: Server, http: httpx.AsyncClient, user: MakeUser
) -> None:
    alice = await user("alice")
    async with connect(server.ws + "?stream=public") as ws:
        posted = await post(http, alice, "hello world")
        frame = await next_frame(ws)
    assert frame["stream"] == ["public"]
    assert POSITION.match(frame["id"])
    status = status_of(frame)
    assert status["id"] == posted["id"]
    assert status["account"]["username"] == "alice"


async def test_a_private_status_reaches_followers_only(
    server: Server, http: httpx.AsyncClient, user: MakeUser
) -> None:
    alice, bob, carol = await user("alice"), await user("bob"), await user("carol")
    await follow(http, bob, alice)
    bob_ws = connect(server.ws + "?stream=user", additional_headers=bob.auth)
    carol_ws = connect(f"{server.ws}?stream=user&access_token={carol.token}")
    async with bob_ws as bob_socket, carol_ws as carol_socket:
        await carol_socket.send('{"type":"subscribe","stream":"public"}')
        await nothing_more(carol_socket)
        private = await post(http, alice, "for followers", visibility="private")
        public = await post(http, alice, "for everyone")
        assert status_of(await next_frame(bob_socket))["id"] == private["id"]
        first = await next_frame(carol_socket)
    assert status_of(first)["id"] == public["id"]
    assert first["stream"] == ["public"]


async def test_hashtag_subscribe_unsubscribe_and_bad_messages(
    server: Server, http: httpx.AsyncClient, user: MakeUser
) -> None:
    alice = await user("alice")
    async with connect(server.ws) as ws:
        await ws.send('{"type":"subscribe","stream":"hashtag","tag":"Cats"}')
        await nothing_more(ws)
        posted = await post(http, alice, "look #cats")
        frame = await next_frame(ws)
        assert frame["stream"] == ["hashtag", "cats"]
        assert status_of(frame)["id"] == posted["id"]

        for bad, status in [
            ("{not json", 400),
            ('{"type":"subscribe","stream":"nope"}', 400),
            ('{"type":"subscribe","stream":"hashtag"}', 400),
            ('{"type":"subscribe","stream":"user"}', 401),
            ('{"type":"dance","stream":"public"}', 400),
            ("[1, 2]", 400),
            ('{"type":"subscribe","stream":"public","since":"yesterday"}', 400),
        ]:
            await ws.send(bad)
            error = await next_frame(ws)
            assert error["status"] == status, bad
            assert isinstance(error["error"], str)
        await ws.send(b"binary")
        assert (await next_frame(ws))["status"] == 400

        await ws.send('{"type":"unsubscribe","stream":"hashtag","tag":"cats"}')
        await ws.send('{"type":"subscribe","stream":"public:local"}')
        await nothing_more(ws)
        again = await post(http, alice, "more #cats")
        frame = await next_frame(ws)
        assert frame["stream"] == ["public:local"]
        assert status_of(frame)["id"] == again["id"]
        await nothing_more(ws)


async def test_delete_event(server: Server, http: httpx.AsyncClient, user: MakeUser) -> None:
    alice = await user("alice")
    async with connect(server.ws + "?stream=public") as ws:
        posted = await post(http, alice, "soon gone")
        assert status_of(await next_frame(ws))["id"] == posted["id"]
        r = await http.delete(f"/api/v1/statuses/{posted['id']}", headers=alice.auth)
        assert r.status_code == 200
        frame = await next_event(ws, "delete")
    assert frame["payload"] == posted["id"]
    assert POSITION.match(frame["id"])


async def test_notification_event_on_user_notification(
    server: Server, http: httpx.AsyncClient, user: MakeUser
) -> None:
    alice, bob = await user("alice"), await user("bob")
    async with connect(server.ws + "?stream=user:notification", additional_headers=bob.auth) as ws:
        await follow(http, alice, bob)
        await post(http, alice, "hi @bob")
        first = await next_event(ws, "notification")
        second = await next_event(ws, "notification")
    assert first["stream"] == ["user:notification"]
    kinds = {n["type"] for n in (payload_of(first), payload_of(second))}
    assert kinds == {"follow", "mention"}
