"""An admin with an admin-scoped token, users posting tags, the dashboard's HTTPS client."""

from __future__ import annotations

import httpx
from starlette.applications import Starlette

from social.accounts.service import create_account
from tests.helpers import PASSWORD, User, make_user, post, register_app

ADMIN_SCOPES = "read write admin:read admin:write"


async def make_admin(app: Starlette, client: httpx.AsyncClient, username: str = "boss") -> str:
    """Creates an admin; returns a token with the admin scopes."""
    async with app.state.ctx.db() as db:
        await create_account(
            db, username=username, email=f"{username}@example.com", password=PASSWORD, role="admin"
        )
    admin_app = await register_app(client, scopes=ADMIN_SCOPES)
    r = await client.post(
        "/oauth/token",
        data={
            "grant_type": "password",
            "client_id": admin_app.client_id,
            "client_secret": admin_app.client_secret,
            "username": username,
            "password": PASSWORD,
            "scope": ADMIN_SCOPES,
        },
    )
    assert r.status_code == 200, r.text
    token: str = r.json()["access_token"]
    return token


async def make_users(client: httpx.AsyncClient, n: int, prefix: str = "user") -> list[User]:
    client_app = await register_app(client)
    return [await make_user(client, client_app, f"{prefix}{i}") for i in range(n)]


async def everyone_posts(
    client: httpx.AsyncClient, users: list[User], text: str, **fields: str
) -> list[str]:
    return [(await post(client, u, text, **fields))["id"] for u in users]


def https_client(app: Starlette) -> httpx.AsyncClient:
    """Over https, so the client keeps and sends the Secure `__Host-` cookie."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://localhost")
