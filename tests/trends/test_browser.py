"""The dashboard in a headless Chromium: sign in, watch a tag start trending live, approve it."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
from playwright.sync_api import Page, expect, sync_playwright

from tests.conftest import CHROMIUM_ARGS
from tests.helpers import PASSWORD, SCOPES
from tests.trends.conftest import SCREENSHOTS, LiveServer

REPO = Path(__file__).resolve().parents[2]
TAG = "browsersrising"
WAIT_MS = 15_000  # the page gets a snapshot every 2 s; the pipeline adds well under a second


def sign_up(api: httpx.Client, usernames: list[str]) -> list[str]:
    """Accounts made the way a Mastodon client makes them; returns their tokens."""
    r = api.post(
        "/api/v1/apps",
        data={
            "client_name": "Browser test",
            "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
            "scopes": SCOPES,
        },
    )
    assert r.status_code == 200, r.text
    app = r.json()
    r = api.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
            "scope": SCOPES,
        },
    )
    assert r.status_code == 200, r.text
    app_auth = {"Authorization": f"Bearer {r.json()['access_token']}"}
    tokens = []
    for name in usernames:
        r = api.post(
            "/api/v1/accounts",
            headers=app_auth,
            json={
                "username": name,
                "email": f"{name}@example.com",
                "password": PASSWORD,
                "agreement": True,
                "locale": "en",
            },
        )
        assert r.status_code == 200, r.text
        tokens.append(r.json()["access_token"])
    return tokens


def sign_in(page: Page, server: LiveServer) -> None:
    page.goto(f"{server.url}/admin")
    expect(page).to_have_url(f"{server.url}/admin/login")
    page.fill("#login", server.admin)
    page.fill("#password", server.password)
    page.click("#signin button[type=submit]")
    expect(page).to_have_url(f"{server.url}/admin")


def test_dashboard_shows_a_new_trend_live_and_approves_it(
    chromium: str, live_server: LiveServer, tmp_path: Path
) -> None:
    with (
        httpx.Client(base_url=live_server.url, timeout=10) as api,
        sync_playwright() as pw,
    ):
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, timeout=20_000)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.set_default_timeout(WAIT_MS)
            sign_in(page, live_server)
            expect(page.get_by_role("heading", name="Trending tags")).to_be_visible()
            expect(page.locator("#trends-empty")).to_be_visible()
            expect(page.locator("#live")).to_have_attribute("data-state", "live")
            page.evaluate("window.sameDocument = true")  # gone if the page reloads

            for token in sign_up(api, [f"poster{i}" for i in range(5)]):
                r = api.post(
                    "/api/v1/statuses",
                    headers={"Authorization": f"Bearer {token}"},
                    json={"status": f"Is anyone else watching this? #{TAG}"},
                )
                assert r.status_code == 200, r.text

            # no reload: the row arrives over the page's server-sent events
            row = page.locator("#trends tr", has_text=f"#{TAG}")
            expect(row).to_be_visible()
            expect(page.locator("#trends-empty")).to_be_hidden()
            assert page.evaluate("window.sameDocument") is True
            expect(row.locator("td.num").nth(2)).to_have_text("5")  # accounts
            expect(row.locator(".badge")).to_have_text("pending")
            assert api.get("/api/v1/trends/tags").json() == []

            row.get_by_role("button", name="Approve").click()
            expect(row.locator(".badge")).to_have_text("approved")
            expect(row.get_by_role("button", name="Approve")).to_be_disabled()
            # the next snapshot from the server agrees, and so does the public API
            ticked = page.locator("#live-text").text_content()
            expect(page.locator("#live-text")).not_to_have_text(ticked or "")
            expect(row.locator(".badge")).to_have_text("approved")
            public = api.get("/api/v1/trends/tags").json()
            assert [t["name"] for t in public] == [TAG]

            shot = tmp_path / "dashboard.png"
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()

    artifact = REPO / "artifacts" / "dashboard.png"
    artifact.parent.mkdir(exist_ok=True)
    shutil.copyfile(shot, artifact)
    print(f"dashboard screenshot: {shot} (copied to {artifact})")
    SCREENSHOTS.append(artifact)
