"""Editing a status, as its author, its readers and those who boosted it see it: the new
version everywhere at once (the status, homes, threads), each version in its history, the
source to edit from, an `update` to the boosters; only the author's own, never a boost."""

from __future__ import annotations

from typing import Any

import httpx
from starlette.applications import Starlette

from tests.helpers import User, follow, make_user, post, register_app
from tests.relations.helpers import act, notification_types


async def edit(
    client: httpx.AsyncClient, user: User, status_id: str, **form: Any
) -> httpx.Response:
    return await client.put(f"/api/v1/statuses/{status_id}", headers=user.auth, data=form)


async def test_an_edit_replaces_the_status_everywhere_and_keeps_its_versions(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    ctx = app.state.ctx
    client_app = await register_app(client)
    alice, bob = [await make_user(client, client_app, n) for n in ("alice", "bob")]
    await follow(client, bob, alice)
    original = await post(client, alice, "first #draft", language="en")
    await ctx.events.drain()
    # read once so that the cache holds the first version
    r = await client.get("/api/v1/timelines/home", headers=bob.auth)
    assert r.json()[0]["content"] == original["content"]

    r = await edit(client, alice, original["id"], status="second #final", spoiler_text="cw")
    assert r.status_code == 200, r.text
    edited = r.json()
    assert edited["id"] == original["id"]
    assert "second" in edited["content"]
    assert edited["spoiler_text"] == "cw"
    assert edited["sensitive"] is True  # a spoiler makes it sensitive
    assert edited["language"] == "en"  # left out: kept
    assert edited["edited_at"] is not None
    assert [t["name"] for t in edited["tags"]] == ["final"]

    home = (await client.get("/api/v1/timelines/home", headers=bob.auth)).json()
    assert [s["content"] for s in home] == [edited["content"]]
    shown = (await client.get(f"/api/v1/statuses/{original['id']}", headers=bob.auth)).json()
    assert shown["edited_at"] == edited["edited_at"]
    tagged = await client.get("/api/v1/timelines/tag/final")
    assert [s["id"] for s in tagged.json()] == [original["id"]]
    assert (await client.get("/api/v1/timelines/tag/draft")).json() == []

    r = await client.get(f"/api/v1/statuses/{original['id']}/history", headers=bob.auth)
    assert r.status_code == 200, r.text
    versions = r.json()
    assert [v["content"] for v in versions] == [original["content"], edited["content"]]
    assert [v["spoiler_text"] for v in versions] == ["", "cw"]
    assert versions[0]["created_at"] == original["created_at"]
    assert versions[1]["created_at"] == edited["edited_at"]
    assert {v["account"]["username"] for v in versions} == {"alice"}

    r = await edit(
        client, alice, original["id"], status="third", spoiler_text="cw", sensitive="true"
    )
    versions = (await client.get(f"/api/v1/statuses/{original['id']}/history")).json()
    assert len(versions) == 3  # the original is kept once, then each version
    r = await client.get(f"/api/v1/statuses/{original['id']}/source", headers=alice.auth)
    assert r.json() == {"id": original["id"], "text": "third", "spoiler_text": "cw"}


async def test_an_edit_that_changes_nothing_keeps_no_version(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    client_app = await register_app(client)
    alice = await make_user(client, client_app, "alice")
    original = await post(client, alice, "steady")
    r = await edit(client, alice, original["id"], status="steady")
    assert r.status_code == 200, r.text
    assert r.json()["edited_at"] is None
    versions = (await client.get(f"/api/v1/statuses/{original['id']}/history")).json()
    assert [v["content"] for v in versions] == [original["content"]]


async def test_only_the_author_edits_and_bad_edits_change_nothing(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    client_app = await register_app(client)
    alice, bob = [await make_user(client, client_app, n) for n in ("alice", "bob")]
    original = await post(client, alice, "mine")
    assert (await edit(client, bob, original["id"], status="yours")).status_code == 404
    r = await edit(client, alice, original["id"], status="  ")
    assert r.status_code == 422
    assert r.json()["details"]["text"][0]["error"] == "ERR_BLANK"
    r = await edit(client, alice, original["id"], status="x" * 501)
    assert r.status_code == 422
    r = await edit(client, alice, original["id"], status="ok", language="English")
    assert r.status_code == 422
    assert (await edit(client, alice, "123456", status="nothing")).status_code == 404
    assert (
        await client.put(f"/api/v1/statuses/{original['id']}", data={"status": "x"})
    ).status_code == 401
    boost = await client.post(f"/api/v1/statuses/{original['id']}/reblog", headers=bob.auth)
    assert (await edit(client, bob, boost.json()["id"], status="boosted")).status_code == 404
    shown = (await client.get(f"/api/v1/statuses/{original['id']}")).json()
    assert shown["content"] == original["content"]
    assert shown["edited_at"] is None
    r = await client.get(f"/api/v1/statuses/{original['id']}/source", headers=bob.auth)
    assert r.status_code == 200  # anyone who may see it


async def test_a_private_status_history_and_source_are_as_hidden_as_it(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    client_app = await register_app(client)
    alice, bob = [await make_user(client, client_app, n) for n in ("alice", "bob")]
    secret = await post(client, alice, "for followers", visibility="private")
    for path in ("history", "source"):
        r = await client.get(f"/api/v1/statuses/{secret['id']}/{path}", headers=bob.auth)
        assert r.status_code == 404, path
    assert (await client.get(f"/api/v1/statuses/{secret['id']}/history")).status_code == 404


async def test_those_who_boosted_it_are_told_of_each_edit(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    ctx = app.state.ctx
    client_app = await register_app(client)
    alice, bob, carol, dave = [
        await make_user(client, client_app, n) for n in ("alice", "bob", "carol", "dave")
    ]
    original = await post(client, alice, "boost me")
    for booster in (bob, carol):
        r = await client.post(f"/api/v1/statuses/{original['id']}/reblog", headers=booster.auth)
        assert r.status_code == 200
    await act(client, carol, alice, "block")  # she hears nothing more from alice
    await ctx.events.drain()
    await edit(client, alice, original["id"], status="boost me, edited")
    await edit(client, alice, original["id"], status=f"boost me, with @{dave.username}")
    await ctx.events.drain()
    assert await notification_types(client, bob) == [("update", "alice"), ("update", "alice")]
    r = await client.get("/api/v1/notifications", headers=bob.auth)
    assert "dave" in r.json()[0]["status"]["content"]
    assert await notification_types(client, carol) == []
    # dave, mentioned by the edit, is told of the mention once
    assert await notification_types(client, dave) == [("mention", "alice")]
    shown = (await client.get(f"/api/v1/statuses/{original['id']}", headers=dave.auth)).json()
    assert [m["username"] for m in shown["mentions"]] == ["dave"]


async def test_a_mention_an_edit_drops_still_sees_the_status(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    client_app = await register_app(client)
    alice, bob = [await make_user(client, client_app, n) for n in ("alice", "bob")]
    direct = await post(client, alice, f"psst @{bob.username}", visibility="direct")
    await edit(client, alice, direct["id"], status="psst, nobody")
    r = await client.get(f"/api/v1/statuses/{direct['id']}", headers=bob.auth)
    assert r.status_code == 200, r.text
    assert r.json()["mentions"] == []  # not shown among its mentions any more
    await edit(client, alice, direct["id"], status=f"psst @{bob.username} again")
    r = await client.get(f"/api/v1/statuses/{direct['id']}", headers=bob.auth)
    assert [m["username"] for m in r.json()["mentions"]] == ["bob"]
