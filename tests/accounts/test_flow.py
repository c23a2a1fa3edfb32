"""The whole client journey: app -> account -> token -> profile -> edit -> the change shows."""

from __future__ import annotations

import httpx

from tests.helpers import bearer, password_login, register_app, register_user


async def test_register_login_and_edit_profile(client: httpx.AsyncClient) -> None:
    app = await register_app(client)
    assert app.body["name"] == "Test client"
    assert app.body["scopes"] == ["read", "write", "follow", "push"]

    token = await register_user(client, app, "alice")
    assert token["token_type"] == "Bearer"
    assert token["scope"] == "read write follow push"

    me = await client.get(
        "/api/v1/accounts/verify_credentials", headers=bearer(token["access_token"])
    )
    assert me.status_code == 200, me.text
    account = me.json()
    assert account["username"] == "alice"
    assert account["acct"] == "alice"
    assert account["source"]["note"] == ""
    assert account["id"].isdigit()

    public = await client.get(f"/api/v1/accounts/{account['id']}")
    assert public.status_code == 200
    assert public.json()["display_name"] == ""
    assert "source" not in public.json()

    patched = await client.patch(
        "/api/v1/accounts/update_credentials",
        headers=bearer(token["access_token"]),
        json={"display_name": "Alice A.", "note": "Hello <world>\nline two", "locked": True},
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["display_name"] == "Alice A."
    assert patched.json()["note"] == "<p>Hello &lt;world&gt;<br />line two</p>"
    assert patched.json()["source"]["note"] == "Hello <world>\nline two"

    # The cached public profile shows the change at once.
    again = await client.get(f"/api/v1/accounts/{account['id']}")
    assert again.json()["display_name"] == "Alice A."
    assert again.json()["locked"] is True

    found = await client.get("/api/v1/accounts/lookup", params={"acct": "@ALICE"})
    assert found.status_code == 200
    assert found.json()["id"] == account["id"]

    login = await password_login(client, app, "alice@example.com")
    assert login.status_code == 200, login.text
    assert login.json()["access_token"] != token["access_token"]
