"""Admins announcing, people reading: the steps both test modules take."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx

from social.platform.db.types import utcnow
from tests.helpers import PASSWORD, ClientApp, bearer


def rfc3339(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def days_from_now(days: float) -> str:
    return rfc3339(utcnow() + timedelta(days=days))


async def announce(
    client: httpx.AsyncClient, admin: dict[str, str], text: str, **fields: Any
) -> dict[str, Any]:
    r = await client.post(
        "/api/v1/admin/announcements", headers=admin, json={"text": text, **fields}
    )
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def shown(client: httpx.AsyncClient, person: dict[str, str]) -> list[dict[str, Any]]:
    """What a Mastodon app shows: GET /api/v1/announcements."""
    r = await client.get("/api/v1/announcements", headers=person)
    assert r.status_code == 200, r.text
    body: list[dict[str, Any]] = r.json()
    return body


async def token_for(
    client: httpx.AsyncClient, client_app: ClientApp, username: str, scope: str
) -> dict[str, str]:
    """A sign-in of `username` (password grant) asking for `scope` only."""
    form = {
        "grant_type": "password",
        "client_id": client_app.client_id,
        "client_secret": client_app.client_secret,
        "username": username,
        "password": PASSWORD,
        "scope": scope,
    }
    r = await client.post("/oauth/token", data=form)
    assert r.status_code == 200, r.text
    assert r.json()["scope"] == scope
    return bearer(r.json()["access_token"])
