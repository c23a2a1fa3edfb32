"""Each listener's own filters on shared live events: a filter written while a socket is open
applies to its next update."""

from __future__ import annotations

import httpx
import pytest
from websockets.asyncio.client import connect

from tests.helpers import post
from tests.streaming.conftest import MakeUser, Server
from tests.streaming.frames import next_event, nothing_more, payload_of


# With the near cache the filters are known at every event; without it each update waits for
# them (later events behind it, in order).
@pytest.mark.parametrize(
    "server", [{}, {"near_cache_entries": 0}], ids=["near-cache", "no-near-cache"], indirect=True
)
async def test_a_filter_added_while_the_socket_is_open_applies_to_the_next_update(
    server: Server, http: httpx.AsyncClient, user: MakeUser
) -> None:
    alice, bob = await user("alice"), await user("bob")
    url = f"{server.ws}?stream=public&access_token={alice.token}"
    async with (
        connect(url) as watcher,
        connect(f"{server.ws}?stream=public&access_token={bob.token}") as other,
    ):
        await post(http, bob, "cats before")
        assert "filtered" not in payload_of(await next_event(watcher, "update"))
        assert payload_of(await next_event(other, "update"))["content"] == "<p>cats before</p>"

        r = await http.post(
            "/api/v2/filters",
            headers=alice.auth,
            json={
                "title": "Cats",
                "context": ["public"],
                "keywords_attributes": [{"keyword": "cats"}],
            },
        )
        assert r.status_code == 200, r.text
        await post(http, bob, "cats after")
        marked = payload_of(await next_event(watcher, "update"))
        assert marked["filtered"][0]["keyword_matches"] == ["cats"]
        assert "filtered" not in payload_of(await next_event(other, "update"))

        r = await http.put(
            f"/api/v2/filters/{r.json()['id']}", headers=alice.auth, json={"filter_action": "hide"}
        )
        assert r.status_code == 200
        await post(http, bob, "cats hidden")
        await post(http, bob, "dogs shown")
        assert payload_of(await next_event(watcher, "update"))["content"] == "<p>dogs shown</p>"
        await nothing_more(watcher)
