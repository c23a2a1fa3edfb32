"""Unread counts above the notifications marker (v1: notifications, v2: groups); what the
viewer may not see, or who is suspended, neither shows nor counts."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import update
from starlette.applications import Starlette

from social.notifications.service import notify
from social.platform.db.models import Account
from tests.helpers import User, post
from tests.notifications.scene import build, grouped, summary


async def unread(client: httpx.AsyncClient, user: User, version: int, **params: Any) -> int:
    r = await client.get(
        f"/api/v{version}/notifications/unread_count", headers=user.auth, params=params
    )
    assert r.status_code == 200, r.text
    assert list(r.json()) == ["count"]
    count: int = r.json()["count"]
    return count


async def read_up_to(client: httpx.AsyncClient, user: User, notification_id: str) -> None:
    r = await client.post(
        "/api/v1/markers", headers=user.auth, data={"notifications[last_read_id]": notification_id}
    )
    assert r.status_code == 200, r.text


async def test_unread_counts_start_at_the_marker(app: Starlette, client: httpx.AsyncClient) -> None:
    scene = await build(app, client)
    alice = scene.alice
    assert (await unread(client, alice, 1), await unread(client, alice, 2)) == (7, 4)
    await read_up_to(client, alice, scene.ids["follow carol"])
    assert (await unread(client, alice, 1), await unread(client, alice, 2)) == (2, 2)
    await read_up_to(client, alice, scene.ids["fav s1 dave"])
    assert (await unread(client, alice, 1), await unread(client, alice, 2)) == (4, 3)
    assert await unread(client, alice, 1, limit=1) == 1
    assert await unread(client, alice, 2, limit=2) == 2
    assert await unread(client, alice, 1, **{"types[]": "follow"}) == 2
    assert await unread(client, alice, 2, **{"types[]": "follow"}) == 1
    assert await unread(client, alice, 2, **{"grouped_types[]": "favourite"}) == 4
    assert await unread(client, alice, 1, account_id=scene.bob.id) == 2
    assert await unread(client, alice, 2, **{"exclude_types[]": ["follow", "mention"]}) == 1
    assert await unread(client, scene.bob, 1) == 0
    await read_up_to(client, alice, scene.ids["mention dave"])
    assert (await unread(client, alice, 1), await unread(client, alice, 2)) == (0, 0)
    r = await client.get(
        "/api/v1/notifications/unread_count", headers=alice.auth, params={"limit": 0}
    )
    assert r.status_code == 422
    assert (await client.get("/api/v2/notifications/unread_count")).status_code == 401


async def test_what_alice_may_not_see_neither_shows_nor_counts(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    scene = await build(app, client)
    # A mention in a status alice may not see (as when an edit drops the mention).
    hidden = (await post(client, scene.carol, "for my followers", visibility="private"))["id"]
    await notify(
        app.state.ctx,
        [
            {
                "account_id": int(scene.alice.id),
                "from_account_id": int(scene.carol.id),
                "type": "mention",
                "status_id": int(hidden),
            }
        ],
    )
    body = await grouped(client, scene.alice)
    assert [g["type"] for g in body["notification_groups"]] == [
        "mention",
        "favourite",
        "follow",
        "favourite",
    ]
    assert hidden not in str(body)
    assert (await unread(client, scene.alice, 1), await unread(client, scene.alice, 2)) == (7, 4)
    v1 = (await client.get("/api/v1/notifications", headers=scene.alice.auth)).json()
    assert hidden not in str(v1)

    # Suspended: bob's notifications are gone from every list and count.
    async with app.state.ctx.db() as db:
        await db.execute(
            update(Account).where(Account.id == int(scene.bob.id)).values(suspended=True)
        )
        await db.commit()
    body = await grouped(client, scene.alice)
    assert summary(scene, body) == [
        ("mention", 1, ["dave"]),
        ("follow", 1, ["carol"]),
        ("favourite", 2, ["dave", "carol"]),
    ]
    assert "bob" not in [a["username"] for a in body["accounts"]]
    assert (await unread(client, scene.alice, 1), await unread(client, scene.alice, 2)) == (4, 3)
    v1 = (await client.get("/api/v1/notifications", headers=scene.alice.auth)).json()
    assert len(v1) == 4
