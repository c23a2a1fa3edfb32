"""A browser app signs in as Elk or Phanpy do, in a headless Chromium: its page (served by this
test from another origin) registers itself, builds an S256 challenge in JavaScript, opens
`/oauth/authorize`; the person signs in and approves; the page gets the code on its redirect
URI, exchanges it with `fetch` (CORS) and reads `verify_credentials` with the token. And a
desktop app's way, out of band: the code shown in the browser, copied into the app."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
from playwright.sync_api import Page, expect, sync_playwright
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from tests.conftest import CHROMIUM_ARGS, free_port, fresh_with_admin, running, serving
from tests.helpers import PASSWORD

WAIT_MS = 15_000

START = """<!doctype html><meta charset="utf-8"><title>client</title><p id="state">starting</p>
<script>
const server = "%(server)s";
const redirect = location.origin + "/callback";
const b64url = (bytes) => btoa(String.fromCharCode(...bytes))
  .replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, "");
(async () => {
  const params = new URLSearchParams(location.search);
  let app = JSON.parse(sessionStorage.getItem("app") || "null");
  if (!app) {
    const form = new URLSearchParams({client_name: "Browser client", redirect_uris: redirect,
                                      scopes: "read write", website: location.origin});
    app = await (await fetch(server + "/api/v1/apps", {method: "POST", body: form})).json();
    sessionStorage.setItem("app", JSON.stringify(app));
  }
  const verifier = b64url(crypto.getRandomValues(new Uint8Array(32)));
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  sessionStorage.setItem("verifier", verifier);
  const ask = new URLSearchParams({response_type: "code", client_id: app.client_id,
    redirect_uri: redirect, scope: "read write", state: "from-the-client",
    code_challenge: b64url(new Uint8Array(digest)), code_challenge_method: "S256"});
  if (params.get("force_login")) ask.set("force_login", "true");
  location.href = server + "/oauth/authorize?" + ask;
})().catch((e) => { document.getElementById("state").textContent = "failed: " + e; });
</script>"""

CALLBACK = """<!doctype html><meta charset="utf-8"><title>callback</title><p id="result">…</p>
<script>
const server = "%(server)s";
const show = (text) => { document.getElementById("result").textContent = text; };
(async () => {
  const params = new URLSearchParams(location.search);
  if (params.get("error")) {
    show("refused: " + params.get("error") + " " + params.get("state"));
    return;
  }
  const app = JSON.parse(sessionStorage.getItem("app"));
  const form = new URLSearchParams({grant_type: "authorization_code", code: params.get("code"),
    redirect_uri: location.origin + "/callback", client_id: app.client_id,
    client_secret: app.client_secret, code_verifier: sessionStorage.getItem("verifier")});
  const token = await (await fetch(server + "/oauth/token", {method: "POST", body: form})).json();
  const me = await fetch(server + "/api/v1/accounts/verify_credentials",
                         {headers: {Authorization: "Bearer " + token.access_token}});
  const account = await me.json();
  const linked = (await fetch(server + "/api/v1/timelines/home?limit=1",
                  {headers: {Authorization: "Bearer " + token.access_token}})).status;
  show("signed in as @" + account.username + " (state " + params.get("state") + ", home " +
       linked + ")");
})().catch((e) => show("failed: " + e));
</script>"""


@dataclass(frozen=True)
class Servers:
    social: str
    client: str


def client_app(server: str) -> Starlette:
    async def start(_request: Request) -> HTMLResponse:
        return HTMLResponse(START % {"server": server})

    async def callback(_request: Request) -> HTMLResponse:
        return HTMLResponse(CALLBACK % {"server": server})

    return Starlette(routes=[Route("/", start), Route("/callback", callback)])


@pytest.fixture
def servers(database_url: str, redis_url: str, tmp_path: Path) -> Iterator[Servers]:
    client_port = free_port()
    asyncio.run(fresh_with_admin(database_url, redis_url, "alice"))
    with (
        serving(database_url, redis_url, tmp_path, ratelimit_scale=1000.0) as url,
        running(client_app(url), client_port) as other,
    ):
        yield Servers(url, other)


def sign_in(page: Page) -> None:
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.fill("#login", "alice@example.com")
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_browser_app_signs_in_with_pkce_and_cors(chromium: str, servers: Servers) -> None:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, timeout=20_000)
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
            page.set_default_timeout(WAIT_MS)
            result = page.locator("#result")

            page.goto(servers.client)
            sign_in(page)
            expect(page.get_by_role("heading", name="Authorize Browser client?")).to_be_visible()
            page.get_by_role("button", name="Deny").click()
            expect(result).to_have_text("refused: access_denied from-the-client")

            page.goto(servers.client)  # signed in now: straight to the consent page
            page.get_by_role("button", name="Authorize").click()
            expect(result).to_have_text("signed in as @alice (state from-the-client, home 200)")

            page.goto(servers.client)  # granted: no page at all, the code comes back at once
            expect(result).to_have_text("signed in as @alice (state from-the-client, home 200)")
            assert page.url.startswith(servers.client + "/callback?code=")

            page.goto(servers.client + "/?force_login=1")  # another account, maybe: sign in
            sign_in(page)
            page.get_by_role("button", name="Authorize").click()  # and asked again
            expect(result).to_have_text("signed in as @alice (state from-the-client, home 200)")
        finally:
            browser.close()


def test_a_desktop_app_signs_in_out_of_band(chromium: str, servers: Servers) -> None:
    """A desktop or command-line app: it opens the authorization URL in the person's browser,
    they sign in and approve, and copy the code shown into the app, which exchanges it."""
    oob = "urn:ietf:wg:oauth:2.0:oob"
    with httpx.Client(base_url=servers.social) as http:
        registered = http.post(
            "/api/v1/apps",
            data={"client_name": "Desktop app", "redirect_uris": oob, "scopes": "read write"},
        ).json()
        ask = {
            "response_type": "code",
            "client_id": registered["client_id"],
            "redirect_uri": oob,
            "scope": "read",
        }
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=chromium, args=CHROMIUM_ARGS, timeout=20_000
            )
            try:
                page = browser.new_page()
                page.set_default_timeout(WAIT_MS)
                page.goto(f"{servers.social}/oauth/authorize?{urlencode(ask)}")
                sign_in(page)
                page.get_by_role("button", name="Authorize").click()
                expect(page.get_by_role("heading", name="Authorization code")).to_be_visible()
                code = page.get_by_label("Authorization code").input_value()
            finally:
                browser.close()
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": oob,
            "client_id": registered["client_id"],
            "client_secret": registered["client_secret"],
        }
        token = http.post("/oauth/token", data=form)
        assert token.status_code == 200, token.text
        assert token.json()["scope"] == "read"
        me = http.get(
            "/api/v1/accounts/verify_credentials",
            headers={"Authorization": f"Bearer {token.json()['access_token']}"},
        )
        assert me.json()["username"] == "alice"
