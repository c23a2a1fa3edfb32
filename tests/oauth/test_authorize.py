"""Signing in as Mastodon apps do: `/oauth/authorize` in a browser (sign-in page, consent page),
then the code exchanged at `/oauth/token`, with PKCE. Each refusal as RFC 6749 words it, and
nothing issued when refused."""

from __future__ import annotations

import base64
import hashlib
import html
import re
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from starlette.applications import Starlette

from social.oauth.codes import s256
from tests.conftest import MakeApp
from tests.helpers import PASSWORD, bearer, make_user, register_app

REDIRECT = "https://client.example/callback"
OOB = "urn:ietf:wg:oauth:2.0:oob"


@dataclass
class Client:
    client_id: str
    client_secret: str

    def form(self) -> dict[str, str]:
        return {"client_id": self.client_id, "client_secret": self.client_secret}


def browser_for(app: Starlette) -> httpx.AsyncClient:
    """A browser: cookies kept (the pages' cookies are Secure: https), redirects not followed."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://localhost")


async def new_client(http: httpx.AsyncClient, redirect: str = REDIRECT) -> Client:
    r = await http.post(
        "/api/v1/apps",
        data={
            "client_name": "Tusky",
            "redirect_uris": f"{redirect} {OOB}",
            "scopes": "read write follow profile",
            "website": "https://tusky.example",
        },
    )
    assert r.status_code == 200, r.text
    return Client(r.json()["client_id"], r.json()["client_secret"])


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def hidden(page: str) -> dict[str, str]:
    """The hidden fields of the page's first form."""
    form = page.split("</form>")[0]
    found = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form)
    return {name: html.unescape(value) for name, value in found}


