"""GET /api/v2/notifications: one entry per group, the accounts and statuses beside them each
once; grouped_types[], types[], exclude_types[], account_id; paging by the Link header, back
and forth; partial avatars."""

from __future__ import annotations

from typing import Any

import httpx
from starlette.applications import Starlette

from tests.notifications.scene import build, grouped, summary

MASTODON_GROUP_KEYS = {
    "group_key",
    "notifications_count",
    "type",
    "most_recent_notification_id",
    "page_min_id",
    "page_max_id",
    "latest_page_notification_at",
    "sample_account_ids",
}


def summary_key(body: dict[str, Any], index: int) -> str:
    key: str = body["notification_groups"][index]["group_key"]
    return key


async def test_notifications_come_in_groups(app: Starlette, client: httpx.AsyncClient) -> None:
    scene = await build(app, client)
    body = await grouped(client, scene.alice)
    assert summary(scene, body) == [
        ("mention", 1, ["dave"]),
        ("favourite", 1, ["bob"]),
        ("follow", 2, ["carol", "bob"]),
        ("favourite", 3, ["dave", "carol", "bob"]),
    ]
    mention, fav2, follows, fav1 = body["notification_groups"]
    assert [a["username"] for a in body["accounts"]] == ["dave", "bob", "carol"]
    assert [s["id"] for s in body["statuses"]] == [scene.mention, scene.s2, scene.s1]
    assert (mention["status_id"], fav2["status_id"], fav1["status_id"]) == (
        scene.mention,
        scene.s2,
        scene.s1,
    )
    assert "status_id" not in follows
    assert set(follows) == MASTODON_GROUP_KEYS
    assert mention["group_key"] == f"ungrouped-{scene.ids['mention dave']}"
    assert fav1["group_key"].startswith(f"favourite-{scene.s1}-")
    assert follows["group_key"].startswith("follow-")
    assert fav1["most_recent_notification_id"] == fav1["page_max_id"] == scene.ids["fav s1 dave"]
    assert fav1["page_min_id"] == scene.ids["fav s1 bob"]
    assert follows["page_min_id"] == scene.ids["follow bob"]

    # The notifications one by one name the same groups.
    v1 = (await client.get("/api/v1/notifications", headers=scene.alice.auth)).json()
    keys = {n["id"]: n["group_key"] for n in v1}
    assert keys[scene.ids["fav s1 bob"]] == keys[scene.ids["fav s1 dave"]] == fav1["group_key"]
    assert keys[scene.ids["follow bob"]] == follows["group_key"]
    assert keys[scene.ids["mention dave"]] == mention["group_key"]

    assert (await grouped(client, scene.bob))["notification_groups"] == []
    assert (await client.get("/api/v2/notifications")).status_code == 401


