"""Announcements as a Mastodon app shows them: which ones, in what shape, read or not, and the
emoji reactions people add and take back."""

from __future__ import annotations

from urllib.parse import quote

import httpx
from sqlalchemy import func, select
from starlette.applications import Starlette

from social.platform.db.models import AnnouncementReaction, AnnouncementRead
from tests.announcements.helpers import announce, days_from_now, shown, token_for
from tests.helpers import User, app_token, bearer, make_user, register_app
from tests.trends.helpers import make_admin


async def _people(app: Starlette, client: httpx.AsyncClient) -> tuple[dict[str, str], User, User]:
    boss = bearer(await make_admin(app, client))
    client_app = await register_app(client)
    return (
        boss,
        await make_user(client, client_app, "alice"),
        await make_user(client, client_app, "bob"),
    )


async def _count(app: Starlette, model: type) -> int:
    async with app.state.ctx.db() as db:
        return int((await db.execute(select(func.count()).select_from(model))).scalar() or 0)


async def test_people_see_the_published_started_and_not_ended(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    boss, alice, _ = await _people(app, client)
    plain = await announce(client, boss, "Welcome <everyone> & see https://example.com/faq #help")
    await announce(client, boss, "not yet", published=False)
    await announce(client, boss, "next week", starts_at=days_from_now(7), ends_at=days_from_now(8))
    await announce(client, boss, "over", starts_at=days_from_now(-8), ends_at=days_from_now(-7))
    now_on = await announce(
        client,
        boss,
        "maintenance\ntoday",
        starts_at=days_from_now(-1),
        ends_at=days_from_now(1),
        all_day=True,
    )

    seen = await shown(client, alice.auth)
    assert [a["id"] for a in seen] == [now_on["id"], plain["id"]]  # by start, else publication
    ranged, first = seen
    assert first == {
        "id": plain["id"],
        "content": (
            "<p>Welcome &lt;everyone&gt; &amp; see "
            '<a href="https://example.com/faq" target="_blank" rel="nofollow noopener noreferrer">'
            'example.com/faq</a> <a href="http://localhost:8000/tags/help" '
            'class="mention hashtag" rel="tag">#<span>help</span></a></p>'
        ),
        "starts_at": None,
        "ends_at": None,
        "all_day": False,
        "published_at": plain["published_at"],
        "updated_at": plain["updated_at"],
        "read": False,
        "mentions": [],
        "statuses": [],
        "tags": [],
        "emojis": [],
        "reactions": [],
    }
    assert ranged["content"] == "<p>maintenance<br />today</p>"
    assert ranged["all_day"] is True
    assert ranged["starts_at"] == now_on["starts_at"]
    assert ranged["starts_at"].endswith("Z")
    assert ranged["ends_at"].endswith("Z")


async def test_only_a_person_asks(app: Starlette, client: httpx.AsyncClient) -> None:
    boss, _, _ = await _people(app, client)
    await announce(client, boss, "hello")
    r = await client.get("/api/v1/announcements")
    assert r.status_code == 401
    token = await app_token(client, await register_app(client))
    r = await client.get("/api/v1/announcements", headers=bearer(token))
    assert r.status_code == 422  # an app's token: "This method requires an authenticated user"


async def test_dismissing_marks_it_read_for_that_person_only(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    boss, alice, bob = await _people(app, client)
    hello = await announce(client, boss, "hello")
    path = f"/api/v1/announcements/{hello['id']}/dismiss"
    for _ in range(2):  # again: still read, nothing more written
        r = await client.post(path, headers=alice.auth)
        assert r.status_code == 200, r.text
        assert r.json() == {}
    assert [a["read"] for a in await shown(client, alice.auth)] == [True]
    assert [a["read"] for a in await shown(client, bob.auth)] == [False]
    assert await _count(app, AnnouncementRead) == 1


async def test_dismissing_needs_write_accounts_and_a_shown_announcement(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    boss, _, _ = await _people(app, client)
    client_app = await register_app(client)
    await make_user(client, client_app, "carol")
    reader = await token_for(client, client_app, "carol", "read")
    writer = await token_for(client, client_app, "carol", "write:accounts")
    hello = await announce(client, boss, "hello")
    draft = await announce(client, boss, "draft", published=False)
    r = await client.post(f"/api/v1/announcements/{hello['id']}/dismiss", headers=reader)
    assert r.status_code == 403
    for announcement_id in (draft["id"], "12345", "x"):
        r = await client.post(f"/api/v1/announcements/{announcement_id}/dismiss", headers=writer)
        assert r.status_code == 404, r.text
        assert r.json() == {"error": "Record not found"}
    assert await _count(app, AnnouncementRead) == 0


def _reactions(announcement: dict[str, object]) -> list[object]:
    reactions = announcement["reactions"]
    assert isinstance(reactions, list)
    return reactions


async def test_reactions_are_counted_and_marked_for_each_person(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    boss, alice, bob = await _people(app, client)
    hello = await announce(client, boss, "hello")
    base = f"/api/v1/announcements/{hello['id']}/reactions"
    for person, name in ((alice, "👍"), (bob, "👍"), (alice, "👍"), (bob, "🎉"), (bob, "👍🏽")):
        r = await client.put(f"{base}/{quote(name)}", headers=person.auth)
        assert r.status_code == 200, r.text
        assert r.json() == {}
    (seen,) = await shown(client, alice.auth)
    assert _reactions(seen) == [  # the first given first; no url: a Unicode emoji's reaction
        {"name": "👍", "count": 2, "me": True},
        {"name": "🎉", "count": 1, "me": False},
        {"name": "👍🏽", "count": 1, "me": False},
    ]
    (seen,) = await shown(client, bob.auth)
    assert [r["me"] for r in _reactions(seen)] == [True, True, True]  # type: ignore[index]

    r = await client.delete(f"{base}/{quote('👍')}", headers=alice.auth)
    assert r.status_code == 200
    r = await client.delete(f"{base}/{quote('👍')}", headers=alice.auth)
    assert r.status_code == 404  # hers is gone: nothing to take back
    r = await client.delete(f"{base}/{quote('🎉')}", headers=alice.auth)
    assert r.status_code == 404  # bob's is not hers
    (seen,) = await shown(client, alice.auth)
    assert _reactions(seen)[0] == {"name": "👍", "count": 1, "me": False}
    assert await _count(app, AnnouncementReaction) == 3


async def test_a_reaction_is_one_unicode_emoji(app: Starlette, client: httpx.AsyncClient) -> None:
    boss, alice, _ = await _people(app, client)
    hello = await announce(client, boss, "hello")
    base = f"/api/v1/announcements/{hello['id']}/reactions"
    for name in ("blobcat", ":blobcat:", "👍👍", "a", "💩" * 40, "\x00"):
        r = await client.put(f"{base}/{quote(name)}", headers=alice.auth)
        assert r.status_code == 422, (name, r.text)
        assert r.json()["error"] == "Validation failed: name is not a recognized emoji"
    for name in ("👨‍👩‍👧", "🏳️‍🌈", "❤️"):  # ZWJ sequences, a variation selector
        r = await client.put(f"{base}/{quote(name)}", headers=alice.auth)
        assert r.status_code == 200, (name, r.text)
    assert await _count(app, AnnouncementReaction) == 3


async def test_at_most_eight_different_reactions(app: Starlette, client: httpx.AsyncClient) -> None:
    boss, alice, bob = await _people(app, client)
    hello = await announce(client, boss, "hello")
    base = f"/api/v1/announcements/{hello['id']}/reactions"
    eight = ["😀", "😃", "😄", "😁", "😆", "😅", "😂", "🤣"]
    for name in eight:
        assert (await client.put(f"{base}/{quote(name)}", headers=alice.auth)).status_code == 200
    r = await client.put(f"{base}/{quote('🙂')}", headers=bob.auth)
    assert r.status_code == 422
    assert r.json()["error"] == "Validation failed: Limit of different reactions reached"
    r = await client.put(f"{base}/{quote('😀')}", headers=bob.auth)  # one already there
    assert r.status_code == 200
    (seen,) = await shown(client, bob.auth)
    assert [r["name"] for r in _reactions(seen)] == eight  # type: ignore[index]
    assert await _count(app, AnnouncementReaction) == 9


async def test_reacting_needs_write_favourites_and_a_shown_announcement(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    boss, _, _ = await _people(app, client)
    client_app = await register_app(client)
    await make_user(client, client_app, "carol")
    reader = await token_for(client, client_app, "carol", "read write:accounts")
    writer = await token_for(client, client_app, "carol", "write:favourites")
    hello = await announce(client, boss, "hello")
    ended = await announce(
        client, boss, "over", starts_at=days_from_now(-2), ends_at=days_from_now(-1)
    )
    r = await client.put(f"/api/v1/announcements/{hello['id']}/reactions/👍", headers=reader)
    assert r.status_code == 403
    for announcement_id in (ended["id"], "999", "-1"):
        for method in ("PUT", "DELETE"):
            r = await client.request(
                method, f"/api/v1/announcements/{announcement_id}/reactions/👍", headers=writer
            )
            assert r.status_code == 404, (announcement_id, method, r.text)
    r = await client.put(f"/api/v1/announcements/{hello['id']}/reactions/👍")
    assert r.status_code == 401
    assert await _count(app, AnnouncementReaction) == 0