def query_of(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


async def sign_in(browser: httpx.AsyncClient, page: httpx.Response, login: str) -> httpx.Response:
    assert page.status_code == 200, page.text
    assert 'autocomplete="current-password"' in page.text
    form = {**hidden(page.text), "user[email]": login, "user[password]": PASSWORD}
    return await browser.post("/auth/sign_in", data=form)


async def approve(browser: httpx.AsyncClient, consent: httpx.Response) -> httpx.Response:
    assert consent.status_code == 200, consent.text
    return await browser.post("/oauth/authorize", data=hidden(consent.text))


async def consent_for(browser: httpx.AsyncClient, ask: dict[str, str]) -> httpx.Response:
    """Sign in as alice from the authorize page: the consent page that follows."""
    page = await browser.get("/oauth/authorize", params=ask)
    signed_in = await sign_in(browser, page, "alice")
    assert signed_in.status_code == 303, signed_in.text
    return await browser.get(signed_in.headers["location"])


async def exchange(http: httpx.AsyncClient, client: Client, **form: str) -> httpx.Response:
    body = {"grant_type": "authorization_code", "redirect_uri": REDIRECT, **client.form(), **form}
    return await http.post("/oauth/token", data=body)


@pytest.fixture
async def world(make_app: MakeApp) -> Any:
    app = await make_app()
    async with browser_for(app) as browser:
        setup = await register_app(browser)
        alice = await make_user(browser, setup, "alice")
        client = await new_client(browser)
        yield app, browser, client, alice


async def test_an_app_signs_in_with_a_code_and_pkce(world: Any) -> None:
    _app, browser, client, alice = world
    verifier, challenge = pkce()
    ask = {
        "response_type": "code",
        "client_id": client.client_id,
        "redirect_uri": REDIRECT,
        "scope": "read write",
        "state": "s&t=1",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "lang": "en",  # unknown parameters are ignored
    }
    page = await browser.get("/oauth/authorize", params=ask)
    assert page.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert "Tusky" in page.text
    signed_in = await sign_in(browser, page, "alice@example.com")  # by e-mail
    assert signed_in.status_code == 303
    consent = await browser.get(signed_in.headers["location"])
    assert "Authorize Tusky?" in consent.text
    assert "https://tusky.example" in consent.text
    assert "read all your account&#39;s data" in consent.text
    assert "change all your account&#39;s data" in consent.text
    assert "@alice" in consent.text
    answer = await approve(browser, consent)
    assert answer.status_code == 302
    location = answer.headers["location"]
    assert location.startswith(REDIRECT + "?")
    got = query_of(location)
    assert got["state"] == "s&t=1"

    token = await exchange(browser, client, code=got["code"], code_verifier=verifier)
    assert token.status_code == 200, token.text
    assert token.json()["scope"] == "read write"
    me = await browser.get(
        "/api/v1/accounts/verify_credentials", headers=bearer(token.json()["access_token"])
    )
    assert me.json()["id"] == alice.id

    again = await exchange(browser, client, code=got["code"], code_verifier=verifier)
    assert (again.status_code, again.json()["error"]) == (400, "invalid_grant")
    gone = await browser.get(
        "/api/v1/accounts/verify_credentials", headers=bearer(token.json()["access_token"])
    )
    assert gone.status_code == 401  # a replayed code takes back what it gave


async def test_consent_is_skipped_when_granted_and_asked_again_with_force_login(world: Any) -> None:
    _app, browser, client, _alice = world
    ask = {"response_type": "code", "client_id": client.client_id, "redirect_uri": REDIRECT}
    consent = await consent_for(browser, ask)
    code = query_of((await approve(browser, consent)).headers["location"])["code"]
    assert (await exchange(browser, client, code=code)).status_code == 200  # no challenge sent

    for spelled in ("", "false", "False", "0"):  # Mastodon.py sends Python's `False`
        again = {**ask, "force_login": spelled}
        second = await browser.get("/oauth/authorize", params=again)
        assert second.status_code == 302  # signed in, and this grant held: the code at once
        assert "code" in query_of(second.headers["location"])

    for spelled in ("True", "1"):
        forced = await browser.get("/oauth/authorize", params={**ask, "force_login": spelled})
        assert "user[password]" in forced.text
    forced = await browser.get("/oauth/authorize", params={**ask, "force_login": "true"})
    assert "user[password]" in forced.text  # signed in, but asked to sign in again
    after = await sign_in(browser, forced, "alice")
    consent = await browser.get(after.headers["location"])
    assert "Authorize Tusky?" in consent.text  # and then asked, though granted before


async def test_deny_tells_the_client_and_issues_nothing(world: Any) -> None:
    app, browser, client, alice = world
    ask = {
        "response_type": "code",
        "client_id": client.client_id,
        "redirect_uri": REDIRECT,
        "state": "abc",
    }
    consent = await consent_for(browser, ask)
    form = {**hidden(consent.text.split("</form>")[1] + "</form>"), "decision": "deny"}
    r = await browser.post("/oauth/authorize", data=form)
    assert r.status_code == 302
    assert query_of(r.headers["location"]) == {
        "error": "access_denied",
        "error_description": "The resource owner denied the request.",
        "state": "abc",
    }
    tokens = await app.state.ctx.tokens.list(alice.id)
    assert len(tokens) == 1  # the one she signed up with


async def test_out_of_band_shows_the_code_to_copy(world: Any) -> None:
    _app, browser, client, _alice = world
    ask = {"response_type": "code", "client_id": client.client_id, "redirect_uri": OOB}
    consent = await consent_for(browser, ask)
    shown = await approve(browser, consent)
    assert shown.status_code == 200
    code = re.search(r'id="code" type="text" value="([^"]+)"', shown.text)
    assert code is not None
    r = await exchange(browser, client, code=code.group(1), redirect_uri=OOB)
    assert r.status_code == 200, r.text


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"client_id": "nobody"}, "This application is not known here."),
        ({"redirect_uri": "https://evil.example/cb"}, "not one this application registered"),
    ],
)
async def test_no_client_to_tell_is_an_error_page_never_a_redirect(
    world: Any, change: dict[str, str], problem: str
) -> None:
    _app, browser, client, _alice = world
    ask = {"response_type": "code", "client_id": client.client_id, "redirect_uri": REDIRECT}
    r = await browser.get("/oauth/authorize", params={**ask, **change})
    assert r.status_code == 400
    assert "location" not in r.headers
    assert problem in r.text


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"scope": "read admin:write"}, "invalid_scope"),
        ({"scope": "read nonsense"}, "invalid_scope"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"code_challenge": "x" * 43, "code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge": "short", "code_challenge_method": "S256"}, "invalid_request"),
    ],
)
async def test_a_bad_request_is_refused_on_the_redirect_uri(
    world: Any, change: dict[str, str], error: str
) -> None:
    _app, browser, client, _alice = world
    ask = {
        "response_type": "code",
        "client_id": client.client_id,
        "redirect_uri": REDIRECT,
        "state": "z",
    }
    r = await browser.get("/oauth/authorize", params={**ask, **change})
    assert r.status_code == 302
    got = query_of(r.headers["location"])
    assert (got["error"], got["state"]) == (error, "z")


