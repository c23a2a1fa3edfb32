"""What the instance tells every client: its numbers, rules, extended description, weekly
activity and languages, as Mastodon's apps read them; and what admins write of it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import func, select, update
from starlette.applications import Starlette

from social.instance.activity import week_starts
from social.platform.db.models import Rule, SiteText, Status, User
from social.platform.db.types import utcnow
from social.platform.ids import id_at
from tests.helpers import bearer, make_user, password_login, post, register_app
from tests.trends.helpers import make_admin


async def test_stats_and_active_users_are_counted_in_the_database(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    client_app = await register_app(client)
    alice = await make_user(client, client_app, "alice")
    await make_user(client, client_app, "bob")
    await make_user(client, client_app, "carol")
    for text in ("one", "two", "three"):
        await post(client, alice, text)
    assert (await password_login(client, client_app, "bob")).status_code == 200

    v1 = (await client.get("/api/v1/instance")).json()
    assert v1["stats"] == {"user_count": 3, "status_count": 3, "domain_count": 0}
    v2 = (await client.get("/api/v2/instance")).json()
    # alice posted and bob signed in this month; carol only signed up
    assert v2["usage"] == {"users": {"active_month": 2}}


async def test_rules_are_the_admins_in_their_order(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    boss = bearer(await make_admin(app, client))
    assert (await client.get("/api/v1/instance/rules")).json() == []
    first = await client.post("/api/v1/admin/rules", headers=boss, json={"text": "Be kind"})
    assert first.status_code == 200, first.text
    second = await client.post(
        "/api/v1/admin/rules",
        headers=boss,
        data={"text": "  No spam  ", "hint": "Ads count", "position": "0"},
    )
    assert second.status_code == 200, second.text
    assert second.json() == {"id": second.json()["id"], "text": "No spam", "hint": "Ads count"}
    third = await client.post("/api/v1/admin/rules", headers=boss, json={"text": "Be on topic"})

    expected = [second.json(), first.json(), third.json()]  # position 0, then 0 + 1 ...
    r = await client.get("/api/v1/instance/rules")
    assert r.json() == expected
    assert r.headers["cache-control"] == "public, max-age=300"
    assert (await client.get("/api/v1/instance")).json()["rules"] == expected
    assert (await client.get("/api/v2/instance")).json()["rules"] == expected

    r = await client.delete(f"/api/v1/admin/rules/{first.json()['id']}", headers=boss)
    assert r.status_code == 200
    assert r.json() == {}
    assert (await client.get("/api/v1/instance/rules")).json() == [expected[0], expected[2]]
    r = await client.delete(f"/api/v1/admin/rules/{first.json()['id']}", headers=boss)
    assert r.status_code == 404


async def test_rules_refuse_what_is_blank_or_long_and_write_nothing(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    boss = bearer(await make_admin(app, client))
    for body, field in (
        ({"text": "   "}, "text"),
        ({"text": ""}, "text"),
        ({}, "text"),
        ({"text": "x" * 301}, "text"),
        ({"text": "ok", "hint": "h" * 2001}, "hint"),
        ({"text": "ok", "position": -1}, "position"),
    ):
        r = await client.post("/api/v1/admin/rules", headers=boss, json=body)
        assert r.status_code == 422, (body, r.text)
        assert field in r.json()["details"], r.text
    async with app.state.ctx.db() as db:
        assert (await db.execute(select(func.count()).select_from(Rule))).scalar() == 0


async def test_only_admins_write_rules_and_texts(app: Starlette, client: httpx.AsyncClient) -> None:
    await make_admin(app, client)
    alice = await make_user(client, await register_app(client, "read write admin:write"), "alice")
    writes = [
        ("POST", "/api/v1/admin/rules", {"text": "mine"}),
        ("PUT", "/api/v1/admin/extended_description", {"text": "mine"}),
    ]
    for method, path, body in writes:
        r = await client.request(method, path, headers=alice.auth, json=body)
        assert r.status_code == 403, r.text
        r = await client.request(method, path, json=body)
        assert r.status_code == 401, r.text
    async with app.state.ctx.db() as db:
        assert (await db.execute(select(func.count()).select_from(Rule))).scalar() == 0
        assert (await db.execute(select(func.count()).select_from(SiteText))).scalar() == 0


async def test_the_extended_description_is_safe_html_or_nothing(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    r = await client.get("/api/v1/instance/extended_description")
    assert r.json() == {"updated_at": None, "content": ""}  # as Mastodon, when none is set
    assert r.headers["cache-control"] == "public, max-age=180"

    boss = bearer(await make_admin(app, client))
    text = "Run by <b>us</b> & friends.\n\nRules: https://example.com/rules #meta"
    r = await client.put("/api/v1/admin/extended_description", headers=boss, json={"text": text})
    assert r.status_code == 200, r.text
    shown = (await client.get("/api/v1/instance/extended_description")).json()
    assert shown == r.json()
    assert shown["content"] == (
        "<p>Run by &lt;b&gt;us&lt;/b&gt; &amp; friends.</p><p>Rules: "
        '<a href="https://example.com/rules" target="_blank" rel="nofollow noopener noreferrer">'
        'example.com/rules</a> <a href="http://localhost:8000/tags/meta" class="mention hashtag" '
        'rel="tag">#<span>meta</span></a></p>'
    )
    when = datetime.fromisoformat(shown["updated_at"])
    assert abs(when - utcnow()) < timedelta(minutes=1)

    r = await client.put("/api/v1/admin/extended_description", headers=boss, data={"text": " "})
    assert r.json() == {"updated_at": None, "content": ""}
    shown = (await client.get("/api/v1/instance/extended_description")).json()
    assert shown == {"updated_at": None, "content": ""}


async def test_activity_counts_twelve_weeks_from_monday(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    client_app = await register_app(client)
    alice = await make_user(client, client_app, "alice")
    await make_user(client, client_app, "bob")
    await post(client, alice, "this week")
    assert (await password_login(client, client_app, "alice")).status_code == 200
    starts = week_starts(utcnow())
    async with app.state.ctx.db() as db:  # what happened in earlier weeks
        for n, at in enumerate(
            (
                starts[3] + timedelta(hours=1),
                starts[3] + timedelta(days=6, hours=23),
                starts[11],
                starts[11] - timedelta(seconds=1),  # before the twelfth week: not counted
            )
        ):
            db.add(Status(id=id_at(at.timestamp()) + n, account_id=int(alice.id), text="old"))
        bob = update(User).where(User.email == "bob@example.com")
        await db.execute(bob.values(created_at=starts[2] + timedelta(days=3)))
        await db.execute(bob.values(last_sign_in_at=starts[5]))
        await db.commit()

    r = await client.get("/api/v1/instance/activity")
    assert r.status_code == 200
    weeks = r.json()
    assert len(weeks) == 12
    assert [w["week"] for w in weeks] == [str(int(s.timestamp())) for s in starts]
    monday = datetime.fromtimestamp(int(weeks[0]["week"]), UTC)
    assert (monday.weekday(), monday.hour, monday.minute) == (0, 0, 0)
    assert utcnow() - monday < timedelta(days=7)
    counts = {i: (w["statuses"], w["logins"], w["registrations"]) for i, w in enumerate(weeks)}
    assert counts[0] == ("1", "1", "1")  # alice: posted, signed in, signed up
    assert counts[2] == ("0", "0", "1")  # bob signed up
    assert counts[3] == ("2", "0", "0")
    assert counts[5] == ("0", "1", "0")  # bob's latest sign-in
    assert counts[11] == ("1", "0", "0")
    assert all(counts[i] == ("0", "0", "0") for i in (1, 4, 6, 7, 8, 9, 10))


async def test_languages_are_iso_639_as_mastodon_lists_them(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/instance/languages")
    assert r.status_code == 200
    languages = r.json()
    by_code = {lang["code"]: lang["name"] for lang in languages}
    assert len(by_code) == len(languages) == 184 + 16  # ISO 639-1, and Mastodon's 639-3 ones
    assert by_code["en"] == "English"
    assert by_code["de"] == "German"
    assert by_code["ja"] == "Japanese"
    assert by_code["tok"] == "Toki Pona"
    assert by_code["ast"] == "Asturian"
    assert all(code.isascii() and code.isalpha() and code.islower() for code in by_code)
    assert all(2 <= len(code) <= 3 for code in by_code)


async def test_what_a_federating_server_would_list_is_empty(client: httpx.AsyncClient) -> None:
    for path in (
        "/api/v1/instance/peers",
        "/api/v1/custom_emojis",
        "/api/v1/instance/domain_blocks",
    ):
        r = await client.get(path, headers={"Origin": "https://app.example"})
        assert r.status_code == 200, path
        assert r.json() == [], path
        assert r.headers["access-control-allow-origin"] == "*"
        assert r.headers["cache-control"].startswith("public, max-age=")
