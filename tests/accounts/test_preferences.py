"""Posting preferences: set with `update_credentials`' `source`, read back as the account's
source and as `/api/v1/preferences`, and applied to a status posted without them."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select
from starlette.applications import Starlette

from social.platform.db.models import User as UserRow
from tests.helpers import PASSWORD, User, bearer, follow, make_user, post, register_app

PATCH = "/api/v1/accounts/update_credentials"


@pytest.fixture
async def alice(client: httpx.AsyncClient) -> User:
    return await make_user(client, await register_app(client), "alice")


async def preferences(client: httpx.AsyncClient, user: User) -> dict[str, object]:
    r = await client.get("/api/v1/preferences", headers=user.auth)
    assert r.status_code == 200, r.text
    body: dict[str, object] = r.json()
    return body


async def test_defaults_before_anything_is_set(client: httpx.AsyncClient, alice: User) -> None:
    assert await preferences(client, alice) == {
        "posting:default:visibility": "public",
        "posting:default:sensitive": False,
        "posting:default:language": None,
        "reading:expand:media": "default",
        "reading:expand:spoilers": False,
    }
    me = (await client.get("/api/v1/accounts/verify_credentials", headers=alice.auth)).json()
    assert (me["source"]["privacy"], me["source"]["sensitive"]) == ("public", False)
    assert me["source"]["language"] is None
    status = await post(client, alice, "hello")
    assert (status["visibility"], status["sensitive"]) == ("public", False)
    assert status["language"] == "en"  # her locale's, as Mastodon


async def test_set_as_a_form_and_as_json(client: httpx.AsyncClient, alice: User) -> None:
    form = {"source[privacy]": "unlisted", "source[sensitive]": "true", "source[language]": "de"}
    r = await client.patch(PATCH, headers=alice.auth, data=form)
    assert r.status_code == 200, r.text
    assert {k: r.json()["source"][k] for k in ("privacy", "sensitive", "language")} == {
        "privacy": "unlisted",
        "sensitive": True,
        "language": "de",
    }
    assert r.json()["display_name"] == ""  # the profile left as it was
    prefs = await preferences(client, alice)
    assert prefs["posting:default:visibility"] == "unlisted"
    assert prefs["posting:default:sensitive"] is True
    assert prefs["posting:default:language"] == "de"

    r = await client.patch(PATCH, headers=alice.auth, json={"source": {"privacy": "private"}})
    assert r.status_code == 200, r.text
    prefs = await preferences(client, alice)
    assert prefs["posting:default:visibility"] == "private"
    assert prefs["posting:default:sensitive"] is True  # untouched by a partial update
    r = await client.patch(PATCH, headers=alice.auth, json={"source": {"language": ""}})
    assert (await preferences(client, alice))["posting:default:language"] is None


async def test_a_status_posted_without_them_gets_them(
    client: httpx.AsyncClient, alice: User
) -> None:
    bob = await make_user(client, await register_app(client), "bob")
    await follow(client, bob, alice)
    form = {"source": {"privacy": "private", "sensitive": True, "language": "fr"}}
    assert (await client.patch(PATCH, headers=alice.auth, json=form)).status_code == 200

    status = await post(client, alice, "for my followers")
    assert (status["visibility"], status["sensitive"], status["language"]) == (
        "private",
        True,
        "fr",
    )
    anonymous = await client.get(f"/api/v1/statuses/{status['id']}")
    assert anonymous.status_code == 404  # really followers-only, not only labelled so
    seen = await client.get(f"/api/v1/statuses/{status['id']}", headers=bob.auth)
    assert seen.status_code == 200

    chosen = await post(
        client, alice, "to all", visibility="public", sensitive=False, language="en"
    )
    assert (chosen["visibility"], chosen["sensitive"], chosen["language"]) == (
        "public",
        False,
        "en",
    )


@pytest.mark.parametrize(
    "source",
    [
        {"privacy": "everyone"},
        {"privacy": "direct"},  # Mastodon keeps direct out of the defaults
        {"sensitive": "perhaps"},
        {"language": "english"},
        {"language": "e1"},
        "unlisted",
    ],
)
async def test_bad_preferences_are_refused_and_nothing_changes(
    app: Starlette, client: httpx.AsyncClient, alice: User, source: object
) -> None:
    body = {"display_name": "Changed", "source": source}
    r = await client.patch(PATCH, headers=alice.auth, json=body)
    assert r.status_code == 422, r.text
    assert r.json()["error"].startswith("Validation failed")
    me = (await client.get("/api/v1/accounts/verify_credentials", headers=alice.auth)).json()
    assert me["display_name"] == ""
    async with app.state.ctx.db() as db:
        stored = (
            await db.execute(select(UserRow.default_privacy, UserRow.default_sensitive))
        ).all()
    assert [tuple(row) for row in stored] == [("public", False)]


async def test_preferences_need_a_user_with_read_accounts(
    client: httpx.AsyncClient, alice: User
) -> None:
    assert (await client.get("/api/v1/preferences")).status_code == 401
    writer = await register_app(client, "write")
    token = await client.post(
        "/oauth/token",
        data={
            "grant_type": "password",
            "client_id": writer.client_id,
            "client_secret": writer.client_secret,
            "username": "alice",
            "password": PASSWORD,
            "scope": "write",
        },
    )
    assert token.status_code == 200, token.text
    r = await client.get("/api/v1/preferences", headers=bearer(token.json()["access_token"]))
    assert r.status_code == 403
