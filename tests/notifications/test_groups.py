"""One notification group: shown whole, its accounts page by page, dismissed; groups by the
hour they began (Mastodon's 12-hour span); notifications written before group keys."""

from __future__ import annotations

import time
from typing import Any

import httpx
from starlette.applications import Starlette

from social.notifications.service import notify
from social.platform.db.models import Notification
from social.platform.ids import next_id
from tests.helpers import make_user, post, register_app
from tests.notifications.scene import Scene, build, grouped, summary


async def group_of(scene: Scene, body: dict[str, Any], kind: str, status: str | None) -> str:
    found = [
        g["group_key"]
        for g in body["notification_groups"]
        if g["type"] == kind and g.get("status_id") == status
    ]
    assert len(found) == 1, found
    return found[0]


async def test_one_group_whole(app: Starlette, client: httpx.AsyncClient) -> None:
    scene = await build(app, client)
    page = await grouped(client, scene.alice, limit=2)
    fav1_key = await group_of(scene, await grouped(client, scene.alice), "favourite", scene.s1)
    assert fav1_key not in str(page)

    r = await client.get(f"/api/v2/notifications/{fav1_key}", headers=scene.alice.auth)
    assert r.status_code == 200, r.text
    body = r.json()
    assert summary(scene, body) == [("favourite", 3, ["dave", "carol", "bob"])]
    (group,) = body["notification_groups"]
    assert group["most_recent_notification_id"] == scene.ids["fav s1 dave"]
    assert "page_min_id" not in group  # only in pages
    assert [a["username"] for a in body["accounts"]] == ["dave", "carol", "bob"]
    assert [s["id"] for s in body["statuses"]] == [scene.s1]

    mention = f"ungrouped-{scene.ids['mention dave']}"
    r = await client.get(f"/api/v2/notifications/{mention}", headers=scene.alice.auth)
    assert summary(scene, r.json()) == [("mention", 1, ["dave"])]
    # A notification named by its id, when it has a group: that group, as Mastodon.
    member = f"ungrouped-{scene.ids['fav s1 bob']}"
    r = await client.get(f"/api/v2/notifications/{member}", headers=scene.alice.auth)
    assert r.json()["notification_groups"][0]["group_key"] == fav1_key

    for key in ("favourite-1-1", "ungrouped-abc", "ungrouped-99999999999999999999", "x" * 70):
        r = await client.get(f"/api/v2/notifications/{key}", headers=scene.alice.auth)
        assert r.status_code == 404, (key, r.text)
    r = await client.get(f"/api/v2/notifications/{fav1_key}", headers=scene.bob.auth)
    assert r.status_code == 404  # not bob's


async def test_the_accounts_of_a_group(app: Starlette, client: httpx.AsyncClient) -> None:
    scene = await build(app, client)
    key = await group_of(scene, await grouped(client, scene.alice), "favourite", scene.s1)
    path = f"/api/v2/notifications/{key}/accounts"
    r = await client.get(path, headers=scene.alice.auth)
    assert [a["username"] for a in r.json()] == ["dave", "carol", "bob"]
    first = await client.get(path, headers=scene.alice.auth, params={"limit": 2})
    assert [a["username"] for a in first.json()] == ["dave", "carol"]
    rest = await client.get(first.links["next"]["url"], headers=scene.alice.auth)
    assert [a["username"] for a in rest.json()] == ["bob"]
    r = await client.get(path, headers=scene.bob.auth)
    assert r.json() == []
    r = await client.get(
        f"/api/v2/notifications/ungrouped-{scene.ids['mention dave']}/accounts",
        headers=scene.alice.auth,
    )
    assert [a["username"] for a in r.json()] == ["dave"]


