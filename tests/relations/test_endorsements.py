"""Endorsements (accounts featured on a profile): only an account you follow (else Mastodon's
422, nothing written), shown in your list, theirs to anyone, and `endorsed` in the
relationship; unfollowing takes the endorsement with it."""

from __future__ import annotations

import httpx
from starlette.applications import Starlette

from tests.helpers import follow, make_user, register_app
from tests.relations.helpers import relationship


async def test_endorse_only_whom_you_follow(app: Starlette, client: httpx.AsyncClient) -> None:
    client_app = await register_app(client)
    alice, bob, carol = [await make_user(client, client_app, n) for n in ("alice", "bob", "carol")]
    r = await client.post(f"/api/v1/accounts/{bob.id}/pin", headers=alice.auth)
    assert r.status_code == 422
    assert r.json() == {
        "error": "Validation failed: You must be already following the person you want to endorse"
    }
    assert (await relationship(client, alice, bob))["endorsed"] is False
    r = await client.get("/api/v1/endorsements", headers=alice.auth)
    assert r.json() == []

    await follow(client, alice, bob)
    await follow(client, alice, carol)
    for target in (bob, carol):
        r = await client.post(f"/api/v1/accounts/{target.id}/pin", headers=alice.auth)
        assert r.status_code == 200, r.text
        assert r.json()["endorsed"] is True
    r = await client.post(f"/api/v1/accounts/{bob.id}/endorse", headers=alice.auth)
    assert r.status_code == 200  # Mastodon 4.4's name, and idempotent
    r = await client.get("/api/v1/endorsements", headers=alice.auth)
    assert [a["username"] for a in r.json()] == ["carol", "bob"]
    r = await client.get("/api/v1/endorsements", headers=alice.auth, params={"limit": 1})
    assert [a["username"] for a in r.json()] == ["carol"]
    assert 'rel="next"' in r.headers["Link"]
    r = await client.get(f"/api/v1/accounts/{alice.id}/endorsements")  # public
    assert [a["username"] for a in r.json()] == ["carol", "bob"]

    r = await client.post(f"/api/v1/accounts/{carol.id}/unpin", headers=alice.auth)
    assert r.json()["endorsed"] is False
    await client.post(f"/api/v1/accounts/{bob.id}/unfollow", headers=alice.auth)
    assert (await relationship(client, alice, bob))["endorsed"] is False
    r = await client.get("/api/v1/endorsements", headers=alice.auth)
    assert r.json() == []


async def test_unknown_accounts_are_not_found(app: Starlette, client: httpx.AsyncClient) -> None:
    client_app = await register_app(client)
    alice = await make_user(client, client_app, "alice")
    for path in (
        "/api/v1/accounts/123/pin",
        "/api/v1/accounts/123/unpin",
        "/api/v1/accounts/abc/pin",
        "/api/v1/accounts/123/remove_from_followers",
    ):
        r = await client.post(path, headers=alice.auth)
        assert r.status_code == 404, path
        assert r.json() == {"error": "Record not found"}
    r = await client.get("/api/v1/accounts/123/endorsements")
    assert r.status_code == 404
    r = await client.get("/api/v1/endorsements")
    assert r.status_code == 401
