"""Statuses: posting, validation, idempotency, deletion, threads, favourites, tags, mentions."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from starlette.applications import Starlette

from social.platform.db.models import OutboxEvent, Status
from tests.helpers import PASSWORD, follow, make_user, post, register_app


async def _count(app: Starlette, model: Any) -> int:
    async with app.state.ctx.db() as db:
        return int((await db.execute(select(func.count()).select_from(model))).scalar_one())


async def test_post_renders_a_mastodon_status(app: Starlette, client: httpx.AsyncClient) -> None:
    client_app = await register_app(client)
    alice = await make_user(client, client_app, "alice")
    await make_user(client, client_app, "bob")
    status = await post(
        client,
        alice,
        "Hi @bob and @ghost! #Café #CAFÉ #日本 <script>x</script> https://example.com/a?b=1",
        spoiler_text="cw",
        language="en",
    )
    assert status["account"]["username"] == "alice"
    assert status["visibility"] == "public"
    assert status["sensitive"] is True  # a content warning implies it
    assert status["spoiler_text"] == "cw"
    assert status["language"] == "en"
    assert status["favourites_count"] == 0
    assert status["favourited"] is False
    assert {t["name"] for t in status["tags"]} == {"café", "日本"}
    assert [m["username"] for m in status["mentions"]] == ["bob"]
    content = status["content"]
    assert "&lt;script&gt;" in content
    assert "<script>" not in content
    assert 'class="u-url mention">@<span>bob</span>' in content
    assert "@ghost" in content
    assert 'class="mention hashtag" rel="tag">#<span>Café</span>' in content
    assert 'href="https://example.com/a?b=1"' in content
    assert status["url"].endswith(f"/@alice/{status['id']}")

    shown = await client.get(f"/api/v1/statuses/{status['id']}")
    assert shown.json()["content"] == content
    assert shown.json()["account"]["statuses_count"] == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": ""}, "text"),
        ({"status": "   "}, "text"),
        ({"status": "x" * 501}, "text"),
        ({"status": "x" * 400, "spoiler_text": "y" * 101}, "text"),
        ({"status": "ok", "visibility": "secret"}, "visibility"),
        ({"status": "ok", "language": "english"}, "language"),
        ({"status": "ok", "in_reply_to_id": "12345"}, "in_reply_to_id"),
        ({"status": "ok", "in_reply_to_id": "abc"}, "in_reply_to_id"),
        ({"status": "ok", "sensitive": "very"}, "sensitive"),
        ({"status": ["a"]}, "status"),
        ({"status": "ok", "media_ids": ["1"]}, "media_ids"),
    ],
)
async def test_bad_statuses_are_refused_and_nothing_is_written(
    app: Starlette, client: httpx.AsyncClient, body: dict[str, Any], field: str
) -> None:
    alice = await make_user(client, await register_app(client), "alice")
    r = await client.post("/api/v1/statuses", headers=alice.auth, json=body)
    assert r.status_code == 422, r.text
    assert field in r.json()["details"]
    assert await _count(app, Status) == 0
    assert await _count(app, OutboxEvent) == 0


async def test_links_count_as_23_characters(client: httpx.AsyncClient) -> None:
    alice = await make_user(client, await register_app(client), "alice")
    long_url = "https://example.com/" + "a" * 600
    r = await client.post("/api/v1/statuses", headers=alice.auth, json={"status": long_url})
    assert r.status_code == 200


async def test_posting_needs_a_user_token_with_write_scope(client: httpx.AsyncClient) -> None:
    r = await client.post("/api/v1/statuses", json={"status": "hi"})
    assert r.status_code == 401
    client_app = await register_app(client)
    await make_user(client, client_app, "reader")
    login = await client.post(
        "/oauth/token",
        data={
            "grant_type": "password",
            "client_id": client_app.client_id,
            "client_secret": client_app.client_secret,
            "username": "reader",
            "password": PASSWORD,
            "scope": "read",
        },
    )
    read_only = {"Authorization": f"Bearer {login.json()['access_token']}"}
    r = await client.post("/api/v1/statuses", headers=read_only, json={"status": "hi"})
    assert r.status_code == 403


async def test_idempotency_key_returns_the_same_status(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    alice = await make_user(client, await register_app(client), "alice")
    headers = {**alice.auth, "Idempotency-Key": "abc-123"}
    first = await client.post("/api/v1/statuses", headers=headers, json={"status": "once"})
    again = await client.post("/api/v1/statuses", headers=headers, json={"status": "once"})
    assert first.status_code == again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    other = await client.post(
        "/api/v1/statuses",
        headers={**alice.auth, "Idempotency-Key": "other"},
        json={"status": "once"},
    )
    assert other.json()["id"] != first.json()["id"]
    assert await _count(app, Status) == 2


async def test_delete_own_only_and_get_source_back(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    client_app = await register_app(client)
    alice = await make_user(client, client_app, "alice")
    bob = await make_user(client, client_app, "bob")
    status = await post(client, alice, "oops #typo", spoiler_text="cw")
    r = await client.delete(f"/api/v1/statuses/{status['id']}", headers=bob.auth)
    assert r.status_code == 404
    r = await client.delete(f"/api/v1/statuses/{status['id']}", headers=alice.auth)
    assert r.status_code == 200
    assert r.json()["text"] == "oops #typo"
    assert r.json()["spoiler_text"] == "cw"
    assert (await client.get(f"/api/v1/statuses/{status['id']}")).status_code == 404
    r = await client.delete(f"/api/v1/statuses/{status['id']}", headers=alice.auth)
    assert r.status_code == 404
    tag = await client.get("/api/v1/timelines/tag/typo")
    assert tag.json() == []


async def test_context_and_reply_counts(client: httpx.AsyncClient) -> None:
    client_app = await register_app(client)
    alice = await make_user(client, client_app, "alice")
    bob = await make_user(client, client_app, "bob")
    root = await post(client, alice, "root")
    reply = await post(client, bob, "reply", in_reply_to_id=root["id"])
    nested = await post(client, alice, "nested", in_reply_to_id=reply["id"])
    hidden = await post(
        client, bob, "private aside", in_reply_to_id=root["id"], visibility="private"
    )

    r = await client.get(f"/api/v1/statuses/{reply['id']}/context")
    assert [s["id"] for s in r.json()["ancestors"]] == [root["id"]]
    assert [s["id"] for s in r.json()["descendants"]] == [nested["id"]]
    r = await client.get(f"/api/v1/statuses/{root['id']}/context")
    assert [s["id"] for s in r.json()["descendants"]] == [reply["id"], nested["id"]]
    r = await client.get(f"/api/v1/statuses/{root['id']}/context", headers=bob.auth)
    assert hidden["id"] in [s["id"] for s in r.json()["descendants"]]
    shown = await client.get(f"/api/v1/statuses/{root['id']}")
    assert shown.json()["replies_count"] == 2


async def test_favourites(client: httpx.AsyncClient) -> None:
    client_app = await register_app(client)
    alice = await make_user(client, client_app, "alice")
    bob = await make_user(client, client_app, "bob")
    carol = await make_user(client, client_app, "carol")
    status = await post(client, alice, "like me")
    sid = status["id"]
    await client.get(f"/api/v1/statuses/{sid}")  # cached
    for user in (bob, bob, carol):
        r = await client.post(f"/api/v1/statuses/{sid}/favourite", headers=user.auth)
        assert r.status_code == 200
        assert r.json()["favourited"] is True
    assert (await client.get(f"/api/v1/statuses/{sid}")).json()["favourites_count"] == 2
    by = await client.get(f"/api/v1/statuses/{sid}/favourited_by")
    assert [a["username"] for a in by.json()] == ["carol", "bob"]
    r = await client.post(f"/api/v1/statuses/{sid}/unfavourite", headers=bob.auth)
    assert r.json()["favourited"] is False
    assert r.json()["favourites_count"] == 1
    await client.post(f"/api/v1/statuses/{sid}/unfavourite", headers=bob.auth)
    assert (await client.get(f"/api/v1/statuses/{sid}")).json()["favourites_count"] == 1
    mine = await client.get(f"/api/v1/statuses/{sid}", headers=carol.auth)
    assert mine.json()["favourited"] is True

    secret = await post(client, alice, "followers only", visibility="private")
    r = await client.post(f"/api/v1/statuses/{secret['id']}/favourite", headers=bob.auth)
    assert r.status_code == 404
    await follow(client, bob, alice)
    r = await client.post(f"/api/v1/statuses/{secret['id']}/favourite", headers=bob.auth)
    assert r.status_code == 200


async def test_tag_timeline_is_case_and_unicode_insensitive(client: httpx.AsyncClient) -> None:
    alice = await make_user(client, await register_app(client), "alice")
    a = await post(client, alice, "#Café au lait")
    b = await post(client, alice, "more #CAFÉ")
    await post(client, alice, "#cafe without accent is another tag")
    await post(client, alice, "#café but private", visibility="private")
    for name in ("café", "CAFÉ", "Café"):
        r = await client.get(f"/api/v1/timelines/tag/{name}")
        assert [s["id"] for s in r.json()] == [b["id"], a["id"]]


async def test_relationships(client: httpx.AsyncClient) -> None:
    client_app = await register_app(client)
    alice = await make_user(client, client_app, "alice")
    bob = await make_user(client, client_app, "bob")
    carol = await make_user(client, client_app, "carol")
    await follow(client, alice, bob)
    await follow(client, carol, alice)
    r = await client.get(
        "/api/v1/accounts/relationships",
        headers=alice.auth,
        params=[("id[]", bob.id), ("id[]", carol.id), ("id[]", "999")],
    )
    assert r.status_code == 200
    rel = {x["id"]: x for x in r.json()}
    assert rel[bob.id]["following"] is True
    assert rel[bob.id]["followed_by"] is False
    assert rel[carol.id]["following"] is False
    assert rel[carol.id]["followed_by"] is True
    assert "999" not in rel
    r = await client.post(f"/api/v1/accounts/{alice.id}/follow", headers=alice.auth)
    assert r.status_code == 403
    r = await client.post("/api/v1/accounts/42/follow", headers=alice.auth)
    assert r.status_code == 404
    followers = await client.get(f"/api/v1/accounts/{alice.id}/followers")
    assert [a["username"] for a in followers.json()] == ["carol"]
    following = await client.get(f"/api/v1/accounts/{alice.id}/following")
    assert [a["username"] for a in following.json()] == ["bob"]
