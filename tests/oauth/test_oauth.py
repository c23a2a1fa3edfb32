"""OAuth: the password, client_credentials and refresh_token grants, revocation, expiry."""

from __future__ import annotations

import asyncio
import base64

import httpx
from starlette.applications import Starlette

from tests.conftest import MakeApp
from tests.helpers import (
    PASSWORD,
    SCOPES,
    bearer,
    password_login,
    register_app,
    register_user,
)


async def _me(client: httpx.AsyncClient, token: str) -> int:
    r = await client.get("/api/v1/accounts/verify_credentials", headers=bearer(token))
    return r.status_code


async def test_password_grant_right_and_wrong(client: httpx.AsyncClient) -> None:
    app = await register_app(client)
    await register_user(client, app, "bob")
    ok = await password_login(client, app, "bob@example.com")
    assert ok.status_code == 200
    assert set(ok.json()) >= {"access_token", "token_type", "scope", "created_at", "refresh_token"}
    by_username = await password_login(client, app, "BOB")
    assert by_username.status_code == 200

    wrong = await password_login(client, app, "bob@example.com", "not the password")
    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_grant"
    unknown = await password_login(client, app, "nobody@example.com")
    assert unknown.status_code == 400
    assert unknown.json() == wrong.json()


async def test_client_authentication(client: httpx.AsyncClient) -> None:
    app = await register_app(client)
    await register_user(client, app, "carol")
    wrong_secret = await client.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": app.client_id,
            "client_secret": "nope",
        },
    )
    assert wrong_secret.status_code == 401
    assert wrong_secret.json()["error"] == "invalid_client"
    basic = base64.b64encode(f"{app.client_id}:{app.client_secret}".encode()).decode()
    via_basic = await client.post(
        "/oauth/token",
        headers={"Authorization": f"Basic {basic}"},
        data={"grant_type": "password", "username": "carol", "password": PASSWORD},
    )
    assert via_basic.status_code == 200, via_basic.text


async def test_grant_errors(client: httpx.AsyncClient) -> None:
    app = await register_app(client, scopes="read")
    creds = {"client_id": app.client_id, "client_secret": app.client_secret}
    r = await client.post("/oauth/token", data=creds)
    assert (r.status_code, r.json()["error"]) == (400, "invalid_request")
    r = await client.post("/oauth/token", data={**creds, "grant_type": "implicit"})
    assert (r.status_code, r.json()["error"]) == (400, "unsupported_grant_type")
    r = await client.post("/oauth/token", data={**creds, "grant_type": "authorization_code"})
    assert (r.status_code, r.json()["error"]) == (400, "invalid_request")  # no code
    r = await client.post(
        "/oauth/token", data={**creds, "grant_type": "client_credentials", "scope": "write"}
    )
    assert (r.status_code, r.json()["error"]) == (400, "invalid_scope")
    r = await client.post(
        "/oauth/token", data={**creds, "grant_type": "client_credentials", "scope": "bogus"}
    )
    assert (r.status_code, r.json()["error"]) == (400, "invalid_scope")
    r = await client.post("/oauth/token", data={**creds, "grant_type": "password"})
    assert (r.status_code, r.json()["error"]) == (400, "invalid_request")


async def test_refresh_rotates_and_old_tokens_stop_working(client: httpx.AsyncClient) -> None:
    app = await register_app(client)
    first = await register_user(client, app, "dave")
    creds = {"client_id": app.client_id, "client_secret": app.client_secret}

    r = await client.post(
        "/oauth/token",
        data={**creds, "grant_type": "refresh_token", "refresh_token": first["refresh_token"]},
    )
    assert r.status_code == 200, r.text
    second = r.json()
    assert second["access_token"] != first["access_token"]
    assert second["refresh_token"] != first["refresh_token"]
    assert second["scope"] == first["scope"]
    assert await _me(client, second["access_token"]) == 200
    assert await _me(client, first["access_token"]) == 401

    other = await register_app(client)
    stolen = await client.post(
        "/oauth/token",
        data={
            "client_id": other.client_id,
            "client_secret": other.client_secret,
            "grant_type": "refresh_token",
            "refresh_token": second["refresh_token"],
        },
    )
    assert (stolen.status_code, stolen.json()["error"]) == (400, "invalid_grant")

    narrower = await client.post(
        "/oauth/token",
        data={
            **creds,
            "grant_type": "refresh_token",
            "refresh_token": second["refresh_token"],
            "scope": "read",
        },
    )
    assert narrower.status_code == 200
    assert narrower.json()["scope"] == "read"