async def test_codes_work_once_for_their_client_uri_and_verifier(world: Any) -> None:
    app, browser, client, _alice = world
    other = await new_client(browser)
    verifier, challenge = pkce()
    ask = {
        "response_type": "code",
        "client_id": client.client_id,
        "redirect_uri": REDIRECT,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    consent = await consent_for(browser, ask)
    csrf = hidden(consent.text)["csrf"]

    async def code() -> str:
        r = await browser.post(
            "/oauth/authorize", data={**ask, "csrf": csrf, "decision": "approve"}
        )
        return query_of(r.headers["location"])["code"]

    refusals = [
        ({"code_verifier": "w" * 43}, "invalid_grant"),  # the wrong verifier
        ({}, "invalid_request"),  # none, though a challenge was sent
        ({"code_verifier": verifier, "redirect_uri": REDIRECT + "/x"}, "invalid_grant"),
    ]
    for extra, error in refusals:
        r = await exchange(browser, client, code=await code(), **extra)
        assert (r.status_code, r.json()["error"]) == (400, error), extra
    r = await exchange(browser, other, code=await code(), code_verifier=verifier)
    assert (r.status_code, r.json()["error"]) == (400, "invalid_grant")  # another client's
    r = await exchange(browser, client, code="not-a-code-" + "x" * 20, code_verifier=verifier)
    assert r.json()["error"] == "invalid_grant"

    expired = await code()
    key = app.state.ctx.keys.authorization_code(hashlib.sha256(expired.encode()).hexdigest())
    await app.state.ctx.redis.delete(key)  # as ten minutes would
    r = await exchange(browser, client, code=expired, code_verifier=verifier)
    assert r.json()["error"] == "invalid_grant"
    assert await app.state.ctx.tokens.list("0") == []

    fine = await code()
    r = await browser.post(  # as JSON, with a scope to ignore
        "/oauth/token",
        json={"grant_type": "authorization_code", "code": fine, "code_verifier": verifier,
              "redirect_uri": REDIRECT, "scope": "admin:write", **client.form()},
    )  # fmt: skip
    assert r.status_code == 200, r.text
    assert r.json()["scope"] == "read"
    assert s256(verifier) == challenge


async def test_the_sign_in_form_needs_its_csrf_token_and_says_one_thing_on_failure(
    world: Any,
) -> None:
    _app, browser, client, _alice = world
    ask = {"response_type": "code", "client_id": client.client_id, "redirect_uri": REDIRECT}
    page = await browser.get("/oauth/authorize", params=ask)
    form = {**hidden(page.text), "user[email]": "alice", "user[password]": PASSWORD}
    r = await browser.post("/auth/sign_in", data={**form, "csrf": "forged"})
    assert r.status_code == 403
    assert "__Host-oauth=" not in r.headers.get("set-cookie", "")
    for login, password in [("alice", "wrong password!"), ("nobody", PASSWORD)]:
        page = await browser.get("/oauth/authorize", params=ask)
        wrong = {**hidden(page.text), "user[email]": login, "user[password]": password}
        r = await browser.post("/auth/sign_in", data=wrong)
        assert r.status_code == 401
        assert "Invalid e-mail address, username or password." in r.text
        assert "__Host-oauth=" not in r.headers.get("set-cookie", "")


async def test_too_many_failed_sign_ins_are_refused(make_app: MakeApp) -> None:
    app = await make_app(ratelimit_scale=0.1)  # sign-in: 2 a login name an hour
    async with browser_for(app) as browser:
        client = await new_client(browser)
        ask = {"response_type": "code", "client_id": client.client_id, "redirect_uri": REDIRECT}
        codes = []
        for _ in range(3):
            page = await browser.get("/oauth/authorize", params=ask)
            form = {**hidden(page.text), "user[email]": "alice", "user[password]": "wrong one!"}
            codes.append((await browser.post("/auth/sign_in", data=form)).status_code)
        assert codes == [401, 401, 429]


async def test_sign_out_ends_the_session(world: Any) -> None:
    _app, browser, client, _alice = world
    ask = {"response_type": "code", "client_id": client.client_id, "redirect_uri": REDIRECT}
    consent = await consent_for(browser, ask)
    out_form = hidden(consent.text.split("</form>")[2] + "</form>")
    r = await browser.post("/auth/sign_out", data=out_form)
    assert r.status_code == 303
    back = await browser.get(r.headers["location"])
    assert "user[password]" in back.text  # signed out: the sign-in page again


async def test_userinfo_for_the_profile_scope(world: Any) -> None:
    _app, browser, client, alice = world
    ask = {
        "response_type": "code",
        "client_id": client.client_id,
        "redirect_uri": REDIRECT,
        "scope": "profile",
    }
    consent = await consent_for(browser, ask)
    code = query_of((await approve(browser, consent)).headers["location"])["code"]
    token = (await exchange(browser, client, code=code)).json()["access_token"]
    for method in ("GET", "POST"):
        r = await browser.request(method, "/oauth/userinfo", headers=bearer(token))
        assert r.status_code == 200
        assert r.json()["preferred_username"] == "alice"
        assert r.json()["sub"].endswith("/users/alice")
    r = await browser.get("/oauth/userinfo", headers=bearer(alice.token))
    assert r.status_code == 403  # read, write, follow, push: not profile


async def test_cors_for_browser_clients(client: httpx.AsyncClient) -> None:
    origin = {"Origin": "https://elk.example"}
    pre = await client.options(
        "/api/v1/timelines/home",
        headers={**origin, "Access-Control-Request-Method": "GET",
                 "Access-Control-Request-Headers": "authorization"},
    )  # fmt: skip
    assert pre.status_code == 200
    assert pre.headers["access-control-allow-origin"] == "*"
    assert "GET" in pre.headers["access-control-allow-methods"]
    assert pre.headers["access-control-allow-headers"] == "authorization"
    r = await client.get("/api/v1/instance", headers=origin)
    assert r.headers["access-control-allow-origin"] == "*"
    assert "Link" in r.headers["access-control-expose-headers"]
    r = await client.get("/api/v1/timelines/home", headers=origin)
    assert r.status_code == 401
    assert r.headers["access-control-allow-origin"] == "*"  # errors are readable too
    token_pre = await client.options(
        "/oauth/token", headers={**origin, "Access-Control-Request-Method": "POST"}
    )
    assert token_pre.status_code == 200
    page = await client.get("/oauth/authorize", headers=origin)
    assert "access-control-allow-origin" not in page.headers  # never the sign-in pages
    no_cors = await client.options("/api/v1/instance")
    assert no_cors.status_code == 405  # not a preflight: no origin
