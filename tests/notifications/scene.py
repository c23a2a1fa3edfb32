"""What alice is notified of in the grouped notification tests, each notification handled
before the next is caused (so their ids are in this order):

    bob, carol, dave favourite s1        favourite group of s1: 3
    bob, carol follow alice              follow group: 2
    bob favourites s2                    favourite group of s2: 1
    dave mentions alice                  ungrouped

Newest first, the groups are: the mention, s2's favourites, the follows, s1's favourites."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from starlette.applications import Starlette

from tests.helpers import User, follow, make_user, post, register_app


@dataclass
class Scene:
    alice: User
    bob: User
    carol: User
    dave: User
    s1: str
    s2: str
    mention: str  # the mentioning status
    ids: dict[str, str]  # notification ids by what caused them: "fav s1 bob", "follow carol", ...

    def name(self, account_id: str) -> str:
        people = (self.alice, self.bob, self.carol, self.dave)
        return next(p.username for p in people if p.id == account_id)


async def build(app: Starlette, client: httpx.AsyncClient) -> Scene:
    client_app = await register_app(client)
    alice, bob, carol, dave = [
        await make_user(client, client_app, n) for n in ("alice", "bob", "carol", "dave")
    ]
    s1 = (await post(client, alice, "first"))["id"]
    s2 = (await post(client, alice, "second"))["id"]

    async def settled() -> None:
        await app.state.ctx.events.drain()

    for fan in (bob, carol, dave):
        r = await client.post(f"/api/v1/statuses/{s1}/favourite", headers=fan.auth)
        assert r.status_code == 200, r.text
        await settled()
    for fan in (bob, carol):
        await follow(client, fan, alice)
        await settled()
    await client.post(f"/api/v1/statuses/{s2}/favourite", headers=bob.auth)
    await settled()
    mention = (await post(client, dave, "@alice hello"))["id"]
    await settled()

    r = await client.get("/api/v1/notifications", headers=alice.auth)
    by_cause: dict[str, str] = {}
    for n in reversed(r.json()):
        what = {"favourite": f"fav {'s1' if n['status'] and n['status']['id'] == s1 else 's2'}"}
        cause = f"{what.get(n['type'], n['type'])} {n['account']['username']}"
        by_cause[cause] = n["id"]
    assert list(by_cause) == [
        "fav s1 bob",
        "fav s1 carol",
        "fav s1 dave",
        "follow bob",
        "follow carol",
        "fav s2 bob",
        "mention dave",
    ]
    return Scene(alice, bob, carol, dave, s1, s2, mention, by_cause)


async def grouped(client: httpx.AsyncClient, user: User, **params: Any) -> dict[str, Any]:
    r = await client.get("/api/v2/notifications", headers=user.auth, params=params)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def summary(scene: Scene, body: dict[str, Any]) -> list[tuple[str, int, list[str]]]:
    """Each group as (type, count, its senders' names)."""
    return [
        (g["type"], g["notifications_count"], [scene.name(a) for a in g["sample_account_ids"]])
        for g in body["notification_groups"]
    ]
