"""The admin API of announcements: write, change, publish and take back, end, delete; only for
admins; what the rules refuse is refused whole."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import func, select
from starlette.applications import Starlette

from social.platform.db.models import Announcement
from social.platform.db.types import utcnow
from tests.announcements.helpers import announce, days_from_now, shown
from tests.helpers import bearer, make_user, register_app
from tests.trends.helpers import ADMIN_SCOPES, make_admin

ADMIN = "/api/v1/admin/announcements"


async def _all(client: httpx.AsyncClient, boss: dict[str, str]) -> list[dict[str, Any]]:
    r = await client.get(ADMIN, headers=boss)
    assert r.status_code == 200, r.text
    body: list[dict[str, Any]] = r.json()
    return body


async def test_admins_see_every_announcement_and_whether_it_is_shown(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    boss = bearer(await make_admin(app, client))
    live = await announce(client, boss, "live")
    draft = await announce(client, boss, "draft", published=False)
    later = await announce(
        client, boss, "later", starts_at=days_from_now(1), ends_at=days_from_now(2)
    )
    listed = await _all(client, boss)
    assert [a["id"] for a in listed] == [later["id"], draft["id"], live["id"]]  # newest first
    assert [(a["published"], a["shown"]) for a in listed] == [
        (True, False),
        (False, False),
        (True, True),
    ]
    assert listed[1]["published_at"] is None
    assert listed[2]["text"] == "live"
    assert listed[2]["content"] == "<p>live</p>"


async def test_change_publish_unpublish_end_delete(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    boss = bearer(await make_admin(app, client))
    alice = await make_user(client, await register_app(client), "alice")
    draft = await announce(client, boss, "first words", published=False)
    assert await shown(client, alice.auth) == []
    one = f"{ADMIN}/{draft['id']}"

    r = await client.post(f"{one}/publish", headers=boss)
    assert r.status_code == 200, r.text
    assert r.json()["published"] is True
    published_at = datetime.fromisoformat(r.json()["published_at"])
    assert abs(published_at - utcnow()) < timedelta(minutes=1)
    assert [a["content"] for a in await shown(client, alice.auth)] == ["<p>first words</p>"]

    starts, ends = days_from_now(-1), days_from_now(3)
    r = await client.put(
        one, headers=boss, json={"text": "better words", "starts_at": starts, "ends_at": ends}
    )
    assert r.status_code == 200, r.text
    (seen,) = await shown(client, alice.auth)
    assert seen["content"] == "<p>better words</p>"
    assert datetime.fromisoformat(seen["starts_at"]) == datetime.fromisoformat(starts)
    assert seen["updated_at"] > seen["published_at"]
    r = await client.put(one, headers=boss, data={"starts_at": "", "ends_at": ""})  # a form
    assert r.json()["starts_at"] is None
    assert r.json()["ends_at"] is None
    assert r.json()["text"] == "better words"

    r = await client.post(f"{one}/unpublish", headers=boss)
    assert r.json()["published"] is False
    assert await shown(client, alice.auth) == []
    await client.post(f"{one}/publish", headers=boss)
    r = await client.post(f"{one}/end", headers=boss)
    assert r.status_code == 200
    assert r.json()["shown"] is False
    assert r.json()["published"] is True
    assert datetime.fromisoformat(r.json()["ends_at"]) <= utcnow()
    assert await shown(client, alice.auth) == []

    r = await client.delete(one, headers=boss)
    assert r.status_code == 200
    assert r.json() == {}
    assert await _all(client, boss) == []
    for method, path in (
        ("DELETE", one),
        ("PUT", one),
        ("POST", f"{one}/publish"),
        ("POST", f"{one}/end"),
    ):
        r = await client.request(method, path, headers=boss, json={"text": "x"})
        assert r.status_code == 404, (method, path)


async def test_what_the_rules_refuse_writes_nothing(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    boss = bearer(await make_admin(app, client))
    refused: list[tuple[dict[str, Any], str]] = [
        ({}, "text"),
        ({"text": "   "}, "text"),
        ({"text": "x" * 10_001}, "text"),
        ({"text": "t", "starts_at": days_from_now(1)}, "ends_at"),
        ({"text": "t", "ends_at": days_from_now(1)}, "starts_at"),
        ({"text": "t", "starts_at": days_from_now(2), "ends_at": days_from_now(1)}, "ends_at"),
        ({"text": "t", "starts_at": "tomorrow", "ends_at": days_from_now(1)}, "starts_at"),
        ({"text": "t", "starts_at": "2025-01-01", "ends_at": days_from_now(1)}, "starts_at"),
        (
            {"text": "t", "starts_at": "0001-01-01T00:00:00+23:59", "ends_at": days_from_now(1)},
            "starts_at",
        ),
        ({"text": "t", "starts_at": 1700000000, "ends_at": days_from_now(1)}, "starts_at"),
        ({"text": "t", "all_day": "sometimes"}, "all_day"),
    ]
    for body, field in refused:
        r = await client.post(ADMIN, headers=boss, json=body)
        assert r.status_code == 422, (body, r.text)
        assert field in r.json()["details"], (body, r.text)
    async with app.state.ctx.db() as db:
        assert (await db.execute(select(func.count()).select_from(Announcement))).scalar() == 0

    kept = await announce(
        client, boss, "kept", starts_at=days_from_now(-1), ends_at=days_from_now(1)
    )
    for body in ({"text": " "}, {"ends_at": None}, {"starts_at": days_from_now(5)}):
        r = await client.put(f"{ADMIN}/{kept['id']}", headers=boss, json=body)
        assert r.status_code == 422, (body, r.text)
    (unchanged,) = await _all(client, boss)
    assert unchanged == kept | {"shown": True}


async def test_only_admins_announce(app: Starlette, client: httpx.AsyncClient) -> None:
    boss = bearer(await make_admin(app, client))
    hello = await announce(client, boss, "hello")
    alice = await make_user(client, await register_app(client, ADMIN_SCOPES), "alice")
    attempts = [
        ("GET", ADMIN),
        ("POST", ADMIN),
        ("PUT", f"{ADMIN}/{hello['id']}"),
        ("DELETE", f"{ADMIN}/{hello['id']}"),
        ("POST", f"{ADMIN}/{hello['id']}/unpublish"),
        ("POST", f"{ADMIN}/{hello['id']}/end"),
    ]
    for method, path in attempts:
        r = await client.request(method, path, headers=alice.auth, json={"text": "mine"})
        assert r.status_code == 403, (method, path, r.text)
        r = await client.request(method, path, json={"text": "mine"})
        assert r.status_code == 401, (method, path, r.text)
    assert [a["content"] for a in await shown(client, alice.auth)] == ["<p>hello</p>"]
    (still,) = await _all(client, boss)
    assert still == hello | {"shown": True}
