"""Every Redis round trip on the request path is deliberate: count them."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from social.platform.redis.link import Link as _Link
from tests.conftest import MakeApp, single_server
from tests.helpers import follow, home_ids, make_user, post, register_app


class Counter:
    def __init__(self) -> None:
        self.sends = 0


def count_sends(app: Starlette, monkeypatch: pytest.MonkeyPatch) -> Counter:
    """Count writes to Redis (one per command or pipeline): on the app's kind of pooled
    connection, and on the shared connection of a multiplexed client."""
    counter = Counter()
    cls: Any = app.state.ctx.redis.connection_pool.connection_class
    original = cls.send_packed_command
    shared = _Link.send

    async def counting(self: Any, *args: Any, **kwargs: Any) -> None:
        counter.sends += 1
        await original(self, *args, **kwargs)

    def counting_shared(self: Any, *args: Any, **kwargs: Any) -> Any:
        counter.sends += 1
        return shared(self, *args, **kwargs)

    monkeypatch.setattr(cls, "send_packed_command", counting)
    monkeypatch.setattr(_Link, "send", counting_shared)
    return counter


@single_server
@pytest.mark.parametrize(
    ("near", "writes", "control"),
    [(True, 1, 1), (False, 4, 2)],
    ids=["near-cache", "no-near-cache"],
)
@pytest.mark.parametrize("filters", [False, True], ids=["no-filters", "filters"])
async def test_home_timeline_round_trips(
    make_app: MakeApp,
    monkeypatch: pytest.MonkeyPatch,
    near: bool,
    writes: int,
    control: int,
    filters: bool,
) -> None:
    app = await make_app(near_cache_entries=10_000 if near else 0)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://localhost:8000"
    ) as client:
        client_app = await register_app(client)
        alice = await make_user(client, client_app, "alice")
        bob = await make_user(client, client_app, "bob")
        carol = await make_user(client, client_app, "carol")
        await follow(client, bob, alice)
        await follow(client, bob, carol)
        if filters:  # a warn filter matching half the page: bob's filters read, and applied
            r = await client.post(
                "/api/v2/filters",
                headers=bob.auth,
                json={
                    "title": "odd",
                    "context": ["home"],
                    "keywords_attributes": [{"keyword": "1"}],
                },
            )
            assert r.status_code == 200, r.text
        await home_ids(client, bob)
        await app.state.ctx.events.drain()
        posted = [
            (await post(client, alice if i % 2 else carol, f"post {i}"))["id"] for i in range(12)
        ]
        own = (await post(client, bob, "bob's own"))["id"]  # his pins are asked too
        for action, status_id in (("bookmark", posted[3]), ("favourite", posted[4]), ("pin", own)):
            r = await client.post(f"/api/v1/statuses/{status_id}/{action}", headers=bob.auth)
            assert r.status_code == 200, r.text
        await app.state.ctx.events.drain()
        assert len(await home_ids(client, bob)) == 13  # warms the caches
        await app.state.ctx.settle()  # the refills it started (the viewer's sets among them)
        assert len(await home_ids(client, bob)) == 13  # reads what they refilled

        counter = count_sends(app, monkeypatch)
        r = await client.get("/api/v1/timelines/home", headers=bob.auth)
        assert r.status_code == 200
        flags = {s["id"]: (s["bookmarked"], s["favourited"], s.get("pinned")) for s in r.json()}
        assert len(flags) == 13
        assert flags[posted[3]] == (True, False, None)
        assert flags[posted[4]] == (False, True, None)
        assert flags[own] == (False, False, True)
        # In sequence: the token, the feed page, the statuses with their accounts and the
        # viewer's favourites, bookmarks and pins. The rate-limit check rides with the feed
        # page, the handler's first command (social/web/ratelimits.py). With the in-process
        # cache (social/platform/redis/near_cache.py), the token, statuses, accounts and the
        # flags the previous read left there are not asked again: the feed page.
        assert any("filtered" in s for s in r.json()) == filters
        # The viewer's filters (social/filters/screen.py) come from the in-process cache too;
        # without it, they are one more command, sent beside the statuses' (not after them).
        assert counter.sends == writes
        assert "ratelimit-policy" in r.headers

        # Control: one status without a token is the status (the check rides with it), then
        # its account; both come from the in-process cache when it is on: the check alone.
        counter.sends = 0
        one = await client.get(f"/api/v1/statuses/{r.json()[0]['id']}")
        assert one.status_code == 200
        assert counter.sends == control