async def test_what_is_grouped_and_shown_is_asked(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    scene = await build(app, client)
    only_favourites = await grouped(client, scene.alice, **{"grouped_types[]": "favourite"})
    assert summary(scene, only_favourites) == [
        ("mention", 1, ["dave"]),
        ("favourite", 1, ["bob"]),
        ("follow", 1, ["carol"]),
        ("follow", 1, ["bob"]),
        ("favourite", 3, ["dave", "carol", "bob"]),
    ]
    follow_keys = [g["group_key"] for g in only_favourites["notification_groups"][2:4]]
    assert follow_keys == [
        f"ungrouped-{scene.ids['follow carol']}",
        f"ungrouped-{scene.ids['follow bob']}",
    ]
    none = await grouped(client, scene.alice, **{"grouped_types[]": ["mention"]})
    assert [g["notifications_count"] for g in none["notification_groups"]] == [1] * 7

    favourites = await grouped(client, scene.alice, **{"types[]": "favourite"})
    assert [(t, n) for t, n, _ in summary(scene, favourites)] == [
        ("favourite", 1),
        ("favourite", 3),
    ]
    assert [s["id"] for s in favourites["statuses"]] == [scene.s2, scene.s1]
    others = await grouped(client, scene.alice, **{"exclude_types[]": ["favourite", "mention"]})
    assert summary(scene, others) == [("follow", 2, ["carol", "bob"])]
    assert others["statuses"] == []
    by_carol = await grouped(client, scene.alice, account_id=scene.carol.id)
    assert [g["type"] for g in by_carol["notification_groups"]] == ["follow", "favourite"]
    unknown = await grouped(client, scene.alice, **{"types[]": "reblog"})
    assert unknown == {"accounts": [], "statuses": [], "notification_groups": []}


async def test_pages_of_groups_follow_the_link_header(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    scene = await build(app, client)
    r = await client.get("/api/v2/notifications", headers=scene.alice.auth, params={"limit": 2})
    assert [g["type"] for g in r.json()["notification_groups"]] == ["mention", "favourite"]
    older = await client.get(r.links["next"]["url"], headers=scene.alice.auth)
    assert summary(scene, older.json()) == [
        ("follow", 2, ["carol", "bob"]),
        ("favourite", 3, ["dave", "carol", "bob"]),
    ]
    assert "limit=2" in older.links["next"]["url"]
    # Below the page: what is left of s1's group, under its key again (apps merge them), as
    # Mastodon pages.
    rest = await client.get(older.links["next"]["url"], headers=scene.alice.auth)
    assert summary(scene, rest.json()) == [("favourite", 2, ["carol", "bob"])]
    assert rest.json()["notification_groups"][0]["group_key"] == summary_key(older.json(), 1)
    rest = await client.get(rest.links["next"]["url"], headers=scene.alice.auth)
    assert summary(scene, rest.json()) == [("favourite", 1, ["bob"])]
    last = await client.get(rest.links["next"]["url"], headers=scene.alice.auth)
    assert last.json()["notification_groups"] == []
    assert "link" not in last.headers

    # One group a page: every group, newest first.
    seen, url = [], "/api/v2/notifications?limit=1"
    while url:
        page = await client.get(url, headers=scene.alice.auth)
        seen += [g["group_key"] for g in page.json()["notification_groups"]]
        url = page.links["next"]["url"] if "link" in page.headers else ""
    everything = await grouped(client, scene.alice)
    assert list(dict.fromkeys(seen)) == [g["group_key"] for g in everything["notification_groups"]]

    # Forward from s1's favourites: the next groups up, counted up to the page's newest.
    newer = await grouped(client, scene.alice, min_id=scene.ids["fav s1 dave"], limit=2)
    assert summary(scene, newer) == [("favourite", 1, ["bob"]), ("follow", 2, ["carol", "bob"])]
    since = await grouped(client, scene.alice, since_id=scene.ids["follow bob"])
    assert [g["type"] for g in since["notification_groups"]] == ["mention", "favourite", "follow"]
    assert since["notification_groups"][2]["page_min_id"] == scene.ids["follow carol"]
    below = await grouped(client, scene.alice, max_id=scene.ids["follow carol"])
    assert summary(scene, below) == [
        ("follow", 1, ["bob"]),
        ("favourite", 3, ["dave", "carol", "bob"]),
    ]


async def test_partial_avatars(app: Starlette, client: httpx.AsyncClient) -> None:
    scene = await build(app, client)
    body = await grouped(
        client, scene.alice, **{"types[]": "favourite", "expand_accounts": "partial_avatars"}
    )
    assert [a["username"] for a in body["accounts"]] == ["bob", "dave"]  # each group's newest
    assert body["partial_accounts"] == [
        {
            "id": scene.carol.id,
            "acct": "carol",
            "locked": False,
            "bot": False,
            "url": "http://localhost:8000/@carol",
            "avatar": body["accounts"][0]["avatar"],
            "avatar_static": body["accounts"][0]["avatar_static"],
        }
    ]
    assert "partial_accounts" not in await grouped(client, scene.alice, expand_accounts="full")
    r = await client.get(
        "/api/v2/notifications", headers=scene.alice.auth, params={"expand_accounts": "all"}
    )
    assert r.status_code == 400
    assert "expand_accounts" in r.json()["error"]


async def test_limits_are_clamped_and_bad_cursors_refused(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    scene = await build(app, client)
    many = await grouped(client, scene.alice, limit=500)
    assert len(many["notification_groups"]) == 4
    for params in ({"limit": 0}, {"max_id": "x"}, {"account_id": "9" * 20}, {"limit": "a"}):
        r = await client.get("/api/v2/notifications", headers=scene.alice.auth, params=params)
        assert r.status_code == 422, (params, r.text)


async def test_a_muted_senders_notifications_leave_their_groups_counts_and_accounts(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    scene = await build(app, client)
    r = await client.post(f"/api/v1/accounts/{scene.carol.id}/mute", headers=scene.alice.auth)
    assert r.status_code == 200, r.text
    body = await grouped(client, scene.alice)
    assert summary(scene, body) == [
        ("mention", 1, ["dave"]),
        ("favourite", 1, ["bob"]),
        ("follow", 1, ["bob"]),
        ("favourite", 2, ["dave", "bob"]),
    ]
    key = summary_key(body, 3)
    r = await client.get(f"/api/v2/notifications/{key}/accounts", headers=scene.alice.auth)
    assert r.status_code == 200, r.text
    assert [a["username"] for a in r.json()] == ["dave", "bob"]