async def test_a_replayed_refresh_token_revokes_what_came_from_it(
    client: httpx.AsyncClient,
) -> None:
    """Rotation with reuse detection: a rotated refresh token presented again means it was
    copied; the thief or the owner holds its successor, so all of that grant goes."""
    app = await register_app(client)
    first = await register_user(client, app, "erin")
    creds = {"client_id": app.client_id, "client_secret": app.client_secret}
    other_app = await register_app(client)
    elsewhere = (
        await client.post(
            "/oauth/token",
            data={
                "client_id": other_app.client_id,
                "client_secret": other_app.client_secret,
                "grant_type": "password",
                "username": "erin@example.com",
                "password": PASSWORD,
                "scope": "read",
            },
        )
    ).json()
    second = (
        await client.post(
            "/oauth/token",
            data={**creds, "grant_type": "refresh_token", "refresh_token": first["refresh_token"]},
        )
    ).json()
    assert await _me(client, second["access_token"]) == 200

    replay = await client.post(
        "/oauth/token",
        data={**creds, "grant_type": "refresh_token", "refresh_token": first["refresh_token"]},
    )
    assert (replay.status_code, replay.json()["error"]) == (400, "invalid_grant")
    assert await _me(client, second["access_token"]) == 401  # the successor is gone
    again = await client.post(
        "/oauth/token",
        data={**creds, "grant_type": "refresh_token", "refresh_token": second["refresh_token"]},
    )
    assert again.status_code == 400
    assert await _me(client, elsewhere["access_token"]) == 200  # another app's grant stays

    never_issued = await client.post(
        "/oauth/token",
        data={**creds, "grant_type": "refresh_token", "refresh_token": "x" * 43},
    )
    assert never_issued.status_code == 400


async def test_revoke_access_and_refresh(client: httpx.AsyncClient) -> None:
    app = await register_app(client)
    token = await register_user(client, app, "erin")
    creds = {"client_id": app.client_id, "client_secret": app.client_secret}
    r = await client.post("/oauth/revoke", data={**creds, "token": token["access_token"]})
    assert r.status_code == 200
    assert r.json() == {}
    assert await _me(client, token["access_token"]) == 401
    refreshed = await client.post(
        "/oauth/token",
        data={**creds, "grant_type": "refresh_token", "refresh_token": token["refresh_token"]},
    )
    assert refreshed.status_code == 400

    bad_client = await client.post(
        "/oauth/revoke", data={"client_id": app.client_id, "client_secret": "x", "token": "t"}
    )
    assert bad_client.status_code == 403

    # Another app cannot revoke this app's token.
    fresh = (await password_login(client, app, "erin")).json()
    other = await register_app(client)
    await client.post(
        "/oauth/revoke",
        data={
            "client_id": other.client_id,
            "client_secret": other.client_secret,
            "token": fresh["access_token"],
        },
    )
    assert await _me(client, fresh["access_token"]) == 200


async def test_unknown_and_tampered_tokens_are_refused(client: httpx.AsyncClient) -> None:
    app = await register_app(client)
    token = (await register_user(client, app, "frank"))["access_token"]
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    for bad in (tampered, "x" * 43, "", "null", token + "x"):
        r = await client.get("/api/v1/accounts/verify_credentials", headers=bearer(bad))
        assert r.status_code == 401, bad
        assert r.json()["error"] == "The access token is invalid"
        assert "WWW-Authenticate" in r.headers
    anonymous = await client.get("/api/v1/accounts/verify_credentials")
    assert anonymous.status_code == 401


async def test_app_token_cannot_act_as_a_user(client: httpx.AsyncClient) -> None:
    app = await register_app(client)
    r = await client.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": app.client_id,
            "client_secret": app.client_secret,
            "scope": SCOPES,
        },
    )
    token = r.json()["access_token"]
    assert "refresh_token" not in r.json() or r.json()["refresh_token"] is None
    me = await client.get("/api/v1/accounts/verify_credentials", headers=bearer(token))
    assert me.status_code == 422
    verify = await client.get("/api/v1/apps/verify_credentials", headers=bearer(token))
    assert verify.status_code == 200
    assert verify.json()["name"] == "Test client"
    assert "client_secret" not in verify.json()


