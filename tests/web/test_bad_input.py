"""Bad input gets a clear JSON 4xx and writes nothing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from starlette.applications import Starlette

from social.platform.db.models import Account, Application, User
from tests.conftest import MakeApp
from tests.helpers import PASSWORD, app_token, bearer, register_app, register_user


async def _count(app: Starlette, model: Any) -> int:
    async with app.state.ctx.db() as db:
        return int((await db.execute(select(func.count()).select_from(model))).scalar_one())


GOOD = {
    "username": "newbie",
    "email": "newbie@example.com",
    "password": PASSWORD,
    "agreement": True,
    "locale": "en",
}


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"username": ""}, "username", "ERR_BLANK"),
        ({"username": None}, "username", "ERR_BLANK"),
        ({"username": "has space"}, "username", "ERR_INVALID"),
        ({"username": "x" * 31}, "username", "ERR_TOO_LONG"),
        ({"username": "root"}, "username", "ERR_RESERVED"),
        ({"username": 12345}, "username", "ERR_INVALID"),
        ({"email": "not-an-email"}, "email", "ERR_INVALID"),
        ({"email": ""}, "email", "ERR_BLANK"),
        ({"email": "a@" + "b" * 320 + ".com"}, "email", "ERR_TOO_LONG"),
        ({"password": ""}, "password", "ERR_BLANK"),
        ({"password": "short"}, "password", "ERR_TOO_SHORT"),
        ({"password": "password123"}, "password", "ERR_INVALID"),
        ({"password": "newbie@example.com"}, "password", "ERR_INVALID"),
        ({"password": "x" * 129}, "password", "ERR_TOO_LONG"),
        ({"agreement": False}, "agreement", "ERR_ACCEPTED"),
        ({"agreement": "maybe"}, "agreement", "ERR_INVALID"),
        ({"locale": "english please"}, "locale", "ERR_INVALID"),
    ],
)
async def test_registration_rejects_bad_fields(
    app: Starlette, client: httpx.AsyncClient, change: dict[str, Any], field: str, code: str
) -> None:
    """Each refusal under its field's own name with Mastodon's code: what a sign-up form shows
    beside that field."""
    client_app = await register_app(client)
    token = await app_token(client, client_app)
    body = {**GOOD, **change}
    r = await client.post("/api/v1/accounts", headers=bearer(token), json=body)
    assert r.status_code == 422, r.text
    error = r.json()
    assert error["error"].startswith("Validation failed")
    assert set(error["details"]) == {field}, error
    assert error["details"][field][0]["error"] == code, error
    assert await _count(app, Account) == 0
    assert await _count(app, User) == 0


async def test_registration_reports_every_bad_field_at_once(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    token = await app_token(client, await register_app(client))
    body = {"username": "root", "email": "nope", "password": "short"}
    r = await client.post("/api/v1/accounts", headers=bearer(token), data=body)
    assert r.status_code == 422
    codes = {field: items[0]["error"] for field, items in r.json()["details"].items()}
    assert codes == {
        "username": "ERR_RESERVED",
        "email": "ERR_INVALID",
        "password": "ERR_TOO_SHORT",
        "agreement": "ERR_ACCEPTED",
    }
    assert await _count(app, Account) == 0


@pytest.mark.parametrize(
    ("missing", "code"),
    [
        ("username", "ERR_BLANK"),
        ("email", "ERR_BLANK"),
        ("password", "ERR_BLANK"),
        ("agreement", "ERR_ACCEPTED"),
    ],
)
async def test_registration_requires_fields(
    app: Starlette, client: httpx.AsyncClient, missing: str, code: str
) -> None:
    token = await app_token(client, await register_app(client))
    body = {k: v for k, v in GOOD.items() if k != missing}
    r = await client.post("/api/v1/accounts", headers=bearer(token), data=body)
    assert r.status_code == 422
    assert r.json()["details"][missing][0]["error"] == code
    assert await _count(app, Account) == 0


async def test_duplicate_username_and_email(app: Starlette, client: httpx.AsyncClient) -> None:
    client_app = await register_app(client)
    await register_user(client, client_app, "taken", email="taken@example.com")
    token = await app_token(client, client_app)
    for body, fields in (
        ({**GOOD, "username": "TAKEN"}, {"username"}),
        ({**GOOD, "email": "Taken@Example.com"}, {"email"}),
        ({**GOOD, "username": "taken", "email": "taken@example.com"}, {"username", "email"}),
    ):
        r = await client.post("/api/v1/accounts", headers=bearer(token), json=body)
        assert r.status_code == 422, r.text
        assert set(r.json()["details"]) == fields
        assert r.json()["details"][next(iter(fields))][0]["error"] == "ERR_TAKEN"
    assert await _count(app, Account) == 1


async def test_registration_takes_any_token_with_write_accounts(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    """As Mastodon: an app token or a signed-in person's, as long as it holds write:accounts;
    the new account's token belongs to the same app."""
    r = await client.post("/api/v1/accounts", json=GOOD)
    assert r.status_code == 401
    read_only = await app_token(client, await register_app(client, scopes="read"), "read")
    r = await client.post("/api/v1/accounts", headers=bearer(read_only), json=GOOD)
    assert r.status_code == 403
    assert await _count(app, Account) == 0

    client_app = await register_app(client)
    user_token = (await register_user(client, client_app, "someone"))["access_token"]
    r = await client.post("/api/v1/accounts", headers=bearer(user_token), json=GOOD)
    assert r.status_code == 200, r.text
    me = await client.get(
        "/api/v1/accounts/verify_credentials", headers=bearer(r.json()["access_token"])
    )
    assert me.json()["username"] == "newbie"
    assert await _count(app, Account) == 2