async def test_dismissing_a_group(app: Starlette, client: httpx.AsyncClient) -> None:
    scene = await build(app, client)
    key = await group_of(scene, await grouped(client, scene.alice), "favourite", scene.s1)
    r = await client.post(f"/api/v2/notifications/{key}/dismiss", headers=scene.bob.auth)
    assert (r.status_code, r.json()) == (200, {})  # bob has no such group: nothing happens
    assert len((await grouped(client, scene.alice))["notification_groups"]) == 4

    r = await client.post(f"/api/v2/notifications/{key}/dismiss", headers=scene.alice.auth)
    assert (r.status_code, r.json()) == (200, {})
    assert [g["type"] for g in (await grouped(client, scene.alice))["notification_groups"]] == [
        "mention",
        "favourite",
        "follow",
    ]
    v1 = (await client.get("/api/v1/notifications", headers=scene.alice.auth)).json()
    assert [n["type"] for n in v1] == ["mention", "favourite", "follow", "follow"]
    r = await client.post(f"/api/v2/notifications/{key}/dismiss", headers=scene.alice.auth)
    assert r.status_code == 200

    mention = f"ungrouped-{scene.ids['mention dave']}"
    await client.post(f"/api/v2/notifications/{mention}/dismiss", headers=scene.alice.auth)
    v1 = (await client.get("/api/v1/notifications", headers=scene.alice.auth)).json()
    assert [n["type"] for n in v1] == ["favourite", "follow", "follow"]
    r = await client.post(f"/api/v2/notifications/{mention}/dismiss")
    assert r.status_code == 401


async def test_a_group_spans_at_most_twelve_hours(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    ctx = app.state.ctx
    client_app = await register_app(client)
    alice, bob, carol, dave = [
        await make_user(client, client_app, n) for n in ("alice", "bob", "carol", "dave")
    ]
    status = (await post(client, alice, "favourite me"))["id"]
    start = time.time()
    for fan, later_h in ((bob, 0), (carol, 11), (dave, 13)):
        row = {"account_id": int(alice.id), "from_account_id": int(fan.id)}
        await notify(
            ctx,
            [{**row, "type": "favourite", "status_id": int(status)}],
            now_s=start + later_h * 3600,
        )
        await notify(ctx, [{**row, "type": "follow", "follow_id": 1}], now_s=start + later_h * 3600)
    body = await grouped(client, alice)
    names = {alice.id: "alice", bob.id: "bob", carol.id: "carol", dave.id: "dave"}
    assert [
        (g["type"], [names[a] for a in g["sample_account_ids"]])
        for g in body["notification_groups"]
    ] == [
        ("follow", ["dave"]),
        ("favourite", ["dave"]),
        ("follow", ["carol", "bob"]),
        ("favourite", ["carol", "bob"]),
    ]
    began = int(start // 3600)
    assert body["notification_groups"][3]["group_key"] == f"favourite-{status}-{began}"
    assert body["notification_groups"][2]["group_key"] == f"follow-{began}"
    assert body["notification_groups"][0]["group_key"] == f"follow-{int(start // 3600) + 13}"


async def test_notifications_from_before_group_keys_stand_alone(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    scene = await build(app, client)
    old = [next_id(), next_id()]
    async with app.state.ctx.db() as db:
        for notification_id, fan in zip(old, (scene.carol, scene.dave), strict=True):
            db.add(
                Notification(
                    id=notification_id,
                    account_id=int(scene.alice.id),
                    from_account_id=int(fan.id),
                    type="favourite",
                    status_id=int(scene.s2),
                    dedupe_key=f"before keys {notification_id}",
                    group_key=None,
                )
            )
        await db.commit()
    body = await grouped(client, scene.alice, limit=3)
    assert summary(scene, body) == [
        ("favourite", 1, ["dave"]),
        ("favourite", 1, ["carol"]),
        ("mention", 1, ["dave"]),
    ]
    assert [g["group_key"] for g in body["notification_groups"][:2]] == [
        f"ungrouped-{old[1]}",
        f"ungrouped-{old[0]}",
    ]
    v1 = (await client.get("/api/v1/notifications", headers=scene.alice.auth)).json()
    assert v1[0]["group_key"] == f"ungrouped-{old[1]}"
    key = f"ungrouped-{old[0]}"
    r = await client.get(f"/api/v2/notifications/{key}", headers=scene.alice.auth)
    assert summary(scene, r.json()) == [("favourite", 1, ["carol"])]
    await client.post(f"/api/v2/notifications/{key}/dismiss", headers=scene.alice.auth)
    r = await client.get(f"/api/v2/notifications/{key}", headers=scene.alice.auth)
    assert r.status_code == 404
