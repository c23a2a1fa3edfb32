"""Steps a Mastodon client takes, over HTTP."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from tests import logscan

SCOPES = "read write follow push"
PASSWORD = "correct horse battery staple"


@dataclass
class ClientApp:
    client_id: str
    client_secret: str
    body: dict[str, Any]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def register_app(client: httpx.AsyncClient, scopes: str = SCOPES) -> ClientApp:
    r = await client.post(
        "/api/v1/apps",
        data={
            "client_name": "Test client",
            "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
            "scopes": scopes,
            "website": "https://client.example",
        },
    )
    assert r.status_code == 200, r.text
    body = r.json()
    logscan.remember(body["client_secret"])
    return ClientApp(body["client_id"], body["client_secret"], body)


async def app_token(client: httpx.AsyncClient, app: ClientApp, scope: str = SCOPES) -> str:
    r = await client.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": app.client_id,
            "client_secret": app.client_secret,
            "scope": scope,
        },
    )
    assert r.status_code == 200, r.text
    token: str = r.json()["access_token"]
    return token


async def register_user(
    client: httpx.AsyncClient,
    app: ClientApp,
    username: str = "alice",
    *,
    email: str | None = None,
    password: str = PASSWORD,
) -> dict[str, Any]:
    """Register an account with an app token; returns the Token entity."""
    token = await app_token(client, app, " ".join(app.body["scopes"]))
    r = await client.post(
        "/api/v1/accounts",
        headers=bearer(token),
        json={
            "username": username,
            "email": email or f"{username}@example.com",
            "password": password,
            "agreement": True,
            "locale": "en",
        },
    )
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def password_login(
    client: httpx.AsyncClient, app: ClientApp, username: str, password: str = PASSWORD
) -> httpx.Response:
    return await client.post(
        "/oauth/token",
        data={
            "grant_type": "password",
            "client_id": app.client_id,
            "client_secret": app.client_secret,
            "username": username,
            "password": password,
            "scope": SCOPES,
        },
    )


@dataclass
class User:
    id: str
    token: str
    username: str

    @property
    def auth(self) -> dict[str, str]:
        return bearer(self.token)


async def make_user(client: httpx.AsyncClient, app: ClientApp, username: str) -> User:
    token = (await register_user(client, app, username))["access_token"]
    me = await client.get("/api/v1/accounts/verify_credentials", headers=bearer(token))
    return User(me.json()["id"], token, username)


async def post(client: httpx.AsyncClient, user: User, text: str, **fields: Any) -> dict[str, Any]:
    r = await client.post("/api/v1/statuses", headers=user.auth, json={"status": text, **fields})
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def follow(client: httpx.AsyncClient, user: User, target: User) -> None:
    r = await client.post(f"/api/v1/accounts/{target.id}/follow", headers=user.auth)
    assert r.status_code == 200, r.text


async def home_ids(client: httpx.AsyncClient, user: User, **params: Any) -> list[str]:
    r = await client.get("/api/v1/timelines/home", headers=user.auth, params=params)
    assert r.status_code == 200, r.text
    return [s["id"] for s in r.json()]


async def followed(
    http: httpx.AsyncClient, author: str, *followers: str
) -> tuple[User, list[User]]:
    """A new client app; `author` and `followers` signed up, each follower following `author`
    with their home feed built (empty): from then on, fan-out fills it."""
    app = await register_app(http)
    leader = await make_user(http, app, author)
    fans = [await make_user(http, app, name) for name in followers]
    for fan in fans:
        await follow(http, fan, leader)
        assert await home_ids(http, fan) == []  # built, and empty: one page
    return leader, fans