async def test_closed_registrations(make_app: MakeApp) -> None:
    app: Starlette = await make_app(registrations_open=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        token = await app_token(c, await register_app(c))
        r = await c.post("/api/v1/accounts", headers=bearer(token), json=GOOD)
        assert r.status_code == 403
        assert r.json() == {"error": "Registrations are closed"}


async def test_malformed_and_unsupported_bodies(app: Starlette, client: httpx.AsyncClient) -> None:
    token = await app_token(client, await register_app(client))
    headers = {**bearer(token), "Content-Type": "application/json"}
    r = await client.post("/api/v1/accounts", headers=headers, content=b"{not json")
    assert (r.status_code, r.json()) == (400, {"error": "Malformed JSON body"})
    r = await client.post("/api/v1/accounts", headers=headers, content=b"[1, 2]")
    assert r.status_code == 422
    r = await client.post(
        "/api/v1/accounts",
        headers={**bearer(token), "Content-Type": "text/plain"},
        content=b"username=x",
    )
    assert r.status_code == 415
    assert "error" in r.json()
    assert await _count(app, Account) == 0


async def test_oversized_body_is_413(make_app: MakeApp) -> None:
    app: Starlette = await make_app(max_body_bytes=1000)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        r = await c.post("/api/v1/apps", json={"client_name": "x" * 2000})
        assert r.status_code == 413
        assert r.json() == {"error": "Request entity too large"}

        async def chunks() -> Any:
            for _ in range(5):
                yield b"x" * 400

        r = await c.post(
            "/api/v1/apps", content=chunks(), headers={"Content-Type": "application/json"}
        )
        assert r.status_code == 413
        assert await _count(app, Application) == 0


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"client_name": ""},
        {"client_name": "x" * 61},
        {"client_name": "ok", "scopes": "read launch:missiles"},
        {"client_name": "ok", "redirect_uris": "not a uri"},
        {"client_name": "ok", "website": "javascript:alert(1)"},
        {"client_name": ["a", "b"]},
    ],
)
async def test_app_registration_rejects_bad_fields(
    app: Starlette, client: httpx.AsyncClient, body: dict[str, Any]
) -> None:
    r = await client.post("/api/v1/apps", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["error"].startswith("Validation failed")
    assert await _count(app, Application) == 0


@pytest.mark.parametrize(
    "body",
    [
        {"display_name": "x" * 31},
        {"note": "x" * 501},
        {"locked": "perhaps"},
        {"bot": [True]},
        {"display_name": 5},
    ],
)
async def test_update_credentials_rejects_bad_fields(
    client: httpx.AsyncClient, body: dict[str, Any]
) -> None:
    token = (await register_user(client, await register_app(client), "pat"))["access_token"]
    r = await client.patch("/api/v1/accounts/update_credentials", headers=bearer(token), json=body)
    assert r.status_code == 422, r.text
    me = await client.get("/api/v1/accounts/verify_credentials", headers=bearer(token))
    assert me.json()["display_name"] == ""
    assert me.json()["locked"] is False


async def test_update_credentials_accepts_forms(client: httpx.AsyncClient) -> None:
    token = (await register_user(client, await register_app(client), "quin"))["access_token"]
    r = await client.patch(
        "/api/v1/accounts/update_credentials",
        headers=bearer(token),
        data={"display_name": "Quin", "bot": "true", "source[privacy]": "public"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["display_name"] == "Quin"
    assert r.json()["bot"] is True


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/accounts/0",
        "/api/v1/accounts/abc",
        "/api/v1/accounts/99999999999999999999999",
        "/api/v1/accounts/-1",
        "/api/v1/accounts/lookup?acct=nobody",
        "/api/v1/accounts/lookup?acct=alice@elsewhere.example",
        "/api/v1/no/such/route",
    ],
)
async def test_unknown_things_are_404(client: httpx.AsyncClient, path: str) -> None:
    r = await client.get(path)
    assert r.status_code == 404
    assert r.json() == {"error": "Record not found"}


async def test_lookup_requires_acct(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/accounts/lookup")
    assert r.status_code == 422
    assert "acct" in r.json()["details"]


async def test_wrong_method_is_405_json(client: httpx.AsyncClient) -> None:
    r = await client.delete("/api/v1/instance")
    assert r.status_code == 405
    assert r.json() == {"error": "Method not allowed"}