async def test_scopes_are_enforced(client: httpx.AsyncClient) -> None:
    app = await register_app(client, scopes="read write")
    await register_user(client, app, "gina")
    read_only = await client.post(
        "/oauth/token",
        data={
            "grant_type": "password",
            "client_id": app.client_id,
            "client_secret": app.client_secret,
            "username": "gina",
            "password": PASSWORD,
            "scope": "read",
        },
    )
    token = read_only.json()["access_token"]
    assert await _me(client, token) == 200
    r = await client.patch(
        "/api/v1/accounts/update_credentials", headers=bearer(token), json={"display_name": "x"}
    )
    assert r.status_code == 403


async def test_idle_expiry(make_app: MakeApp) -> None:
    app: Starlette = await make_app(access_idle_ttl_s=1)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        client_app = await register_app(c)
        token = (await register_user(c, client_app, "hank"))["access_token"]
        await asyncio.sleep(0.6)
        assert await _me(c, token) == 200  # activity slides the idle window
        await asyncio.sleep(0.6)
        assert await _me(c, token) == 200
        await asyncio.sleep(1.3)
        assert await _me(c, token) == 401


async def test_absolute_expiry_despite_activity(make_app: MakeApp) -> None:
    app: Starlette = await make_app(access_absolute_ttl_s=2)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        client_app = await register_app(c)
        token = (await register_user(c, client_app, "ivy"))["access_token"]
        for _ in range(3):
            await asyncio.sleep(0.5)
            assert await _me(c, token) == 200
        await asyncio.sleep(0.8)
        assert await _me(c, token) == 401


async def test_session_cap_evicts_the_oldest(make_app: MakeApp) -> None:
    app: Starlette = await make_app(max_sessions_per_user=3)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        client_app = await register_app(c)
        tokens = [(await register_user(c, client_app, "jack"))["access_token"]]
        for _ in range(4):
            tokens.append((await password_login(c, client_app, "jack")).json()["access_token"])
        statuses = [await _me(c, t) for t in tokens]
        assert statuses == [401, 401, 200, 200, 200]


async def test_list_and_revoke_sessions(client: httpx.AsyncClient) -> None:
    app = await register_app(client)
    first = (await register_user(client, app, "kate"))["access_token"]
    r = await client.post(
        "/oauth/token",
        headers={"User-Agent": "PhoneApp/1.0"},
        data={
            "grant_type": "password",
            "client_id": app.client_id,
            "client_secret": app.client_secret,
            "username": "kate",
            "password": PASSWORD,
            "scope": SCOPES,
        },
    )
    second = r.json()
    listed = await client.get("/api/v1/sessions", headers=bearer(first))
    assert listed.status_code == 200
    sessions = listed.json()
    assert len(sessions) == 2
    assert [s["current"] for s in sessions] == [False, True]
    assert sessions[0]["user_agent"] == "PhoneApp/1.0"
    assert sessions[0]["app"] == {"name": "Test client"}
    assert first not in listed.text
    assert second["access_token"] not in listed.text

    gone = await client.delete(f"/api/v1/sessions/{sessions[0]['id']}", headers=bearer(first))
    assert gone.status_code == 200
    assert await _me(client, second["access_token"]) == 401
    refresh = await client.post(
        "/oauth/token",
        data={
            "grant_type": "refresh_token",
            "client_id": app.client_id,
            "client_secret": app.client_secret,
            "refresh_token": second["refresh_token"],
        },
    )
    assert refresh.status_code == 400
    assert await _me(client, first) == 200
    missing = await client.delete("/api/v1/sessions/nope", headers=bearer(first))
    assert missing.status_code == 404


async def test_well_known_metadata(client: httpx.AsyncClient) -> None:
    r = await client.get("/.well-known/oauth-authorization-server")
    assert r.status_code == 200
    body = r.json()
    assert set(body["grant_types_supported"]) == {
        "authorization_code",
        "password",
        "client_credentials",
        "refresh_token",
    }
    assert body["token_endpoint"].endswith("/oauth/token")
    assert body["authorization_endpoint"].endswith("/oauth/authorize")
    assert body["userinfo_endpoint"].endswith("/oauth/userinfo")
    assert body["response_types_supported"] == ["code"]
    assert body["code_challenge_methods_supported"] == ["S256"]
    assert "write:accounts" in body["scopes_supported"]
